"""Applying Mollie's truth: the one function every path calls with a payment fetched from Mollie
(webhooks, the shopper's status pull, staff refreshes, reconciliation). It calls the refund sync
(refund_sync.py) when the payment has refunds.
"""

import dataclasses
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from pynamodb.exceptions import UpdateError

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from notifications.models import AlertReason
from payments import mollie
from payments.enums import AttemptStatus, EventKind, EventSource, OrderStatus, RefundStatus
from payments.models import Order, PaymentAttempt, PaymentEvent
from payments.selectors import attempt_by_mollie_id, get_order, get_order_and_attempt
from payments.services import stock
from payments.services.changes import needs_attention, new_event
from payments.services.mails import confirmation_mail, staff_alert_mails
from payments.services.merge import PaymentMerge, merge_payment
from payments.services.refund_sync import sync_refunds
from payments.services.shipment_capture import settle_captures
from payments.services.writes import commit, record_event

log = logging.getLogger("payments.services")


def handle_webhook(*, payment_id: str) -> str:
    """Mollie says payment `payment_id` changed. We fetch it (never trusting the body) and apply.

    Returns what happened ("applied", "unknown", "malformed"). Raises PaymentProviderUnavailable
    or a DynamoDB error when it could not be done: the webhook answers 5xx so Mollie retries.
    """
    if not mollie.is_payment_id(payment_id):
        log.warning("webhook with a malformed payment id ignored", extra={"mollie_payment_id": str(payment_id)[:80]})
        return "malformed"
    try:
        payment = mollie.get_payment(payment_id)
    except mollie.PaymentNotFound:
        log.warning("webhook for a payment Mollie does not know", extra={"mollie_payment_id": payment_id})
        return "unknown"
    attempt = apply_mollie_payment(payment=payment, source=EventSource.WEBHOOK, record_call=True)
    return "applied" if attempt is not None else "unknown"


def sync_attempt(*, attempt: PaymentAttempt, source: str, actor: str = "") -> PaymentAttempt:
    """Fetches the attempt's payment from Mollie and applies it (reconciliation, staff refresh).

    A staff refresh is always on the timeline; reconciliation only when it changed something,
    or a bank transfer open for days would fill the timeline with a line per run.
    """
    if not attempt.mollie_payment_id:
        return attempt
    payment = mollie.get_payment(attempt.mollie_payment_id)
    return (
        apply_mollie_payment(payment=payment, source=source, actor=actor, record_call=source != EventSource.RECONCILE)
        or attempt
    )


def refresh_for_shopper(*, order: Order) -> Order:
    """The thank-you page and its status poll: pull from Mollie while the webhook is late.

    Rate-limited per order by a conditional write, so many open tabs cause one Mollie call per
    interval. A finished order costs exactly the one read the caller already did.
    """
    if order.latest_attempt_status not in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
        return order
    if not order.latest_mollie_payment_id:
        return order
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.STATUS_PULL_INTERVAL_SECONDS)
    if order.last_pulled_at and order.last_pulled_at > cutoff:
        return order
    for write_try in optimistic_retries(order.order_id):
        try:
            order.update(
                actions=[Order.last_pulled_at.set(now)],
                condition=Order.last_pulled_at.does_not_exist() | (Order.last_pulled_at < cutoff),
                add_version_condition=False,
            )
            break
        except UpdateError as error:
            # A webhook's transaction may hold the order right now: wait for it, then pull.
            write_try.lost(error)
            if not write_try.back_off:
                return order  # someone else is pulling right now
    try:
        payment = mollie.get_payment(order.latest_mollie_payment_id)
    except mollie.PaymentProviderError as error:
        log.info(
            "status pull failed; showing the stored status", extra={"order_id": order.order_id, "error": str(error)}
        )
        return order
    attempt = apply_mollie_payment(payment=payment, source=EventSource.STATUS_POLL)
    if attempt is None or (
        attempt.status == order.latest_attempt_status
        and attempt.amount_refunded_cents == order.amount_refunded_cents
        and attempt.method == order.latest_method  # a bank transfer chosen on Mollie's page
    ):
        return order  # nothing the shopper sees has changed
    return get_order(order.order_id) or order


def apply_mollie_payment(
    *,
    payment: mollie.MolliePayment,
    source: str,
    actor: str = "",
    record_call: bool = False,
    known: tuple[Order, PaymentAttempt] | None = None,
) -> PaymentAttempt | None:
    """Applies a payment fetched from Mollie to its attempt and order. Idempotent.

    Duplicates change nothing; stale answers never move a status back; a second paid attempt
    on a paid order is flagged for refund; a wrong amount never marks an order paid.
    `record_call` keeps a timeline line even when nothing changed (staff refreshes), but a webhook
    that changes nothing is not written at all.
    `known` is the (order, attempt) the caller just read or wrote; a stale pair only costs a retry.
    """
    order_id, attempt_no = _attempt_key(payment)
    for write_try in optimistic_retries(order_id or payment.id):
        order, attempt = known or _order_and_attempt(order_id, attempt_no, payment.id)
        known = None  # the caller's pair serves the first try only: a retry reads again
        if attempt is None or order is None or attempt.mollie_payment_id not in (None, payment.id):
            _record_unmatched(payment, source)
            return None
        payment = _complete_payment(payment, attempt)
        now = timezone.now()
        # Made before the changes it causes, so the timeline lists the call first.
        events = [call_event(order, attempt, payment, source, actor, now)] if record_call else []
        had_refunds = attempt.amount_refunded_cents > 0
        merge = merge_payment(order, attempt, payment, source=source, now=now)
        events += merge.events
        if changes_nothing(merge, source):
            _log_unchanged_webhook(merge, payment)
            if merge.order.is_paid and merge.attempt.status == AttemptStatus.PAID:
                # A repeat of a webhook we answered 503 (flagging the pair's other order failed)
                # finishes it: a read, no write once both are flagged.
                flag_duplicate_paid_orders(order=merge.order, source=source)
        elif events or merge.changed:
            try:
                commit(
                    saves=merge.changed,
                    events=events,
                    updates=stock_returned(order, merge, now),
                    mails=mails_caused(order, merge),
                )
            except WriteLost as conflict:
                write_try.lost(conflict)
                continue
            if became_paid(events):
                flag_duplicate_paid_orders(order=merge.order, source=source)
            if _ended_past_window(merge, now):
                _expire_if_nothing_waits(merge.order.order_id, source)
        # Also when the payment itself is unchanged: reconciliation follows attempts whose refunds
        # are unsettled (or whose refund list could not be read before) by this sync alone; and a
        # refund's own status may have moved (refund webhooks come as the payment's).
        if order.status == OrderStatus.AUTHORIZED and order.shipment_count:
            settle_captures(merge.order, payment.id, source)  # pay later: a capture settled?
        if refunds_to_follow(payment, merge.attempt, had_refunds=had_refunds):
            sync_refunds(merge.order, merge.attempt)
        return merge.attempt
    retries_exhausted(order_id or payment.id)


def _ended_past_window(merge: PaymentMerge, now: datetime) -> bool:
    """An attempt of an order past its payment window just ended unpaid: if it was the last one
    waiting, the order is closed now, on whichever path saw it end (webhook, poll, sync)."""
    return (
        merge.attempt_changed
        and merge.attempt.status in AttemptStatus.FINAL_UNPAID
        and merge.order.is_open_for_payment
        and now >= merge.order.expires_at
    )


def _expire_if_nothing_waits(order_id, source):
    from payments.services.orders import expire_if_nothing_waits  # orders imports this module

    expire_if_nothing_waits(order_id, source)


def _order_and_attempt(order_id, attempt_no, payment_id):
    """The order and attempt a payment belongs to: by the metadata we sent with it, else (a payment
    created before metadata, or metadata Mollie lost) by its Mollie id."""
    order, attempt = get_order_and_attempt(order_id, attempt_no) if order_id else (None, None)
    if attempt is None:
        attempt = attempt_by_mollie_id(payment_id)
        order = get_order(attempt.order_id) if attempt else None
    return order, attempt


def _record_unmatched(payment, source):
    if payment.status == AttemptStatus.PAID:
        log.error("paid Mollie payment matches no order", extra={"mollie_payment_id": payment.id})
    record_event(
        order_id=PaymentEvent.UNMATCHED,
        kind=EventKind.UNMATCHED_PAYMENT,
        source=source,
        mollie_payment_id=payment.id,
        to_status=payment.status,
        message="Payment does not match any order",
    )


def _complete_payment(payment, attempt):
    """Mollie's payment with what its answer leaves open: which refund total is confirmed (when it
    went down), and which chargebacks there are (when there are any)."""
    if payment.amount_refunded_cents < attempt.amount_refunded_cents:
        payment = _confirmed_refund_total(payment)
    if payment.chargebacks is None and (
        payment.has_chargebacks or payment.amount_charged_back_cents or attempt.chargebacks
    ):
        # Chargebacks come by the payment's webhook; only their list says which and why. If
        # Mollie cannot answer, the webhook answers 5xx and Mollie asks again.
        payment = dataclasses.replace(payment, chargebacks=tuple(mollie.list_chargebacks(payment.id)))
    return payment


def call_event(order, attempt, payment, source, actor, now):
    """The timeline line saying Mollie was asked (or called us), and what it said."""
    kind = EventKind.WEBHOOK_RECEIVED if source == EventSource.WEBHOOK else EventKind.SYNCED_FROM_MOLLIE
    return new_event(order, kind, source, now, attempt=attempt, actor=actor, message=f"Mollie status: {payment.status}")


def changes_nothing(merge: PaymentMerge, source: str) -> bool:
    """Anyone can post a webhook: one that changes nothing costs no write at all, so repeats cannot
    fill the timeline (or the bill). Other callers may still record their call."""
    return source == EventSource.WEBHOOK and not merge.events and not merge.changed


def mails_caused(order_before, merge):
    """The order's confirmation when this merge made it a sale, paid or authorized (once: a repeat,
    or the capture that makes an authorized order paid, finds it sold already), and a staff alert for each reason it newly flagged the order with."""
    mails = [confirmation_mail(merge.order, merge.attempt)] if merge.order.is_sold and not order_before.is_sold else []
    return mails + staff_alert_mails(merge.order, merge.alerts)


def stock_returned(order_before, merge, now):
    """An authorization released or lapsed with nothing captured closed the order: its stock goes
    back, exactly once (stock.give_back marks the order saved with it)."""
    if order_before.status == OrderStatus.AUTHORIZED and merge.order.status in OrderStatus.CLOSED_UNPAID:
        return stock.give_back(merge.order, now)
    return []


def became_paid(events: Iterable[PaymentEvent]) -> bool:
    return any(event.kind == EventKind.ORDER_STATUS_CHANGED and event.to_status == OrderStatus.PAID for event in events)


def refunds_to_follow(payment: mollie.MolliePayment, attempt: PaymentAttempt, *, had_refunds: bool) -> bool:
    """Whether our refund records must be brought in line with Mollie's after this payment."""
    return bool(payment.amount_refunded_cents or had_refunds or attempt.refunds_unsettled)


def _log_unchanged_webhook(merge, payment):
    # The log line still shows the webhook came.
    log.info(
        "webhook changed nothing",
        extra={
            "order_id": merge.order.order_id,
            "attempt_no": merge.attempt.attempt_no,
            "mollie_payment_id": payment.id,
            "status": payment.status,
        },
    )


def flag_duplicate_paid_orders(*, order: Order, source: str) -> list[str]:
    """Two orders of one shopper (same e-mail) created within one payment window and both paid are
    likely one purchase paid twice (two carts, two devices): both are flagged for staff, who refund
    one with the Refund button on its page if the shopper did not mean to buy twice.

    Runs after an order becomes paid, and again in reconciliation: the e-mail index is eventually
    consistent, so two orders paid at the same moment may not see each other the first time.
    Returns the ids of the other paid orders found.
    """
    window = timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS)
    others = [
        other.order_id
        for other in Order.email_index.query(
            order.customer_email, Order.created_at.between(order.created_at - window, order.created_at + window)
        )
        if other.order_id != order.order_id and other.is_paid
    ]
    if others and order.is_paid:
        for other_id in others:
            _flag_duplicate(order.order_id, other_id, source)
            _flag_duplicate(other_id, order.order_id, source)
    return others


def _flag_duplicate(order_id, duplicate_id, source):
    for write_try in optimistic_retries(order_id):
        order = get_order(order_id)
        if order is None or duplicate_id in (order.possible_duplicate_of or []):
            return
        now = timezone.now()
        text = (
            f"Possible duplicate: order {duplicate_id} of the same shopper was also paid within the "
            "payment window; refund one if they did not mean to buy twice"
        )
        order.possible_duplicate_of = [*(order.possible_duplicate_of or []), duplicate_id]
        alerts = needs_attention(order, text, reason=AlertReason.DOUBLE_PAYMENT)
        order.updated_at = now
        try:
            commit(
                saves=[order],
                events=[new_event(order, EventKind.POSSIBLE_DUPLICATE, source, now, message=text)],
                mails=staff_alert_mails(order, alerts),
            )
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return


def _attempt_key(payment):
    try:
        return str(payment.metadata["order_id"]), int(payment.metadata["attempt_no"])
    except (KeyError, TypeError, ValueError):
        return None, None


def _confirmed_refund_total(payment):
    """A lower amountRefunded than ours is either a failed/canceled refund or a stale answer:
    Mollie's refund list, read now, tells which."""
    refunds = mollie.list_refunds(payment.id)  # if Mollie is down, the webhook answers 5xx: asked again
    # Like Mollie's amountRefunded: refunds it has processed, not those still pending.
    confirmed = sum(refund.amount_cents for refund in refunds if refund.status == RefundStatus.REFUNDED)
    return dataclasses.replace(payment, amount_refunded_cents=confirmed)
