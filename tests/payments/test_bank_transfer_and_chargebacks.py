"""Bank transfers open for days, and chargebacks after "paid" (issue 19), end to end against moto
and the Mollie sandbox. Webhooks are driven by hand here (no webhookUrl on loopback), so a
"missed webhook" is simply one the test does not send."""

from datetime import timedelta

import requests
from django.utils import timezone

from payments import services
from payments.models import Order, OrderStatus, PaymentAttempt, PaymentEvent
from shop.models import Article

DUE = timedelta(days=3)  # settings.BANK_TRANSFER_DUE_DAYS: sent to Mollie as dueDate


def kinds(order_id):
    return [event.kind for event in PaymentEvent.query(order_id)]


def transfer_ordered(shopper, slug="pour-over-kettle"):
    shopper.add(slug)
    response = shopper.checkout(method="banktransfer")
    assert response.status_code == 303
    return shopper.last_order()


def test_a_bank_transfer_shows_its_instructions_and_holds_the_order_until_its_own_expiry(shopper):
    order = transfer_ordered(shopper)

    page = shopper.order_page().content.decode()

    order = shopper.last_order()
    attempt = PaymentAttempt.get(order.order_id, 1)
    payment = shopper.sandbox.payment(order.latest_mollie_payment_id)
    assert attempt.method == "banktransfer" and payment["method"] == "banktransfer"
    assert "Please transfer the amount to complete your order." in page
    assert "Bank transfer instructions" in page
    for shown in (payment["details"]["bankAccount"], payment["details"]["transferReference"], "49.95"):
        assert shown in page
    assert order.expires_at == attempt.mollie_expires_at
    assert DUE < order.expires_at - order.created_at <= DUE + timedelta(days=1)  # through its due date
    assert shopper.status()["keep_polling"] is False  # days to go: nothing to poll for


def test_reconciliation_past_the_default_window_keeps_a_transfer_under_way_and_its_stock(shopper):
    order = transfer_ordered(shopper)
    shopper.order_page()  # the shopper reads the instructions
    assert Article.get("pour-over-kettle").stock == 11
    requests_before = len(shopper.sandbox.requests())

    summary = services.reconcile(now=timezone.now() + timedelta(hours=3), stale_after_seconds=0)

    assert summary.expired == 0 and summary.still_waiting == 1
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT
    assert Article.get("pour-over-kettle").stock == 11  # still reserved for the transfer
    # Synced once by the open-attempts pass, not again by the overdue-orders pass.
    payment_reads = [
        call
        for call in shopper.sandbox.requests()[requests_before:]
        if call["path"] == f"/v2/payments/{order.latest_mollie_payment_id}"
    ]
    assert len(payment_reads) == 1


def test_a_transfer_settled_days_later_makes_the_order_paid(shopper):
    order = transfer_ordered(shopper)
    shopper.sandbox.advance_clock(3 * 24 * 3600)

    shopper.sandbox.set_status(order.latest_mollie_payment_id, "paid")
    shopper.webhook(order.latest_mollie_payment_id)

    order = shopper.last_order()
    assert order.status == OrderStatus.PAID
    assert "Thank you! Your payment was received." in shopper.order_page().content.decode()
    assert "Bank transfer instructions" not in shopper.order_page().content.decode()


def test_a_transfer_never_paid_expires_at_its_date_and_the_stock_comes_back(shopper):
    order = transfer_ordered(shopper)
    shopper.sandbox.advance_clock(5 * 24 * 3600)  # Mollie expires it after its due date; the webhook is lost

    summary = services.reconcile(now=timezone.now() + timedelta(days=5), stale_after_seconds=0)

    assert summary.expired == 1
    assert shopper.last_order().status == OrderStatus.EXPIRED
    assert Article.get("pour-over-kettle").stock == 12
    assert order.order_id


# --- Chargebacks ---------------------------------------------------------------------------------


def buy_and_pay_the_last_grinder(shopper):
    """The last grinder in stock, bought and paid (webhook received): (the order, its Mollie payment id)."""
    shopper.buy("last-one-grinder")
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)
    order = shopper.last_order()
    assert order.status == OrderStatus.PAID
    return order, payment_id


def test_a_chargeback_reported_by_webhook_is_recorded_and_flags_the_order(shopper):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)

    shopper.sandbox.chargeback(payment_id, amount={"currency": "EUR", "value": "89.00"}, reason="MD06")
    assert shopper.webhook(payment_id).status_code == 200

    order = shopper.last_order()
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks
    assert record.chargeback_id.startswith("chb_") and record.amount_cents == 8900
    assert record.reason_code == "MD06" and record.reversed_at is None
    assert order.needs_attention and "Charged back: €89.00" in order.attention_reason
    assert order.amount_charged_back_cents == 8900
    assert order.status == OrderStatus.PAID
    assert "chargeback" in kinds(order.order_id)
    assert Article.get("last-one-grinder").stock == 0  # stock does not come back by itself


def test_the_same_chargeback_webhook_twice_records_it_once(shopper):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    shopper.sandbox.chargeback(payment_id)

    shopper.webhook(payment_id)
    shopper.webhook(payment_id)

    assert len(PaymentAttempt.get(order.order_id, 1).chargebacks) == 1
    assert kinds(order.order_id).count("chargeback") == 1
    assert len(shopper.last_order().attention_reasons) == 1


def test_a_reversed_chargeback_is_recorded_and_its_flag_taken_off(shopper):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    chargeback = shopper.sandbox.chargeback(payment_id, reason="AM04")
    shopper.webhook(payment_id)

    shopper.sandbox.reverse_chargeback(chargeback["id"])
    shopper.webhook(payment_id)

    order = shopper.last_order()
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks
    assert record.reversed_at is not None
    assert not order.needs_attention and order.amount_charged_back_cents == 0
    assert "chargeback_reversed" in kinds(order.order_id)


def test_reconciliation_picks_up_a_chargeback_whose_webhook_was_lost(shopper):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    shopper.sandbox.chargeback(payment_id, amount={"currency": "EUR", "value": "10.00"})

    summary = services.reconcile(stale_after_seconds=0)
    again = services.reconcile(stale_after_seconds=0)

    assert summary.chargebacks_found == 1 and again.chargebacks_found == 0
    order = Order.get(order.order_id, consistent_read=True)
    assert order.amount_charged_back_cents == 1000 and order.needs_attention
    assert kinds(order.order_id).count("chargeback") == 1


def test_reconciliations_chargeback_look_back_is_a_setting(shopper, settings):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    shopper.sandbox.chargeback(payment_id)  # its webhook is lost
    forty_days_later = timezone.now() + timedelta(days=40)

    settings.CHARGEBACK_LOOKBACK_DAYS = 30
    too_old = services.reconcile(now=forty_days_later, stale_after_seconds=0)
    settings.CHARGEBACK_LOOKBACK_DAYS = 60
    within = services.reconcile(now=forty_days_later, stale_after_seconds=0)

    assert too_old.chargebacks_found == 0 and within.chargebacks_found == 1
    assert Order.get(order.order_id, consistent_read=True).needs_attention


def test_reconciliation_picks_up_a_reversal_whose_webhook_was_lost(shopper):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    chargeback = shopper.sandbox.chargeback(payment_id)
    shopper.webhook(payment_id)
    shopper.sandbox.reverse_chargeback(chargeback["id"])

    summary = services.reconcile(stale_after_seconds=0)

    assert summary.chargebacks_found == 1
    assert not Order.get(order.order_id, consistent_read=True).needs_attention


def test_staff_refresh_picks_up_a_chargeback(shopper):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    shopper.sandbox.chargeback(payment_id)

    services.refresh_order(order_id=order.order_id, actor="staff")

    assert len(PaymentAttempt.get(order.order_id, 1).chargebacks) == 1
    assert Order.get(order.order_id, consistent_read=True).needs_attention


def test_a_webhook_for_a_chargeback_mollie_cannot_list_now_is_asked_again(shopper):
    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    shopper.sandbox.chargeback(payment_id)
    shopper.sandbox.faults(api_error_rate=1.0)

    answer = shopper.webhook(payment_id)

    shopper.sandbox.clear_faults()
    assert answer.status_code >= 500  # Mollie retries the webhook
    assert PaymentAttempt.get(order.order_id, 1).chargebacks == []
    assert shopper.webhook(payment_id).status_code == 200
    assert len(PaymentAttempt.get(order.order_id, 1).chargebacks) == 1


def test_a_bank_transfer_chosen_on_mollies_page_shows_its_instructions_on_return(shopper):
    shopper.buy("pour-over-kettle")  # no method chosen in the shop
    order = shopper.last_order()
    chosen = requests.post(
        order.latest_checkout_url, data={"status": "open", "method": "banktransfer"}, allow_redirects=False, timeout=30
    )
    assert chosen.status_code == 303  # back to the shop; Mollie sends no webhook for this

    page = shopper.order_page().content.decode()

    assert "Please transfer the amount to complete your order." in page
    assert "Bank transfer instructions" in page
    order = shopper.last_order()
    assert order.latest_method == "banktransfer"
    assert DUE < order.expires_at - order.created_at <= DUE + timedelta(days=1)  # our dueDate, not 12 days


def test_two_staff_marking_one_chargeback_handled_at_once_record_it_once(shopper):
    from tests.concurrency import run_concurrently

    order, payment_id = buy_and_pay_the_last_grinder(shopper)
    shopper.sandbox.chargeback(payment_id)
    shopper.webhook(payment_id)
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks

    def handled_by(actor):
        return lambda: services.mark_chargeback_handled(
            order_id=order.order_id, attempt_no=1, chargeback_id=record.chargeback_id, actor=actor
        )

    results = run_concurrently(handled_by("grace"), handled_by("noor"))

    assert results[0].handled_by == results[1].handled_by  # the winner, as both see it
    assert kinds(order.order_id).count("chargeback_handled") == 1
    assert not Order.get(order.order_id, consistent_read=True).needs_attention
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks
    assert record.handled_by in ("grace", "noor")
