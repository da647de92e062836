"""What one visitor can hold by bank transfer (issue 27, "A bank transfer takes stock off sale for
12 days, at no cost"): a short dueDate, open transfers limited per e-mail and per client address,
and the last units of an article only for those who pay at once. As a shopper and as an attacker
would try it, through the test client against moto and the Mollie sandbox (one client address:
every test client is 127.0.0.1)."""

from datetime import timedelta

import requests
from django.test import Client
from django.utils import timezone

from payments import services
from payments.models import Order, OrderStatus
from shop.models import Article
from tests.fixtures.shopper import Shopper


def page(response):
    return response.content.decode()


def visitor(sandbox):
    """Another browser (a cart of its own) from the same client address."""
    return Shopper(Client(), sandbox)


def by_transfer(shopper, slug, quantity=1, email="ada@example.com"):
    shopper.add(slug, quantity)
    return shopper.checkout(email=email, method="banktransfer")


def test_the_last_unit_cannot_be_taken_off_sale_by_a_transfer(shopper):
    response = by_transfer(shopper, "last-one-grinder")

    assert response.status_code == 422
    assert "Bank transfer is not offered for Hand grinder (last one)" in page(response)
    assert 'value="Ada Lovelace"' in page(response)  # the details stay as typed
    assert Article.get("last-one-grinder").stock == 1 and list(Order.scan()) == []


def test_eight_of_eight_by_transfer_is_refused_and_the_article_stays_on_sale(shopper):
    response = by_transfer(shopper, "linen-apron", 8)

    assert response.status_code == 422 and "at most 50% of what is in stock" in page(response)
    assert "Sold out" not in page(shopper.client.get("/en/articles/linen-apron/"))


def test_mollies_page_does_not_offer_a_transfer_the_order_may_not_have(shopper):
    shopper.buy("last-one-grinder")  # no method chosen in the shop: chosen on Mollie's page
    order = shopper.last_order()

    chosen = requests.post(order.latest_checkout_url, data={"status": "open", "method": "banktransfer"}, timeout=10)

    assert chosen.status_code == 400 and "Unknown method banktransfer" in chosen.text
    assert "Bank transfer" not in requests.get(order.latest_checkout_url, timeout=10).text
    assert order.no_transfer_because


def test_a_transfer_is_due_in_days_not_weeks_and_its_stock_comes_back_after(shopper):
    assert by_transfer(shopper, "pour-over-kettle").status_code == 303
    order = shopper.last_order()
    payment = shopper.sandbox.payment(order.latest_mollie_payment_id)
    # Payable all through its dueDate, 3 days on (settings.BANK_TRANSFER_DUE_DAYS), not Mollie's 12.
    last_day = timezone.now().date() + timedelta(days=3)
    assert payment["expiresAt"].startswith((last_day + timedelta(days=1)).isoformat())
    assert Article.get("pour-over-kettle").stock == 11

    shopper.sandbox.advance_clock(4 * 24 * 3600)  # the due date passed unpaid; the webhook is lost
    services.reconcile(now=timezone.now() + timedelta(days=4), stale_after_seconds=0)

    assert Order.get(order.order_id).status == OrderStatus.EXPIRED
    assert Article.get("pour-over-kettle").stock == 12


def test_one_email_holds_one_open_transfer(shopper, sandbox):
    assert by_transfer(shopper, "pour-over-kettle").status_code == 303
    first = shopper.last_order()

    again = by_transfer(visitor(sandbox), "ceramic-dripper", email="Ada@Example.com")

    assert again.status_code == 422
    assert f"Your order {first.order_id} is still waiting for a bank transfer" in page(again)


def test_repeated_transfers_from_one_address_are_refused_past_the_limit(shopper, sandbox):
    for number in range(3):  # settings.BANK_TRANSFER_MAX_OPEN_PER_ADDRESS
        response = by_transfer(visitor(sandbox), "espresso-cup", email=f"buyer{number}@example.com")
        assert response.status_code == 303, page(response)[:300]

    fourth = by_transfer(visitor(sandbox), "espresso-cup", email="buyer3@example.com")

    assert fourth.status_code == 422
    assert "Several orders from your internet connection are already waiting for a bank transfer" in page(fourth)
    # The same checkout with another way to pay goes through; Mollie's page then offers no transfer.
    card = visitor(sandbox)
    card.add("espresso-cup")
    assert card.checkout(email="buyer3@example.com").status_code == 303
    assert card.last_order().no_transfer_because


def test_the_limits_are_settings(shopper, sandbox, settings):
    settings.BANK_TRANSFER_MAX_OPEN_PER_ADDRESS = 1
    settings.BANK_TRANSFER_MAX_STOCK_PERCENT = 100
    assert by_transfer(shopper, "last-one-grinder").status_code == 303  # all of it, by this shop's choice

    second = by_transfer(visitor(sandbox), "espresso-cup", email="grace@example.com")

    assert second.status_code == 422 and "internet connection" in page(second)


def test_pay_again_by_transfer_is_refused_for_an_order_that_may_not_have_one(shopper):
    shopper.buy("last-one-grinder")
    shopper.webhook(shopper.pay_at_mollie("canceled"))
    order = shopper.last_order()

    response = shopper.client.post(
        f"/en/orders/{order.order_id}/{order.public_token}/pay/", {"method": "banktransfer"}, follow=True
    )

    assert "Bank transfer is not offered for Hand grinder (last one)" in page(response)
    assert shopper.last_order().attempt_count == 1
