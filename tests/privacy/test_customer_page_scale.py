"""The customer page reads the same few items with 50 and with 500 orders in the shop (issue 32):
one Query on the orders' email_index, whatever the number of orders. Counted, not timed."""

from django.utils import timezone

from bench import staff_scale
from bench.call_counts import counting

# The staff session and member (two GetItems) and one Query on the e-mail index.
BUDGET = 3


def test_the_customer_page_makes_the_same_bounded_calls_at_every_size(client, catalog, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff_scale.log_in(client)
    loader = staff_scale.Loader(now=timezone.now())
    measured = {}
    for size in (50, 500):
        loader.load_up_to(size)
        with counting() as calls:
            response = client.post("/staff/customers/", {"email": "Customer1@Example.com"})
        assert response.status_code == 200 and "customer1@example.com" in response.content.decode()
        measured[size] = dict(calls.dynamodb)
    assert measured[50] == measured[500]
    assert sum(measured[500].values()) <= BUDGET and "Scan" not in measured[500], measured
