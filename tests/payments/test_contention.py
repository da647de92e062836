"""Real DynamoDB's contention, emulated by the local double (devstack.dynamodb_faults.ServerFaults):
transactions in flight hold their items, so writers meet TransactionConflict and must back off."""

import functools

from django.test import Client

from payments.models import Order
from shop.models import Article
from tests.concurrency import run_concurrently, wait_until
from tests.fixtures.shopper import Shopper, checkout_form

HOLD_SECONDS = 0.3  # how long a transaction is "in flight" at the double


def test_two_buyers_of_the_last_unit_at_once_one_pays_the_other_is_told_it_sold_out(catalog, sandbox, server_faults):
    buyers = [Shopper(Client(), sandbox) for _ in range(2)]
    for buyer in buyers:
        buyer.add("last-one-grinder")
    pages = [buyer.client.get("/en/checkout/").content.decode() for buyer in buyers]
    server_faults.transaction_hold_seconds = HOLD_SECONDS

    def buy(index):
        import re

        checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', pages[index]).group(1)
        return buyers[index].client.post(
            "/en/checkout/", checkout_form(checkout_id, name="Racer", email=f"racer{index}@example.com")
        )

    responses = run_concurrently(*(functools.partial(buy, index) for index in range(len(buyers))))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 303], [response.content[:300] for response in responses]  # no 503
    winner = next(response for response in responses if response.status_code == 303)
    loser = next(response for response in responses if response.status_code == 302)
    assert winner["Location"].startswith(sandbox.url)
    assert loser["Location"] == "/en/cart/"
    loser_client = buyers[responses.index(loser)].client
    assert "Not enough stock for: Hand grinder (last one)" in loser_client.get("/en/cart/").content.decode()
    assert Article.get("last-one-grinder", consistent_read=True).stock == 0
    assert server_faults.injected.get("TransactWriteItems canceled: TransactionConflict", 0) >= 1


def test_a_status_poll_during_the_webhooks_commit_waits_for_it_instead_of_failing(shopper, server_faults, settings):
    settings.STATUS_PULL_INTERVAL_SECONDS = 0  # every poll pulls from Mollie
    shopper.buy()
    order = shopper.last_order()
    payment_id = shopper.pay_at_mollie("paid")
    server_faults.transaction_hold_seconds = HOLD_SECONDS

    def webhook():
        return Client().post("/payments/webhook/", {"id": payment_id})

    def poll():
        # Mollie's webhook is committing order, attempt and events right now.
        assert wait_until(lambda: any("transaction" in kinds for kinds in server_faults.held_items().values()))
        return Client().get(f"/en/orders/{order.order_id}/{order.public_token}/status.json")

    answers = dict(zip(["webhook", "poll"], run_concurrently(webhook, poll), strict=True))

    assert answers["webhook"].status_code == 200
    assert answers["poll"].status_code == 200, answers["poll"].content[:300]
    assert server_faults.injected.get("TransactionConflictException", 0) >= 1
    assert Order.get(order.order_id, consistent_read=True).status == "paid"
    assert shopper.status()["order_status"] == "paid"


def test_a_transaction_canceled_for_a_validation_error_is_not_retried(shopper, server_faults):
    """A ValidationError is a bug: asking eight times more only multiplies the load."""
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    server_faults.cancel_transactions("ValidationError", times=20)
    before = server_faults.calls.get("TransactWriteItems", 0)

    response = shopper.webhook(payment_id)

    assert response.status_code == 503  # Mollie keeps the webhook; the log has the error
    assert server_faults.calls["TransactWriteItems"] - before == 1
    assert shopper.last_order().status == "pending_payment"
