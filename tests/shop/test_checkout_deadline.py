"""A checkout on Lambda must answer before API Gateway gives up (29 s): a checkout that committed
after the shopper got a 504 left no redirect and no cookie, and starting over made a second
order. With DynamoDB slow and throttled for seconds, it finishes or refuses cleanly in time."""

import re
import time

import pytest

from payments.models import Order
from payments.services import order_id_for_checkout
from shop.models import Article
from tests.fixtures.shopper import checkout_form

# What a request may take at most here; API Gateway's own limit is 29 s.
DEADLINE_SECONDS = 25


@pytest.fixture
def longest_backoff(monkeypatch):
    """botocore's retries wait the longest their jitter allows (2**n s), every time."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(
        ExponentialBackoff,
        "delay_amount",
        lambda self, context: min(self._max_backoff, self._base ** (context.attempt_number - 1)),
    )


def checkout_id_of(shopper):
    page = shopper.client.get("/en/checkout/").content.decode()
    return re.search(r'name="checkout_id" value="([0-9a-f]{32})"', page).group(1)


def timed_checkout(shopper, checkout_id):
    started = time.monotonic()
    response = shopper.client.post("/en/checkout/", checkout_form(checkout_id, name="Ada"))
    return response, time.monotonic() - started


def test_a_checkout_while_dynamodb_is_slow_and_throttled_refuses_in_time_and_a_retry_gets_past(
    shopper, server_faults, longest_backoff
):
    shopper.add("linen-apron")
    checkout_id = checkout_id_of(shopper)
    server_faults.latency_seconds = 2.5
    server_faults.throttle_for(14)

    response, took = timed_checkout(shopper, checkout_id)

    assert took < DEADLINE_SECONDS, f"answered after {took:.1f} s: API Gateway would have given up"
    assert response.status_code in (303, 503), response.content[:300]
    if response.status_code == 503:
        # Refused cleanly: nothing stored, nothing reserved, and the page says to try again.
        assert "try again" in response.content.decode().lower()
        assert Order.count(order_id_for_checkout(checkout_id), consistent_read=True) == 0
        assert Article.get("linen-apron", consistent_read=True).stock == 8
    server_faults.reset()
    again, _ = timed_checkout(shopper, checkout_id)  # the shopper presses the button again
    assert again.status_code == 303 and again["Location"].startswith(shopper.sandbox.url)
    assert Article.get("linen-apron", consistent_read=True).stock == 7  # one order, reserved once


def test_a_checkout_with_slow_dynamodb_and_a_mollie_that_never_answers_ends_in_time(shopper, server_faults):
    shopper.add("linen-apron")
    checkout_id = checkout_id_of(shopper)
    shopper.sandbox.faults(api_latency_ms=30_000)
    server_faults.latency_seconds = 2.5

    response, took = timed_checkout(shopper, checkout_id)

    assert took < DEADLINE_SECONDS, f"answered after {took:.1f} s: API Gateway would have given up"
    order = Order.get(order_id_for_checkout(checkout_id), consistent_read=True)
    # The order is kept and the shopper is sent to it, to try paying again.
    assert response.status_code == 302 and response["Location"].startswith(f"/en/orders/{order.order_id}/")
    server_faults.reset()
    shopper.sandbox.clear_faults()
    page = shopper.client.get(response["Location"]).content.decode()
    assert "try again" in page.lower()
