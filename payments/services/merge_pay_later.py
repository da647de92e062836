"""The merge rules of pay later (docs/pay-later.md), beside payments/services/merge.py: an
authorized payment makes its order a sale not yet paid; its end without a capture closes it.
Pure, like the other rules."""

from notifications.models import AlertReason
from payments.enums import AttemptStatus, EventKind, OrderStatus
from payments.services.changes import needs_attention, new_event
from shop.money import format_money


def merge_captured(order, attempt, payment):
    """Pay later: what Mollie captured so far, and the capture deadline while authorized."""
    if payment.amount_captured_cents != int(attempt.amount_captured_cents or 0):
        attempt.amount_captured_cents = payment.amount_captured_cents
    if payment.capture_before and attempt.capture_before != payment.capture_before:
        attempt.capture_before = payment.capture_before
        if order.paid_attempt_no == attempt.attempt_no:
            order.capture_before = payment.capture_before
    if payment.authorized_at and attempt.authorized_at != payment.authorized_at:
        attempt.authorized_at = payment.authorized_at


def order_authorized(order, attempt, payment, source, now, alerts):
    """Pay later: the shopper's payment is authorized. The order is a sale, not yet paid: its stock
    is kept, it is to ship, and each shipment captures its part (payments/services/capturing.py).
    Only an order waiting for payment becomes authorized; anything else is flagged for staff."""
    if (payment.amount_cents, payment.currency) != (order.total_cents, order.currency) or not order.is_open_for_payment:
        text = (
            f"Attempt {attempt.attempt_no} authorized {format_money(payment.amount_cents, payment.currency)} "
            f"while the order is {order.status} ({format_money(order.total_cents, order.currency)}); "
            "release the authorization in Mollie's dashboard unless this order is to ship"
        )
        alerts.update(needs_attention(order, text, reason=AlertReason.AMOUNT_MISMATCH))
        return [new_event(order, EventKind.AMOUNT_MISMATCH, source, now, attempt=attempt, message=text)]
    previous = order.status
    order.status = OrderStatus.AUTHORIZED
    order.paid_attempt_no = attempt.attempt_no
    order.capture_before = payment.capture_before
    return [
        new_event(
            order,
            EventKind.ORDER_STATUS_CHANGED,
            source,
            now,
            attempt=attempt,
            from_status=previous,
            to_status=OrderStatus.AUTHORIZED,
        )
    ]


def authorization_ended(order, attempt, new_status, source, now, alerts):
    """Pay later: the authorization ended with nothing captured. Released (`canceled`: staff canceled
    the order) or lapsed (`expired`: not captured by captureBefore, the sale is lost, flagged). The
    order closes; the caller gives its stock back (stock.give_back: exactly once)."""
    closed = OrderStatus.CANCELED if new_status == AttemptStatus.CANCELED else OrderStatus.EXPIRED
    if new_status != AttemptStatus.CANCELED:
        text = lapsed_reason(attempt.attempt_no)
        alerts.update(needs_attention(order, text, reason=AlertReason.AUTHORIZATION_LAPSED))
    previous = order.status
    order.status, order.closed_at, order.capture_before = closed, now, None
    return [
        new_event(
            order, EventKind.ORDER_STATUS_CHANGED, source, now, attempt=attempt, from_status=previous, to_status=closed
        )
    ]


def lapsed_reason(attempt_no):
    return (
        f"The authorization of attempt {attempt_no} lapsed before it was captured: the order is closed "
        "and its stock returned; do not ship it (ask the customer to order again)"
    )
