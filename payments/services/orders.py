"""Closing orders and attempts, and the staff actions on an order (refresh, cancel, a double
payment or a chargeback handled).
"""

from django.utils import timezone

from config.dynamodb import ConcurrentUpdateConflict, WriteLost, optimistic_retries, retries_exhausted
from notifications.models import AlertReason, MailKind, MailStatus, OutboxItem
from notifications.selectors import mails_of_order
from payments import mollie
from payments.enums import AttemptStatus, EventKind, EventSource, OrderStatus
from payments.errors import ActionRefused, ErrorCode
from payments.models import ChargebackRecord, Order, PaymentAttempt
from payments.selectors import attempts_of, get_attempt, get_order
from payments.services import stock
from payments.services.changes import attention_handled, copy_latest, needs_attention, new_event, status_event
from payments.services.mails import closed_mail, payment_got_under_way, resend_confirmation_mail, staff_alert_mails
from payments.services.merge import double_payment_reason, recorded_chargeback_reason
from payments.services.sync import apply_mollie_payment, sync_attempt
from payments.services.writes import commit, record_event


def expire_if_nothing_waits(order_id: str, source: str) -> Order | None:
    """Expires an order still open for payment whose attempts are all final (reads our table only);
    returns the order as it is now (still open when a payment is under way), None if it is gone."""
    order = get_order(order_id)
    if order is None or not order.is_open_for_payment:
        return order
    if any(
        a.status in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED) for a in attempts_of(order_id)
    ):
        return order
    return close_order(
        order_id=order_id,
        status=OrderStatus.EXPIRED,
        source=source,
        reason="No successful payment within the payment window",
    )


def close_order(
    *,
    order_id: str,
    status: str,
    source: str,
    actor: str = "",
    reason: str = "",
    tell_shopper: bool = True,
    replaced_by: str | None = None,
) -> Order | None:
    """Expires or cancels an unpaid order and gives its reserved stock back, exactly once.
    `tell_shopper=False` where the shopper closed it themselves (a changed cart replaced it).
    `replaced_by`: the shopper's new order replaces this one, even while a payment of it is open
    at Mollie (a late `paid` of it is flagged for a refund, see merge)."""
    assert status in OrderStatus.CLOSED_UNPAID
    for write_try in optimistic_retries(order_id):
        order = get_order(order_id)
        if order is None or not order.is_open_for_payment:
            return order
        if order.latest_attempt_status in AttemptStatus.WAITING and not replaced_by:
            # A payment was started meanwhile (e.g. "Pay again" during reconciliation): it may
            # still be paid, so the order stays open and keeps its stock.
            return order
        now = timezone.now()
        previous = order.status
        order.status, order.closed_at, order.updated_at = status, now, now
        order.replaced_by = replaced_by
        stock_returns = stock.give_back(order, now)
        events = [
            new_event(
                order,
                EventKind.ORDER_STATUS_CHANGED,
                source,
                now,
                actor=actor,
                from_status=previous,
                to_status=status,
                message=reason,
            )
        ]
        # Told only when a payment really got under way; an order left at the checkout page or on
        # Mollie's closes quietly.
        started_paying = tell_shopper and bool(order.attempt_count) and payment_got_under_way(attempts_of(order_id))
        mails = [closed_mail(order, canceled_by_staff=source == EventSource.STAFF)] if started_paying else []
        try:
            commit(saves=[order], events=events, updates=stock_returns, mails=mails)
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return order
    retries_exhausted(order_id)


def give_up_attempt(order_id, attempt_no, reason, *, only_if=None):
    """Marks an attempt `abandoned`: it cannot be paid as far as we can tell. Mollie's answer, if
    one ever comes, still wins over it (see AttemptStatus.RANK)."""
    for write_try in optimistic_retries(order_id):
        order, attempt = get_order(order_id), get_attempt(order_id, attempt_no)
        if attempt is None or attempt.status not in ({only_if} if only_if else AttemptStatus.WAITING):
            return False
        assert order is not None  # an attempt is only ever written together with its order
        now = timezone.now()
        events = [status_event(order, attempt, AttemptStatus.ABANDONED, EventSource.RECONCILE, now, message=reason)]
        attempt.status, attempt.updated_at = AttemptStatus.ABANDONED, now
        saves: list[Order | PaymentAttempt] = [attempt]
        if attempt.attempt_no == order.attempt_count:
            copy_latest(order, attempt, now)
            saves.append(order)
        try:
            commit(saves=saves, events=events)
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return True


def refresh_order(*, order_id: str, actor: str) -> Order | None:
    """Staff "refresh from Mollie": syncs every attempt that Mollie knows."""
    for attempt in attempts_of(order_id):
        if attempt.mollie_payment_id:
            sync_attempt(attempt=attempt, source=EventSource.STAFF, actor=actor)
    return get_order(order_id)


def cancel_attempt(*, order_id: str, attempt_no: int, actor: str) -> PaymentAttempt:
    attempt = get_attempt(order_id, attempt_no)
    if attempt is None or not attempt.mollie_payment_id:
        raise ActionRefused(ErrorCode.NEVER_REGISTERED, "This payment attempt was never registered at Mollie.")
    if attempt.status != AttemptStatus.OPEN:
        raise ActionRefused(
            ErrorCode.PAYMENT_NOT_OPEN, f"Only open payments can be canceled; this one is {attempt.status}."
        )
    try:
        payment = mollie.cancel_payment(
            attempt.mollie_payment_id, idempotency_key=f"cancel-{attempt.mollie_payment_id}"
        )
    except mollie.PaymentRejected as error:
        # Mollie ignores idempotency keys on DELETE: a repeated cancel (a retry after a lost
        # answer, a double click) gets 422. What Mollie holds now tells whether it worked.
        payment = mollie.get_payment(attempt.mollie_payment_id)
        if payment.status != AttemptStatus.CANCELED:
            apply_mollie_payment(payment=payment, source=EventSource.STAFF, actor=actor, record_call=True)
            raise ActionRefused(ErrorCode.MOLLIE_CANNOT_CANCEL, _cannot_cancel_reason(payment)) from error
    return apply_mollie_payment(payment=payment, source=EventSource.STAFF, actor=actor, record_call=True) or attempt


def _cannot_cancel_reason(payment):
    if payment.status == AttemptStatus.OPEN:
        # Only bank transfers and direct debits can be canceled while open (Mollie staff,
        # mollie/api-documentation#675); the rest expire by themselves.
        return (
            "Mollie cannot cancel this payment: only bank transfers can be canceled while open. "
            "It expires by itself if the customer does not pay."
        )
    return f"Mollie cannot cancel this payment: it is {payment.status}."


def cancel_order(*, order_id: str, actor: str) -> Order:
    """Cancels open attempts at Mollie, then the order itself (stock goes back). An authorized
    order (pay later) is canceled by releasing its authorization (release_authorized_order)."""
    order = get_order(order_id)
    if order is not None and order.status == OrderStatus.AUTHORIZED:
        return release_authorized_order(order, actor=actor)
    if order is None or not order.is_open_for_payment:
        raise ActionRefused(ErrorCode.ORDER_NOT_OPEN, "Only orders waiting for payment can be canceled.")
    attempts = attempts_of(order_id)
    if any(attempt.status == AttemptStatus.OPEN and not attempt.is_cancelable for attempt in attempts):
        raise ActionRefused(
            ErrorCode.MOLLIE_CANNOT_CANCEL,
            "This order has an open payment that Mollie cannot cancel (only bank transfers can be "
            "canceled while open). It expires by itself; the order closes then.",
        )
    for attempt in attempts:
        if attempt.status == AttemptStatus.OPEN:
            cancel_attempt(order_id=order_id, attempt_no=int(attempt.attempt_no), actor=actor)
        elif attempt.status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
            raise ActionRefused(
                ErrorCode.PAYMENT_IN_PROGRESS, "A payment of this order is being processed; it cannot be canceled now."
            )
    order = get_order(order_id)
    assert order is not None  # read above; orders are never deleted
    if order.is_sold:
        raise ActionRefused(ErrorCode.ALREADY_PAID, "This order was paid or authorized in the meantime.")
    order = close_order(
        order_id=order_id,
        status=OrderStatus.CANCELED,
        source=EventSource.STAFF,
        actor=actor,
        reason="Canceled by staff",
    )
    assert order is not None  # close_order returns None only for an order that does not exist
    if order.is_open_for_payment:
        raise ActionRefused(
            ErrorCode.PAYMENT_STARTING, "A payment for this order is just being started; try again in a minute."
        )
    return order


def release_authorized_order(order: Order, *, actor: str) -> Order:
    """Releases an authorized order's authorization at Mollie: nothing is captured, the shopper's
    money is no longer held. Mollie's answer (read now, or its webhook) closes the order and gives
    its stock back, exactly once (merge_pay_later.authorization_ended, sync.stock_returned)."""
    if any(int(line.shipped_quantity or 0) for line in order.lines):
        raise ActionRefused(
            ErrorCode.ORDER_NOT_OPEN,
            "Part of this order was shipped and captured: it cannot be canceled. If the rest will not "
            "ship, use Release the rest (it releases what is not captured and returns its stock); "
            "refund what the customer sends back.",
        )
    attempt = get_attempt(order.order_id, int(order.paid_attempt_no or 0))
    assert attempt is not None and attempt.mollie_payment_id  # an authorized order has its attempt
    mollie.release_authorization(attempt.mollie_payment_id, idempotency_key=f"{order.order_id}-release")
    record_event(
        order_id=order.order_id,
        kind=EventKind.AUTHORIZATION_RELEASED,
        source=EventSource.STAFF,
        actor=actor,
        attempt_no=int(attempt.attempt_no),
        mollie_payment_id=attempt.mollie_payment_id,
        message="Canceled by staff: the authorization was released, nothing is captured",
    )
    sync_attempt(attempt=attempt, source=EventSource.STAFF, actor=actor)
    return get_order(order.order_id) or order


def mark_double_payment_handled(*, order_id: str, attempt_no: int, actor: str, note: str = "") -> PaymentAttempt:
    for write_try in optimistic_retries(order_id):
        order, attempt = get_order(order_id), get_attempt(order_id, attempt_no)
        if attempt is None or not attempt.needs_refund:
            raise ActionRefused(
                ErrorCode.NOT_A_DOUBLE_PAYMENT, "This payment attempt is not flagged as a double payment."
            )
        if attempt.double_payment_handled:
            return attempt
        assert order is not None  # an attempt is only ever written together with its order
        now = timezone.now()
        attempt.double_payment_handled, attempt.updated_at = True, now
        handled_reason = double_payment_reason(attempt_no, order.paid_attempt_no)
        attention_handled(order, handled_reason)
        order.updated_at = now
        events = [
            new_event(
                order,
                EventKind.DOUBLE_PAYMENT_HANDLED,
                EventSource.STAFF,
                now,
                attempt=attempt,
                actor=actor,
                message=note,
            )
        ]
        try:
            commit(saves=[order, attempt], events=events)
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return attempt
    retries_exhausted(order_id)


def mark_chargeback_handled(
    *, order_id: str, attempt_no: int, chargeback_id: str, actor: str, note: str = ""
) -> ChargebackRecord:
    """Staff dealt with a chargeback (contacted the shopper, shipped nothing): its matter comes off
    "Needs attention" and the timeline says who. A later chargeback flags the order again."""
    for write_try in optimistic_retries(order_id):
        order, attempt = get_order(order_id), get_attempt(order_id, attempt_no)
        records = (attempt.chargebacks or []) if attempt is not None else []
        record = next((record for record in records if record.chargeback_id == chargeback_id), None)
        if attempt is None or record is None:
            raise ActionRefused(ErrorCode.NO_SUCH_CHARGEBACK, "This payment attempt has no such chargeback.")
        if record.handled_at is not None:
            return record  # a double click, a reload: handled once
        if record.reversed_at is not None:
            raise ActionRefused(
                ErrorCode.CHARGEBACK_REVERSED, "This chargeback was reversed: the money came back, nothing to handle."
            )
        assert order is not None  # an attempt is only ever written together with its order
        now = timezone.now()
        record.handled_at, record.handled_by, attempt.updated_at = now, actor, now
        attention_handled(order, recorded_chargeback_reason(attempt_no, record))
        order.updated_at = now
        message = f"{chargeback_id}: {note}" if note else chargeback_id
        event = new_event(
            order, EventKind.CHARGEBACK_HANDLED, EventSource.STAFF, now, attempt=attempt, actor=actor, message=message
        )
        try:
            commit(saves=[order, attempt], events=[event])
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return record
    retries_exhausted(order_id)


def flag_stuck_attempt(*, order_id: str, attempt_no: int, source: str = EventSource.RECONCILE) -> bool:
    """Reconciliation found the attempt pending or authorized past PAYMENT_STUCK_AFTER_SECONDS:
    staff are told once per order (a stuck payment stays stuck for many runs)."""
    for write_try in optimistic_retries(order_id):
        order, attempt = get_order(order_id), get_attempt(order_id, attempt_no)
        if order is None or attempt is None or AlertReason.PAYMENT_STUCK.value in (order.alerted_reasons or []):
            return False
        now = timezone.now()
        text = f"Payment attempt {attempt_no} has been {attempt.status} at Mollie since {attempt.created_at:%Y-%m-%d %H:%M} UTC"
        alerts = needs_attention(order, text, reason=AlertReason.PAYMENT_STUCK)
        order.updated_at = now
        try:
            commit(
                saves=[order],
                events=[new_event(order, EventKind.PAYMENT_STUCK, source, now, attempt=attempt, message=text)],
                mails=staff_alert_mails(order, alerts),
            )
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return True
    retries_exhausted(order_id)


def resend_confirmation(*, order_id: str, actor: str) -> Order:
    """Staff's "Resend confirmation": a new outbox item (its own event id), sent now."""
    order = get_order(order_id)
    if order is None or not order.is_sold or not order.paid_attempt_no:
        raise ActionRefused(ErrorCode.NOT_PAID, "Only a paid order has a confirmation to resend.")
    attempt = get_attempt(order_id, int(order.paid_attempt_no))
    now = timezone.now()
    event = new_event(order, EventKind.CONFIRMATION_RESENT, EventSource.STAFF, now, attempt=attempt, actor=actor)
    # Confirmations given up on are handled by this one: off the dashboard's list (kept on the order's page).
    handled = [
        (
            item,
            [OutboxItem.pending_status.remove(), OutboxItem.updated_at.set(now)],
            OutboxItem.status == MailStatus.FAILED,
        )
        for item in mails_of_order(order_id)
        if item.kind == MailKind.ORDER_CONFIRMATION and item.status == MailStatus.FAILED and item.pending_status
    ]
    try:
        commit(events=[event], updates=handled, mails=[resend_confirmation_mail(order, attempt, now=now)])
    except WriteLost as conflict:
        raise ConcurrentUpdateConflict(order_id) from conflict  # throttled: staff press again
    return order
