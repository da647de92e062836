"""Mollie's side: the webhook is asynchronous, may come twice, late, out of order, or be forged."""

import dataclasses
import functools

import pytest

from payments import mollie, services
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt, PaymentEvent
from tests.concurrency import run_concurrently


def events(order_id, kind=None):
    return [e for e in PaymentEvent.query(order_id) if kind is None or e.kind == kind]


def mollie_answers(payment_id, **changes):
    """What Mollie would answer for this payment, with some fields changed (a wrong amount, or
    a status our copy could not have reached on its own)."""
    payment = mollie.get_payment(payment_id)
    return dataclasses.replace(payment, **changes)


def reopen_first_attempt_as_paid_at_mollie(order_id):
    """Attempt 1 was closed in our copy; Mollie now reports it paid (a late bank confirmation)."""
    attempt = PaymentAttempt.get(order_id, 1)
    attempt.update(actions=[PaymentAttempt.status.set("open")])
    services.apply_mollie_payment(payment=mollie_answers(attempt.mollie_payment_id, status="paid"), source="webhook")


def mollie_reports_one_cent_paid(shopper):
    """The shopper's order, after Mollie reported its payment paid with the wrong amount."""
    shopper.buy()
    order = shopper.last_order()
    shopper.pay_at_mollie("paid")
    services.apply_mollie_payment(
        payment=mollie_answers(order.latest_mollie_payment_id, amount_cents=1), source="webhook"
    )
    return order


def test_duplicate_webhooks_leave_the_same_state(shopper):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")

    answers = [shopper.webhook(payment_id).status_code for _ in range(3)]

    order = shopper.last_order()
    assert answers == [200, 200, 200]
    assert order.status == OrderStatus.PAID
    assert len(events(order.order_id, "order_status_changed")) == 1
    assert len(events(order.order_id, "webhook_received")) == 1  # only the call that changed something


def test_repeated_webhooks_that_change_nothing_cost_no_write(shopper):
    """Anyone can post a webhook: repeats must not grow the order's timeline or its staff page."""
    from payments.models import Order, PaymentEvent

    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)
    order = shopper.last_order()
    timeline_before = list(PaymentEvent.query(order.order_id))

    answers = {shopper.webhook(payment_id).status_code for _ in range(40)}

    assert answers == {200}
    assert [e.event_id for e in PaymentEvent.query(order.order_id)] == [e.event_id for e in timeline_before]
    assert Order.get(order.order_id, consistent_read=True).version == order.version  # not written at all


def test_webhook_after_the_redirect_changes_nothing_more(shopper):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    assert shopper.status()["status"] == "paid"  # the shopper came back first; the page pulled

    shopper.webhook(payment_id)

    assert shopper.last_order().status == OrderStatus.PAID
    assert len(events(shopper.last_order().order_id, "order_status_changed")) == 1


def test_stale_status_never_moves_a_payment_back(shopper):
    from payments.mollie import get_payment

    shopper.buy()
    order = shopper.last_order()
    stale_open = get_payment(order.latest_mollie_payment_id)  # fetched while still open
    shopper.webhook(shopper.pay_at_mollie("paid"))

    services.apply_mollie_payment(payment=stale_open, source="webhook")  # arrives last

    attempt = PaymentAttempt.get(order.order_id, 1)
    assert attempt.status == AttemptStatus.PAID
    assert shopper.last_order().status == OrderStatus.PAID


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"id": ""},
        {"id": "tr_"},
        {"id": "re_abc123"},
        {"id": "tr_../../v2/methods"},
        {"id": "x" * 500},
        {"id": "tr_\u00e9\u00e9"},
    ],
)
def test_malformed_webhook_ids_are_answered_200_and_change_nothing(shopper, body):
    shopper.buy()
    before = shopper.last_order()

    response = shopper.client.post("/payments/webhook/", body)

    assert response.status_code == 200
    assert shopper.last_order().version == before.version


def test_unknown_payment_id_is_answered_200(shopper):
    response = shopper.webhook("tr_doesnotexist1")
    assert response.status_code == 200
    assert response.content == b"unknown"


def test_webhook_only_accepts_post(client):
    assert client.get("/payments/webhook/").status_code == 405


def test_forged_webhook_body_is_ignored_we_fetch_from_mollie(shopper):
    shopper.buy()
    order = shopper.last_order()

    response = shopper.client.post(
        "/payments/webhook/",
        {
            "id": order.latest_mollie_payment_id,
            "status": "paid",
            "amount": "25.00",
        },
    )

    assert response.status_code == 200
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT  # Mollie still says open


def test_mollie_down_on_fetch_answers_503_so_mollie_retries(shopper):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    shopper.sandbox.faults(api_error_rate=1.0, seed=3)

    assert shopper.webhook(payment_id).status_code == 503
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT

    shopper.sandbox.clear_faults()
    assert shopper.webhook(payment_id).status_code == 200
    assert shopper.last_order().status == OrderStatus.PAID


def test_amount_mismatch_never_marks_the_order_paid(shopper):
    mollie_reports_one_cent_paid(shopper)

    order = shopper.last_order()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.needs_attention and "order total" in order.attention_reason
    assert PaymentAttempt.get(order.order_id, 1).amount_mismatch
    assert len(events(order.order_id, "amount_mismatch")) == 1


def test_second_paid_attempt_is_flagged_as_double_payment(shopper):
    shopper.buy()
    # Two tabs: the shopper pays the new attempt, then Mollie also reports the first as paid
    # (sandbox control moves it, as a late bank confirmation would).
    first = shopper.pay_again_after_a_canceled_payment()
    reopen_first_attempt_as_paid_at_mollie(first.order_id)

    order = shopper.last_order()
    flagged = PaymentAttempt.get(order.order_id, 1)
    assert order.status == OrderStatus.PAID and order.paid_attempt_no == 2
    assert flagged.status == AttemptStatus.PAID and flagged.needs_refund
    assert order.needs_attention and "Double payment" in order.attention_reason


def test_concurrent_webhooks_for_two_paid_attempts_mark_one_paid_and_flag_the_other(shopper):
    shopper.buy()
    order = shopper.last_order()
    shopper.webhook(shopper.pay_at_mollie("failed"))
    shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")
    order = shopper.last_order()
    first = PaymentAttempt.get(order.order_id, 1)
    first.update(actions=[PaymentAttempt.status.set("open")])
    paid = [
        mollie_answers(payment_id, status="paid")
        for payment_id in (first.mollie_payment_id, order.latest_mollie_payment_id)
    ]

    run_concurrently(*(functools.partial(services.apply_mollie_payment, payment=p, source="webhook") for p in paid))

    attempts = list(PaymentAttempt.query(order.order_id))
    order = shopper.last_order()
    assert order.status == OrderStatus.PAID
    assert [a.needs_refund for a in attempts].count(True) == 1
    assert next(a for a in attempts if not a.needs_refund).attempt_no == order.paid_attempt_no


def test_timeline_lists_the_webhook_before_the_changes_it_caused(shopper):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("paid"))

    kinds = [event.kind for event in events(shopper.last_order().order_id)]

    assert kinds == [
        "order_placed",
        "attempt_status_changed",  # created -> open at checkout
        "webhook_received",
        "attempt_status_changed",
        "order_status_changed",
    ]


def test_mollie_refusing_our_key_answers_503_so_the_webhook_is_kept(shopper, settings):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    settings.MOLLIE_API_KEY = "test_short"  # revoked or mistyped

    assert shopper.webhook(payment_id).status_code == 503
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT


def test_a_held_back_payment_tells_the_shopper_not_to_pay_again(shopper):
    order = mollie_reports_one_cent_paid(shopper)

    page = shopper.order_page().content.decode()

    assert "We received a payment and are checking it." in page and "Pay again" not in page
    response = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")
    assert response.status_code == 302 and shopper.last_order().attempt_count == 1


def test_handling_a_double_payment_keeps_other_reasons_for_attention(shopper):
    shopper.buy()
    order = shopper.last_order()
    order.update(
        actions=[Order.needs_attention.set(True), Order.attention_reasons.set(["Paid after the order was expired"])]
    )
    shopper.pay_again_after_a_canceled_payment()
    reopen_first_attempt_as_paid_at_mollie(order.order_id)
    assert len(shopper.last_order().attention_reasons) == 2

    services.mark_double_payment_handled(order_id=order.order_id, attempt_no=1, actor="sam")

    order = shopper.last_order()
    assert order.needs_attention and order.attention_reasons == ["Paid after the order was expired"]
