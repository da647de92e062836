"""A company name given at checkout (for Billie, docs/pay-later.md) is personal data like the rest
of the address (a sole trader's company often carries their name): the export shows it, erasure
leaves no trace of it."""

import json

from tests.fixtures.shopper import checkout_form
from tests.privacy.traces import empty_buckets, traces

COMPANY = "Lovelace Analytical Engines"


def test_a_company_name_is_exported_and_erased_with_the_customers_data(shopper, shipping_zones, staff_client):
    empty_buckets()
    shopper.add("espresso-cup", 1)
    form = checkout_form(shopper.checkout_id(), company_name=COMPANY)
    assert shopper.client.post("/en/checkout/", form).status_code == 303
    shopper.webhook(shopper.pay_at_mollie("expired"))  # nothing paid: nothing the law keeps
    order = shopper.last_order()
    shopper.add("espresso-cup", 1)
    shopper.checkout()  # a new order, without a company: the first one closes (kept: the open one)

    download = staff_client.post("/staff/customers/export/", {"email": "ada@example.com", "confirm": "1"})
    exported = next(o for o in json.loads(download.content)["orders"] if o["order_number"] == order.order_id)
    assert exported["shipping_address"]["organization_name"] == COMPANY

    assert traces((COMPANY,))  # stored with the order before
    done = staff_client.post("/staff/customers/erase/", {"email": "ada@example.com", "confirm": "1"})
    assert "1 order erased" in done.content.decode()
    assert traces((COMPANY,)) == []  # every table and S3 object
