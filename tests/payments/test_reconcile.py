"""Reconciliation: webhooks that never come, payments that never started, orders left waiting."""

import requests
from django.core.management import call_command

from payments import services
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt
from shop.models import Article


def test_dropped_webhook_is_reconciled(shopper):
    shopper.buy()
    shopper.pay_at_mollie("paid")  # Mollie's webhook never reaches us

    summary = services.reconcile(stale_after_seconds=0)

    assert summary.synced == 1 and not summary.errors
    assert shopper.last_order().status == OrderStatus.PAID


def test_recent_open_payments_are_left_alone(shopper):
    shopper.buy()
    shopper.pay_at_mollie("paid")

    summary = services.reconcile()  # default threshold: 15 minutes

    assert summary.synced == 0
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT


def test_overdue_order_waits_for_mollie_to_expire_its_payment_then_closes(shopper, settings):
    shopper.buy("last-one-grinder")
    assert Article.get("last-one-grinder").stock == 0
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    # Mollie cannot cancel an open iDEAL (or no-method) payment; it expires it itself.
    summary = services.reconcile(stale_after_seconds=0)
    order = shopper.last_order()
    assert summary.still_waiting == 1 and order.status == OrderStatus.PENDING_PAYMENT
    assert [p["status"] for p in shopper.sandbox.payments()] == ["open"]

    shopper.pay_at_mollie("expired")  # its webhook is lost
    summary = services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert summary.expired == 1
    assert order.status == OrderStatus.EXPIRED and order.stock_released
    assert Article.get("last-one-grinder").stock == 1
    assert "This order has expired." in shopper.order_page().content.decode()

    services.reconcile(stale_after_seconds=0)  # running again gives nothing back twice
    assert Article.get("last-one-grinder").stock == 1


def test_pending_payment_keeps_the_order_waiting(shopper, settings):
    shopper.buy()
    shopper.pay_at_mollie("pending")
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    summary = services.reconcile(stale_after_seconds=0)

    assert summary.still_waiting == 1
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT


def test_attempt_that_never_reached_mollie_is_abandoned_then_pay_again_works(shopper):
    shopper.sandbox.faults(api_error_rate=1.0, seed=2)
    shopper.add("espresso-cup")
    shopper.checkout()
    shopper.sandbox.clear_faults()

    summary = services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert summary.abandoned == 1
    assert PaymentAttempt.get(order.order_id, 1).status == AttemptStatus.ABANDONED
    response = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")
    assert response.status_code == 303 and shopper.last_order().attempt_count == 2


def test_order_with_a_payment_in_progress_is_not_closed(shopper):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("pending"))

    order = services.close_order(order_id=shopper.last_order().order_id, status=OrderStatus.EXPIRED, source="test")

    assert order.status == OrderStatus.PENDING_PAYMENT and not order.stock_released


def test_late_paid_after_expiry_is_kept_and_flagged(shopper):
    shopper.buy()
    order = shopper.last_order()
    # Mollie created the payment but our copy never learned it (the write after create failed),
    # so reconciliation abandoned the attempt and expired the order.
    PaymentAttempt.get(order.order_id, 1).update(actions=[PaymentAttempt.status.set(AttemptStatus.ABANDONED)])
    order.update(actions=[Order.latest_attempt_status.set(AttemptStatus.ABANDONED)])
    services.close_order(order_id=order.order_id, status=OrderStatus.EXPIRED, source="test")

    payment_id = shopper.pay_at_mollie("paid", order=order)
    shopper.webhook(payment_id)

    order = shopper.last_order()
    assert order.status == OrderStatus.PAID  # the money is real: never lost
    assert order.needs_attention and "expired" in order.attention_reason


def test_reconcile_command_prints_progress_and_summary(shopper, capsys):
    shopper.buy()
    shopper.pay_at_mollie("failed")

    call_command("reconcile_payments", "--stale-after", "0")

    out = capsys.readouterr().out
    assert "synced" in out and "Done: 1 synced" in out
    assert shopper.last_order().latest_attempt_status == "failed"


def test_an_attempt_mollie_no_longer_knows_does_not_hold_the_order_forever(shopper, settings):
    shopper.buy("last-one-grinder")
    # The sandbox restarts (or the API key changes): Mollie no longer knows the payment.
    shopper.sandbox.reset()
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    summary = services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert order.status == OrderStatus.EXPIRED and Article.get("last-one-grinder").stock == 1
    assert PaymentAttempt.get(order.order_id, 1).status == AttemptStatus.ABANDONED
    assert summary.expired == 1


def test_reconciling_an_unchanged_payment_adds_nothing_to_the_timeline(shopper):
    from payments.models import PaymentEvent

    shopper.buy()
    order = shopper.last_order()
    before = [event.event_id for event in PaymentEvent.query(order.order_id)]

    services.reconcile(stale_after_seconds=0)
    services.reconcile(stale_after_seconds=0)

    assert [event.event_id for event in PaymentEvent.query(order.order_id)] == before


def test_an_open_payment_mollie_will_not_cancel_keeps_the_order_waiting(shopper, settings):
    shopper.buy("last-one-grinder")
    order = shopper.last_order()
    shopper.sandbox.set_cancelable(order.latest_mollie_payment_id, False)  # a bank transfer under way
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    summary = services.reconcile(stale_after_seconds=0)

    assert summary.still_waiting == 1 and not summary.errors
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT
    assert Article.get("last-one-grinder").stock == 0  # the shopper may still pay for it

    shopper.webhook(shopper.pay_at_mollie("expired"))  # Mollie gives up on it later
    services.reconcile(stale_after_seconds=0)
    assert shopper.last_order().status == OrderStatus.EXPIRED and Article.get("last-one-grinder").stock == 1


def test_a_bank_transfer_is_not_canceled_when_the_window_passes(shopper, settings):
    # Its money often arrives days later; Mollie expires it itself after 12 days or more.
    shopper.buy()
    order = shopper.last_order()
    requests.post(
        order.latest_checkout_url, data={"status": "open", "method": "banktransfer"}, allow_redirects=False, timeout=5
    ).raise_for_status()
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    summary = services.reconcile(stale_after_seconds=0)

    [payment] = shopper.sandbox.payments()
    assert payment["status"] == "open" and payment["isCancelable"] is True
    assert summary.still_waiting == 1
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT
    shopper.pay_at_mollie("paid")  # the transfer arrives three days later
    services.reconcile(stale_after_seconds=0)
    assert shopper.last_order().status == OrderStatus.PAID


def test_a_listing_throttled_past_retries_skips_its_phase_not_the_run(shopper, monkeypatch):
    """DynamoDB refusing one of reconciliation's listings (throttled past botocore's retries) is
    noted, and the other phases still run: the lost webhook is still reconciled."""
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import QueryError

    from payments.services import reconciliation

    shopper.buy()
    shopper.pay_at_mollie("paid")  # the webhook never arrives
    listing = reconciliation.orders_in_status

    def throttled_for_paid_orders(status, *conditions):
        if status == OrderStatus.PAID:
            raise QueryError("Failed to query items", ClientError({"Error": {"Code": "ThrottlingException"}}, "Query"))
        return listing(status, *conditions)

    monkeypatch.setattr(reconciliation, "orders_in_status", throttled_for_paid_orders)
    summary = services.reconcile(stale_after_seconds=0)

    assert summary.synced == 1 and shopper.last_order().status == OrderStatus.PAID
    assert [error.split(":")[0] for error in summary.errors] == ["listing paid orders"]


def test_an_attempt_that_expires_while_the_run_is_under_way_closes_its_order_in_that_run(
    shopper, settings, monkeypatch
):
    """On a slow machine Mollie may expire a payment after the run looked at its overdue order
    (still open then) and before the run syncs the open attempts: the order must not wait for the
    next run with nothing left to wait for (chaos, seeds 1 and 5 on a busy machine)."""
    from payments.services import reconciliation

    shopper.buy("last-one-grinder")
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0
    listing = reconciliation.attempts_in_status

    def mollie_expires_it_between_the_phases(status, *conditions):
        if status == AttemptStatus.CREATED:  # the first listing after the overdue orders
            shopper.pay_at_mollie("expired")  # its webhook is lost
        return listing(status, *conditions)

    monkeypatch.setattr(reconciliation, "attempts_in_status", mollie_expires_it_between_the_phases)
    summary = services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert PaymentAttempt.get(order.order_id, 1).status == AttemptStatus.EXPIRED
    assert order.status == OrderStatus.EXPIRED and Article.get("last-one-grinder").stock == 1
    assert summary.expired == 1 and summary.still_waiting == 0
    assert "This order has expired." in shopper.order_page().content.decode()


def test_a_payment_that_expires_after_the_run_closes_its_overdue_order_then(shopper, settings):
    """The run found the order overdue while Mollie still had its payment open; Mollie expires it
    only after the run ended (chaos seed 5 on a busy machine). The webhook that says so closes the
    order at once: nothing is left waiting for the next run, even when the shop's own window (here
    the default two hours) is longer than the one the run used."""
    shopper.buy("last-one-grinder")
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0
    summary = services.reconcile(stale_after_seconds=0)
    assert summary.still_waiting == 1 and shopper.last_order().status == OrderStatus.PENDING_PAYMENT

    settings.ORDER_PAYMENT_WINDOW_SECONDS = 2 * 60 * 60
    shopper.webhook(shopper.pay_at_mollie("expired"))

    order = shopper.last_order()
    assert order.status == OrderStatus.EXPIRED and Article.get("last-one-grinder").stock == 1
    assert "This order has expired." in shopper.order_page().content.decode()
