"""A whole purchase against the sandbox in strict mode, which refuses what Mollie refuses.

Mollie refuses a webhookUrl it cannot reach (422 on webhookUrl, "unreachable from Mollie's point
of view": create-payment reference; mollie/magento2#230). A shop whose PUBLIC_BASE_URL is on
loopback (`make run` with a real test key) must still take payments: it sends no webhookUrl,
and the thank-you page's status pull learns the outcome.
"""

import pytest
import requests

from mollie_sandbox.server import SandboxServer
from payments.models import OrderStatus
from tests.fixtures.sandbox import TEST_MOLLIE_KEY, SandboxControl
from tests.fixtures.shopper import Shopper


@pytest.fixture
def strict_shopper(client, catalog, settings):
    with SandboxServer(host="127.0.0.1", port=0, strict=True) as server:
        settings.MOLLIE_API_ENDPOINT = server.url
        settings.MOLLIE_API_KEY = TEST_MOLLIE_KEY
        settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
        settings.MOLLIE_WEBHOOK_BASE_URL = ""
        settings.STATUS_PULL_INTERVAL_SECONDS = 0
        yield Shopper(client, SandboxControl(server.url))


def test_full_purchase_with_a_loopback_public_url(strict_shopper):
    strict_shopper.buy()
    order = strict_shopper.last_order()
    [payment] = strict_shopper.sandbox.payments()
    assert payment.get("webhookUrl") is None

    chosen = requests.post(
        order.latest_checkout_url, data={"status": "paid", "method": "ideal"}, allow_redirects=False, timeout=5
    )
    assert chosen.status_code == 303
    assert "Thank you! Your payment was received." in strict_shopper.order_page().content.decode()
    assert strict_shopper.last_order().status == OrderStatus.PAID


def test_a_configured_public_webhook_base_is_sent(strict_shopper, settings):
    settings.MOLLIE_WEBHOOK_BASE_URL = "https://tunnel.example.org"
    strict_shopper.buy()
    [payment] = strict_shopper.sandbox.payments()
    assert payment["webhookUrl"] == "https://tunnel.example.org/payments/webhook/"


def test_a_shopper_who_failed_inside_the_checkout_comes_back_to_an_open_payment(strict_shopper):
    # With no method chosen, a failure inside a method keeps the payment open and the shopper
    # goes back to method selection (mollie/mollie-api-php#510); then returns to the shop.
    strict_shopper.buy()
    order = strict_shopper.last_order()
    requests.post(order.latest_checkout_url, data={"status": "failed", "method": "ideal"}, timeout=5)
    requests.post(order.latest_checkout_url, data={"status": "open"}, allow_redirects=False, timeout=5)

    page = strict_shopper.order_page().content.decode()

    assert "Your payment is not complete yet." in page
    assert order.latest_checkout_url in page  # continue paying, same payment
    assert strict_shopper.last_order().status == OrderStatus.PENDING_PAYMENT


def test_rate_limited_checkout_says_try_again_later(strict_shopper):
    # Mollie answers 429 when called too fast (docs.mollie.com, "Rate limiting").
    strict_shopper.sandbox.faults(api_rate_limit_rate=1.0)
    strict_shopper.add("espresso-cup")
    strict_shopper.checkout()
    page = strict_shopper.order_page().content.decode()
    assert "Your payment has not started yet." in page and "Try again" in page
