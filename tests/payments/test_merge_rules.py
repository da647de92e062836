"""The merge rules on their own: items and Mollie's answers built in memory, no DynamoDB, no Mollie.

Each test is one answer from Mollie and what it may (and may not) change.
"""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from payments.models import AttemptStatus, Order, OrderLine, OrderStatus, PaymentAttempt
from payments.mollie import MollieChargeback, MolliePayment
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


def an_attempt(attempt_no=1, *, status=AttemptStatus.OPEN, refunded=0, method="ideal"):
    return PaymentAttempt(
        "SO-AAAAA-BBBBB",
        attempt_no,
        status=status,
        idempotency_key=f"key-{attempt_no}",
        mollie_payment_id=f"tr_{attempt_no}",
        amount_cents=2500,
        currency="EUR",
        amount_refunded_cents=refunded,
        method=method,  # as an earlier answer of Mollie's stored it
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


# --- Methods, details, a bank transfer's window (issue 19) ---------------------------------------

IN_12_DAYS = NOW + timedelta(days=12)
TRANSFER = {
    "bankName": "Stichting Mollie Payments",
    "bankAccount": "NL53INGB0654422370",
    "bankBic": "INGBNL2A",
    "transferReference": "RF45-1234-5678-9012",
}


def a_bank_transfer(status="open", **changes):
    payment = dataclasses.replace(
        mollie_says(status), method="banktransfer", details=TRANSFER, expires_at=IN_12_DAYS, is_cancelable=True
    )
    return dataclasses.replace(payment, **changes)


def test_the_method_chosen_on_mollies_page_and_its_details_are_stored():
    card = dataclasses.replace(
        mollie_says("paid"),
        method="creditcard",
        details={"cardHolder": "A. Lovelace", "cardNumber": "4242", "cardLabel": "Visa", "cardCountryCode": "NL"},
    )

    result = merge(an_order(), an_attempt(method=None), card)

    assert result.attempt.method == "creditcard" and result.order.latest_method == "creditcard"
    assert result.attempt.method_details.cardNumber == "4242"
    assert result.attempt.method_details.cardLabel == "Visa"


def test_a_stale_answer_does_not_change_the_method():
    stale = dataclasses.replace(mollie_says("open"), method="paypal", details={"consumerName": "Someone"})

    result = merge(an_order(), an_attempt(status=AttemptStatus.PAID), stale)

    assert result.attempt.method == "ideal" and result.attempt.method_details is None
    assert result.changed == []


def test_a_bank_transfer_keeps_the_order_waiting_until_its_own_expiry():
    order = an_order()

    result = merge(order, an_attempt(method=None), a_bank_transfer())

    assert result.order.expires_at == IN_12_DAYS  # not the 30 minutes the order started with
    assert result.attempt.mollie_expires_at == IN_12_DAYS
    assert result.attempt.method_details.transferReference == "RF45-1234-5678-9012"
    assert result.attempt.status == AttemptStatus.OPEN and result.events == []  # no status change


def test_an_earlier_expiry_never_shortens_the_orders_window():
    soon = EARLIER + timedelta(minutes=10)

    result = merge(an_order(), an_attempt(), a_bank_transfer(expires_at=soon))

    assert result.order.expires_at == EARLIER + timedelta(minutes=30)


def test_an_older_attempt_or_a_closed_order_keeps_its_window():
    older = merge(an_order(attempt_count=2), an_attempt(1), a_bank_transfer())
    closed = merge(an_order(status=OrderStatus.EXPIRED), an_attempt(), a_bank_transfer())

    assert older.order.expires_at == EARLIER + timedelta(minutes=30)
    assert closed.order.expires_at == EARLIER + timedelta(minutes=30)


# --- Chargebacks ---------------------------------------------------------------------------------


def a_chargeback(chargeback_id="chb_1", *, amount_cents=2500, reversed_at=None, payment_id="tr_1"):
    return MollieChargeback(
        id=chargeback_id,
        payment_id=payment_id,
        amount_cents=amount_cents,
        currency="EUR",
        reason_code="MD06",
        reason="Refund request by end customer",
        created_at=NOW - timedelta(minutes=1),
        reversed_at=reversed_at,
    )


def paid_with_chargebacks(*chargebacks):
    return dataclasses.replace(
        mollie_says("paid"),
        has_chargebacks=True,
        amount_charged_back_cents=sum(c.amount_cents for c in chargebacks if c.reversed_at is None),
        chargebacks=chargebacks,
    )


def a_paid_order_and_its_attempt():
    return an_order(status=OrderStatus.PAID, paid_attempt_no=1), an_attempt(status=AttemptStatus.PAID)


def test_a_chargeback_is_recorded_and_flags_the_order_for_staff():
    order, attempt = a_paid_order_and_its_attempt()

    result = merge(order, attempt, paid_with_chargebacks(a_chargeback(amount_cents=1000)))

    assert kinds(result) == ["chargeback"]
    [record] = result.attempt.chargebacks
    assert (record.chargeback_id, record.amount_cents, record.reason_code) == ("chb_1", 1000, "MD06")
    assert record.reversed_at is None and record.recorded_at == NOW
    assert result.order.needs_attention and "Charged back: €10.00" in result.order.attention_reason
    assert result.order.amount_charged_back_cents == 1000
    assert result.order.status == OrderStatus.PAID  # the order stays paid; its stock stays out
    assert result.order.stock_released is False


def test_the_same_chargeback_reported_again_changes_nothing():
    order, attempt = a_paid_order_and_its_attempt()
    first = merge(order, attempt, paid_with_chargebacks(a_chargeback()))

    again = merge(first.order, first.attempt, paid_with_chargebacks(a_chargeback()))

    assert again.events == [] and again.changed == []


def test_a_reversed_chargeback_takes_its_flag_off_but_keeps_the_record():
    order, attempt = a_paid_order_and_its_attempt()
    charged = merge(order, attempt, paid_with_chargebacks(a_chargeback()))

    reversed_ = merge(charged.order, charged.attempt, paid_with_chargebacks(a_chargeback(reversed_at=NOW)))

    assert kinds(reversed_) == ["chargeback_reversed"]
    assert reversed_.attempt.chargebacks[0].reversed_at == NOW
    assert reversed_.order.amount_charged_back_cents == 0
    assert not reversed_.order.needs_attention and reversed_.order.attention_reasons == []


def test_a_chargeback_first_seen_reversed_is_on_the_timeline_without_a_flag():
    order, attempt = a_paid_order_and_its_attempt()

    result = merge(order, attempt, paid_with_chargebacks(a_chargeback(reversed_at=NOW)))

    assert kinds(result) == ["chargeback", "chargeback_reversed"]
    assert not result.order.needs_attention and result.order.amount_charged_back_cents == 0


def test_two_chargebacks_add_up_and_one_of_another_payment_is_ignored():
    order, attempt = a_paid_order_and_its_attempt()

    result = merge(
        order,
        attempt,
        paid_with_chargebacks(
            a_chargeback("chb_1", amount_cents=500),
            a_chargeback("chb_2", amount_cents=700),
            a_chargeback("chb_x", payment_id="tr_other"),
        ),
    )

    assert [r.chargeback_id for r in result.attempt.chargebacks] == ["chb_1", "chb_2"]
    assert result.order.amount_charged_back_cents == 1200
    assert len(result.order.attention_reasons) == 2


def test_an_answer_without_its_chargeback_list_leaves_the_records_alone():
    order, attempt = a_paid_order_and_its_attempt()
    charged = merge(order, attempt, paid_with_chargebacks(a_chargeback()))

    result = merge(charged.order, charged.attempt, dataclasses.replace(mollie_says("paid"), chargebacks=None))

    assert result.changed == [] and len(result.attempt.chargebacks) == 1


def test_the_same_details_twice_change_nothing():
    card = dataclasses.replace(
        mollie_says("paid"), method="creditcard", details={"cardNumber": "4242", "cardLabel": "Visa"}
    )
    first = merge(an_order(), an_attempt(method=None), card)

    again = merge(first.order, first.attempt, card)

    assert again.events == [] and again.changed == []
