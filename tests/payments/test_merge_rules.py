"""The merge rules on their own: items and Mollie's answers built in memory, no DynamoDB, no Mollie.

Each test is one answer from Mollie and what it may (and may not) change.
"""

from datetime import UTC, datetime, timedelta

import pytest

from payments.models import AttemptStatus, Order, OrderLine, OrderStatus, PaymentAttempt
from payments.mollie import MolliePayment
from payments.services.merge import merge_payment

pytestmark = pytest.mark.pure

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(minutes=5)


def an_order(*, status=OrderStatus.PENDING_PAYMENT, attempt_count=1, paid_attempt_no=None, refunded=0):
    return Order(
        "SO-AAAAA-BBBBB",
        public_token="token",
        customer_name="Ada",
        customer_email="ada@example.com",
        lines=[
            OrderLine(slug="linen-apron", name="Linen apron", unit_price_cents=2500, quantity=1, reserves_stock=True)
        ],
        total_cents=2500,
        currency="EUR",
        created_at=EARLIER,
        updated_at=EARLIER,
        expires_at=EARLIER + timedelta(minutes=30),
        status=status,
        attempt_count=attempt_count,
        paid_attempt_no=paid_attempt_no,
        amount_refunded_cents=refunded,
        version=3,
    )


def an_attempt(attempt_no=1, *, status=AttemptStatus.OPEN, refunded=0):
    return PaymentAttempt(
        "SO-AAAAA-BBBBB",
        attempt_no,
        status=status,
        idempotency_key=f"key-{attempt_no}",
        mollie_payment_id=f"tr_{attempt_no}",
        amount_cents=2500,
        currency="EUR",
        amount_refunded_cents=refunded,
        created_at=EARLIER,
        updated_at=EARLIER,
        version=2,
    )


def mollie_says(status, attempt_no=1, *, amount_cents=2500, currency="EUR", refunded=0):
    return MolliePayment(
        id=f"tr_{attempt_no}",
        status=status,
        amount_cents=amount_cents,
        currency=currency,
        amount_refunded_cents=refunded,
        amount_remaining_cents=None,
        checkout_url=None,
        is_cancelable=False,
        method="ideal",
    )


def merge(order, attempt, payment):
    return merge_payment(order, attempt, payment, source="webhook", now=NOW)


def kinds(merge_result):
    return [event.kind for event in merge_result.events]


def test_paid_marks_the_order_paid_and_leaves_the_items_given_as_they_were():
    order, attempt = an_order(), an_attempt()

    result = merge(order, attempt, mollie_says("paid"))

    assert kinds(result) == ["attempt_status_changed", "order_status_changed"]
    assert result.attempt.status == AttemptStatus.PAID and result.order.status == OrderStatus.PAID
    assert result.order.paid_attempt_no == 1 and result.order.latest_attempt_status == AttemptStatus.PAID
    assert result.changed == [result.order, result.attempt]
    assert result.attempt.last_synced_at == NOW
    assert (order.status, attempt.status) == (OrderStatus.PENDING_PAYMENT, AttemptStatus.OPEN)
    assert result.order.version == 3  # the copies keep the version they are conditioned on


def test_statuses_only_move_forward():
    result = merge(an_order(), an_attempt(status=AttemptStatus.PENDING), mollie_says("open"))

    assert result.events == [] and result.changed == []
    assert result.attempt.status == AttemptStatus.PENDING


def test_the_same_answer_twice_changes_nothing():
    result = merge(
        an_order(status=OrderStatus.PAID, paid_attempt_no=1), an_attempt(status=AttemptStatus.PAID), mollie_says("paid")
    )

    assert result.events == [] and result.changed == []


def test_a_payment_that_did_not_reach_mollie_in_time_takes_mollies_answer():
    result = merge(an_order(), an_attempt(status=AttemptStatus.ABANDONED), mollie_says("open"))

    assert kinds(result) == ["attempt_status_changed"]
    assert result.attempt.status == AttemptStatus.OPEN


def test_a_wrong_amount_never_marks_the_order_paid():
    result = merge(an_order(), an_attempt(), mollie_says("paid", amount_cents=100))

    assert kinds(result) == ["attempt_status_changed", "amount_mismatch"]
    assert result.order.status == OrderStatus.PENDING_PAYMENT
    assert result.attempt.amount_mismatch and result.order.needs_attention


def test_a_wrong_currency_never_marks_the_order_paid():
    result = merge(an_order(), an_attempt(), mollie_says("paid", currency="USD"))

    assert "amount_mismatch" in kinds(result) and result.order.status == OrderStatus.PENDING_PAYMENT


def test_a_second_paid_attempt_is_a_double_payment_to_refund():
    order = an_order(status=OrderStatus.PAID, attempt_count=2, paid_attempt_no=1)

    result = merge(order, an_attempt(2), mollie_says("paid", 2))

    assert kinds(result) == ["attempt_status_changed", "double_payment"]
    assert result.attempt.needs_refund
    assert result.order.status == OrderStatus.PAID and result.order.paid_attempt_no == 1
    assert result.order.attention_reasons == ["Double payment: attempt 2 paid after attempt 1; refund it"]


def test_paid_after_a_final_status_pays_the_order_and_is_flagged():
    order = an_order(status=OrderStatus.EXPIRED)

    result = merge(order, an_attempt(status=AttemptStatus.EXPIRED), mollie_says("paid"))

    assert kinds(result) == ["paid_after_final_status", "attempt_status_changed", "order_status_changed"]
    assert result.order.status == OrderStatus.PAID and result.order.needs_attention
    assert len(result.order.attention_reasons) == 2  # paid after `expired`, and its stock was given back


def test_refund_totals_follow_mollie_up_and_down():
    paid = an_order(status=OrderStatus.PAID, paid_attempt_no=1)
    partly = merge(paid, an_attempt(status=AttemptStatus.PAID), mollie_says("paid", refunded=1000))
    assert kinds(partly) == ["refund_amount_changed", "order_status_changed"]
    assert partly.order.status == OrderStatus.PARTIALLY_REFUNDED and partly.order.amount_refunded_cents == 1000

    fully = merge(partly.order, partly.attempt, mollie_says("paid", refunded=2500))
    assert fully.order.status == OrderStatus.REFUNDED

    # A refund that failed or was canceled gives the amount back.
    back = merge(fully.order, fully.attempt, mollie_says("paid", refunded=0))
    assert back.order.status == OrderStatus.PAID and back.attempt.amount_refunded_cents == 0


def test_an_unknown_status_is_ignored():
    result = merge(an_order(), an_attempt(), mollie_says("teleported"))

    assert result.events == [] and result.changed == []
