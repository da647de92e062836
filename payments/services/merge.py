"""The merge rules: how a payment fetched from Mollie changes an attempt and its order. Pure (no
DynamoDB, no Mollie), so the rules are unit-tested on their own (tests/payments/test_merge_rules.py).

Statuses only move forward (AttemptStatus.RANK); a paid attempt marks its order paid only when
amount and currency match; a second paid attempt is a double payment to refund; a `paid` after a
final status is applied and flagged; refund totals follow Mollie's, down as well as up; method,
details and expiresAt follow any answer that is not stale (a bank transfer extends the order's
payment window to its own expiresAt); each chargeback is recorded once and flags the order.
"""

import dataclasses
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from notifications.models import AlertReason
from payments.enums import AttemptStatus, EventKind, OrderStatus
from payments.models import ChargebackRecord, MethodDetails, Order, PaymentAttempt
from payments.services.changes import (
    attention_handled,
    copy_latest,
    needs_attention,
    new_event,
    status_event,
)
from payments.services.merge_pay_later import authorization_ended, merge_captured, order_authorized
from shop.money import format_money

if TYPE_CHECKING:  # the adapter's type only: the rules never call Mollie
    from payments.mollie import MolliePayment

log = logging.getLogger("payments.services")


@dataclasses.dataclass(frozen=True)
class PaymentMerge:
    """What Mollie's payment changes: the order and attempt as they are to be saved (copies),
    which of them changed, and the events that say why."""

    order: Order
    attempt: PaymentAttempt
    order_changed: bool
    attempt_changed: bool
    events: list
    # {AlertReason: text}: the reasons the order was flagged with for the first time (alert mails).
    alerts: dict

    @property
    def changed(self) -> list:
        return [
            item
            for item, changed in ((self.order, self.order_changed), (self.attempt, self.attempt_changed))
            if changed
        ]


def merge_payment(
    order: Order, attempt: PaymentAttempt, payment: "MolliePayment", *, source: str, now: datetime
) -> PaymentMerge:
    """Brings copies of `attempt` and `order` in line with Mollie's payment. No I/O: the caller
    stores the result (the items given are left as they were)."""
    order_before, attempt_before = order.serialize(null_check=False), attempt.serialize(null_check=False)
    order, attempt = _copy(order), _copy(attempt)
    alerts: dict[AlertReason, str] = {}
    events = _merge_attempt(order, attempt, payment, source, now, alerts)
    attempt_changed = attempt.serialize(null_check=False) != attempt_before
    if attempt_changed:
        if attempt.attempt_no == order.attempt_count:
            copy_latest(order, attempt, now)
        attempt.updated_at = now
        attempt.last_synced_at = now
    return PaymentMerge(
        order=order,
        attempt=attempt,
        order_changed=order.serialize(null_check=False) != order_before,
        attempt_changed=attempt_changed,
        events=events,
        alerts=alerts,
    )


def _copy(item):
    return type(item).from_raw_data(item.serialize(null_check=False))


def _merge_attempt(order, attempt, payment, source, now, alerts):
    """The status rules, applied to the copies; returns the events to record and adds the staff
    alerts they raise to `alerts`."""
    events = []
    if attempt.mollie_payment_id is None:
        attempt.mollie_payment_id = payment.id
    if payment.checkout_url and attempt.checkout_url != payment.checkout_url:
        attempt.checkout_url = payment.checkout_url
    if AttemptStatus.rank(payment.status) >= AttemptStatus.rank(attempt.status):
        # Only from an answer at least as new as what we have (a stale one must not undo it).
        _merge_cancelable(attempt, payment)
        _merge_method(order, attempt, payment, now)
    new_status = payment.status
    # Mollie says a final status never changes, yet here it reports the money as received. Money
    # may have arrived, so this is never ignored (see _paid_after_final_status).
    paid_after_final = new_status == AttemptStatus.PAID and attempt.status in AttemptStatus.FINAL_UNPAID
    if new_status not in AttemptStatus.MOLLIE:
        log.warning("unknown Mollie status ignored", extra={"mollie_payment_id": payment.id, "status": new_status})
    elif (
        AttemptStatus.rank(new_status) > AttemptStatus.rank(attempt.status)
        or paid_after_final
        or (attempt.status in (AttemptStatus.CREATED, AttemptStatus.ABANDONED) and new_status != attempt.status)
    ):
        if paid_after_final:
            events.append(_paid_after_final_status(order, attempt, source, now, alerts))
        events.append(status_event(order, attempt, new_status, source, now))
        attempt.status = new_status
        attempt.mollie_amount_cents = payment.amount_cents
        attempt.mollie_currency = payment.currency
        if new_status == AttemptStatus.PAID:
            events += _order_paid(order, attempt, payment, source, now, alerts)
        elif new_status == AttemptStatus.AUTHORIZED:
            events += order_authorized(order, attempt, payment, source, now, alerts)
        elif order.status == OrderStatus.AUTHORIZED and order.paid_attempt_no == attempt.attempt_no:
            events += authorization_ended(order, attempt, new_status, source, now, alerts)
    elif new_status != attempt.status:
        # Out of order or contradictory: Mollie's statuses only move forward.
        log.info(
            "stale Mollie status ignored",
            extra={"mollie_payment_id": payment.id, "status": new_status, "stored": attempt.status},
        )
    merge_captured(order, attempt, payment)
    if payment.amount_refunded_cents != attempt.amount_refunded_cents:
        # Down as well as up: a refund that failed or was canceled gives the amount back.
        attempt.amount_refunded_cents = payment.amount_refunded_cents
        events.append(
            new_event(
                order,
                EventKind.REFUND_AMOUNT_CHANGED,
                source,
                now,
                attempt=attempt,
                message=f"Refunded so far: {format_money(payment.amount_refunded_cents, payment.currency, language='en')}",
            )
        )
        if order.paid_attempt_no == attempt.attempt_no:
            events += _order_refunded(order, attempt.amount_refunded_cents, source, now)
    if payment.chargebacks is not None:
        events += _merge_chargebacks(order, attempt, payment, source, now, alerts)
    return events


def _merge_cancelable(attempt, payment):
    """Whether Mollie can still cancel the payment, and what of it is left to pay."""
    if attempt.is_cancelable != payment.is_cancelable:
        attempt.is_cancelable = payment.is_cancelable
    if (
        payment.amount_remaining_cents is not None
        and attempt.mollie_amount_remaining_cents != payment.amount_remaining_cents
    ):
        attempt.mollie_amount_remaining_cents = payment.amount_remaining_cents


def _merge_method(order, attempt, payment, now):
    """The method (chosen at our checkout or on Mollie's page), its details and expiresAt."""
    if payment.method and attempt.method != payment.method:
        attempt.method = payment.method
    stored = attempt.method_details.attribute_values if attempt.method_details is not None else {}
    if payment.details and stored != payment.details:
        attempt.method_details = MethodDetails(**payment.details)
    if payment.expires_at and attempt.mollie_expires_at != payment.expires_at:
        attempt.mollie_expires_at = payment.expires_at
    if (
        payment.status == AttemptStatus.OPEN
        and payment.expires_at
        and order.is_open_for_payment
        and attempt.attempt_no == order.attempt_count
        and payment.expires_at > order.expires_at
        and order.expires_at > now
    ):
        # A bank transfer is open for days (Mollie: 12, or its dueDate): the order, and the stock it
        # holds, waits as long as the payment can still be paid. Never shortened, and never reopened
        # once reconciliation ended the window (its last payment's end then closes it, see sync).
        order.expires_at = payment.expires_at


def _merge_chargebacks(order, attempt, payment, source, now, alerts):
    """Mollie's chargebacks of this payment (read with it): each new one is recorded and flags the
    order for staff; a reversal (the money came back) is recorded and takes its flag off. Stock is
    never given back here: the goods may have been shipped, staff decide."""
    events = []
    records = {record.chargeback_id: record for record in attempt.chargebacks or []}
    before = attempt.charged_back_cents
    for chargeback in payment.chargebacks:
        if chargeback.payment_id != payment.id:
            continue
        record = records.get(chargeback.id)
        text = chargeback_reason(attempt.attempt_no, chargeback)
        if record is None:
            record = ChargebackRecord(
                chargeback_id=chargeback.id,
                amount_cents=chargeback.amount_cents,
                currency=chargeback.currency,
                reason_code=chargeback.reason_code,
                reason=chargeback.reason,
                created_at=chargeback.created_at,
                reversed_at=chargeback.reversed_at,
                recorded_at=now,
            )
            attempt.chargebacks = [*(attempt.chargebacks or []), record]
            if chargeback.reversed_at is None:
                alerts.update(needs_attention(order, text, reason=AlertReason.CHARGEBACK))
            events.append(new_event(order, EventKind.CHARGEBACK, source, now, attempt=attempt, message=text))
        elif chargeback.reversed_at is None or record.reversed_at is not None:
            continue
        else:
            record.reversed_at = chargeback.reversed_at
            attention_handled(order, text)
        if chargeback.reversed_at is not None:
            events.append(
                new_event(
                    order,
                    EventKind.CHARGEBACK_REVERSED,
                    source,
                    now,
                    attempt=attempt,
                    message=f"{chargeback.id}: {format_money(chargeback.amount_cents, chargeback.currency, language='en')} came back",
                )
            )
    order.amount_charged_back_cents = max(
        0, int(order.amount_charged_back_cents or 0) + attempt.charged_back_cents - before
    )
    return events


def chargeback_reason(attempt_no, chargeback):
    return _chargeback_text(attempt_no, chargeback.id, chargeback.amount_cents, chargeback.currency, chargeback)


def recorded_chargeback_reason(attempt_no, record):
    """The attention text a recorded chargeback flagged its order with (staff take it off)."""
    return _chargeback_text(attempt_no, record.chargeback_id, int(record.amount_cents), record.currency, record)


def _chargeback_text(attempt_no, chargeback_id, amount_cents, currency, reason):
    why = f" ({reason.reason_code}: {reason.reason})" if reason.reason_code else ""
    return (
        f"Charged back: {format_money(amount_cents, currency)} of attempt {attempt_no} "
        f"({chargeback_id}){why}; the money went back to the shopper's bank, the stock was not returned"
    )


def _paid_after_final_status(order, attempt, source, now, alerts):
    """Mollie reports `paid` for an attempt it earlier reported expired, canceled or failed.

    Decision: Mollie's `paid` wins and the order becomes paid like any paid attempt (unless it was
    paid already: then it is a double payment to refund, or the amount differs). The shopper's
    money was taken, and an order marked paid is where staff look for money to ship or refund;
    leaving it unpaid would hide money we hold. It is always flagged, because its stock may be back
    on the shelf (the order may have expired) and the payment contradicts Mollie's own rule that
    final statuses never change: staff check stock and the payment in Mollie's dashboard before
    shipping, or refund it with one click.
    """
    text = (
        f"Mollie reported attempt {attempt.attempt_no} paid after it was {attempt.status}; "
        "check the stock and the payment before shipping, or refund it"
    )
    alerts.update(needs_attention(order, text, reason=AlertReason.PAID_AFTER_FINAL_STATUS))
    return new_event(
        order,
        EventKind.PAID_AFTER_FINAL_STATUS,
        source,
        now,
        attempt=attempt,
        from_status=attempt.status,
        to_status=AttemptStatus.PAID,
        message=text,
    )


def _order_paid(order, attempt, payment, source, now, alerts):
    if (payment.amount_cents, payment.currency) != (order.total_cents, order.currency):
        attempt.amount_mismatch = True
        text = (
            f"Attempt {attempt.attempt_no} paid {format_money(payment.amount_cents, payment.currency)}, "
            f"order total is {format_money(order.total_cents, order.currency)}"
        )
        alerts.update(needs_attention(order, text, reason=AlertReason.AMOUNT_MISMATCH))
        return [new_event(order, EventKind.AMOUNT_MISMATCH, source, now, attempt=attempt, message=text)]
    if order.is_sold and order.paid_attempt_no != attempt.attempt_no:
        attempt.needs_refund = True
        text = double_payment_reason(attempt.attempt_no, order.paid_attempt_no)
        alerts.update(needs_attention(order, text, reason=AlertReason.DOUBLE_PAYMENT))
        return [new_event(order, EventKind.DOUBLE_PAYMENT, source, now, attempt=attempt, message=text)]
    if order.is_paid:
        return []
    previous = order.status  # an authorized order becomes paid once Mollie captured all of it
    lapsed = not order.rest_released_at  # else staff released the rest ("Release the rest"): no alert
    if previous == OrderStatus.AUTHORIZED and payment.amount_captured_cents < payment.amount_cents and lapsed:
        # Lapsed after a partial capture: Mollie says paid, for what was captured only.
        text = (
            f"Attempt {attempt.attempt_no} ended with {format_money(payment.amount_captured_cents, payment.currency)} "
            f"of {format_money(payment.amount_cents, payment.currency)} captured; the rest will not be paid: "
            "do not ship what is left, or ask the customer to pay for it"
        )
        alerts.update(needs_attention(order, text, reason=AlertReason.AUTHORIZATION_LAPSED))
    if previous in OrderStatus.CLOSED_UNPAID:
        alerts.update(
            needs_attention(
                order, paid_after_closed_reason(order, previous), reason=AlertReason.PAID_AFTER_FINAL_STATUS
            )
        )
    order.status = OrderStatus.PAID
    order.paid_at = now
    order.paid_attempt_no = attempt.attempt_no
    order.closed_at = None
    return [
        new_event(
            order,
            EventKind.ORDER_STATUS_CHANGED,
            source,
            now,
            attempt=attempt,
            from_status=previous,
            to_status=OrderStatus.PAID,
        )
    ]


def paid_after_closed_reason(order, previous):
    """What staff read when a closed order is paid after all, and what to do about it."""
    if order.replaced_by:
        # The shopper went on with a changed cart (a payment of this order was still open at Mollie).
        return (
            f"Paid after the shopper replaced this order by {order.replaced_by}; its stock had been given "
            "back. Refund this payment, unless the shopper wants both orders and the stock allows it"
        )
    return f"Paid after the order was {previous}; its stock had been given back"


def _order_refunded(order, refunded_cents, source, now):
    order.amount_refunded_cents = refunded_cents
    if refunded_cents <= 0:
        new_status = OrderStatus.PAID
    elif refunded_cents >= order.total_cents:
        new_status = OrderStatus.REFUNDED
    else:
        new_status = OrderStatus.PARTIALLY_REFUNDED
    if new_status == order.status:
        return []
    previous, order.status = order.status, new_status
    return [new_event(order, EventKind.ORDER_STATUS_CHANGED, source, now, from_status=previous, to_status=new_status)]


def double_payment_reason(attempt_no, paid_attempt_no):
    return f"Double payment: attempt {attempt_no} paid after attempt {paid_attempt_no}; refund it"
