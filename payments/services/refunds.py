"""Refunds staff ask for: one per refund key, never while an earlier one is unconfirmed."""

import functools
import logging

from django.utils import timezone

from config import dynamodb
from payments import mollie
from payments.enums import AttemptStatus, EventKind, EventSource, RefundStatus
from payments.errors import ErrorCode, RefundRefused
from payments.models import Order, Refund
from payments.selectors import get_attempt, get_order, get_refund, refunds_of
from payments.services.refund_sync import mark_refunds_unsettled, store_refund_change, sync_refunds, update_refund
from payments.services.sync import sync_attempt
from payments.services.writes import record_event
from shop.money import format_money

log = logging.getLogger("payments.services")


def refund_payment(
    *,
    order_id: str,
    amount_cents: int,
    refund_key: str,
    actor: str,
    attempt_no: int | None = None,
    description: str = "",
) -> Refund:
    """Refunds (part of) a paid attempt. The same `refund_key` twice refunds once."""
    order, attempt = _paid_attempt(order_id, attempt_no)
    # The timeline lines of this refund: asked by staff, for this attempt.
    staff_event = functools.partial(
        record_event, order_id=order_id, source=EventSource.STAFF, actor=actor, attempt_no=attempt.attempt_no
    )
    recorded = _recorded_refund(order, attempt, refund_key)
    if recorded is not None and recorded.mollie_refund_id:
        return recorded  # a double submit: already done
    refund = recorded or _request_refund(
        order,
        attempt,
        amount_cents=amount_cents,
        refund_key=refund_key,
        actor=actor,
        description=description,
        staff_event=staff_event,
    )
    mollie_refund = _create_at_mollie(refund, staff_event)
    if not _record_made(order, refund, mollie_refund, actor):
        twins = get_refund(order_id, refund_key)
        assert twins is not None  # refunds are never deleted
        return twins
    try:
        sync_attempt(attempt=attempt, source=EventSource.STAFF, actor=actor)
    except mollie.PaymentProviderError as error:
        # The refund exists at Mollie; its amounts arrive with the refund webhook or reconciliation.
        log.info("sync after refund postponed", extra={"order_id": order_id, "error": str(error)})
    return refund


def _record_made(order: Order, refund: Refund, mollie_refund: mollie.MollieRefund, actor: str) -> bool:
    """Stores Mollie's id and status on our record. Only the first of two racing twin submits
    records the refund (False for the second); Mollie made it once."""
    return store_refund_change(
        order,
        refund,
        refunds_of(order.order_id),
        status=mollie_refund.status,
        mollie_refund_id=mollie_refund.id,
        condition=Refund.mollie_refund_id.does_not_exist(),
        event_kind=EventKind.REFUND_CREATED,
        source=EventSource.STAFF,
        actor=actor,
        message=f"{mollie_refund.id}: {format_money(refund.amount_cents, refund.currency)}, {mollie_refund.status}",
    )


def _paid_attempt(order_id, attempt_no):
    """The order and the attempt to refund (the one that paid it, unless staff chose another)."""
    order = get_order(order_id)
    if order is None:
        raise RefundRefused(ErrorCode.ORDER_NOT_FOUND, "This order does not exist.")
    attempt_no = attempt_no or order.paid_attempt_no
    attempt = get_attempt(order_id, attempt_no) if attempt_no else None
    if attempt is not None and attempt.status == AttemptStatus.AUTHORIZED and not attempt.is_refundable_status:
        raise RefundRefused(
            ErrorCode.NOT_PAID,
            "Nothing of this pay-later payment is captured yet: only captured money can be refunded.",
        )
    if attempt is None or not attempt.is_refundable_status:
        raise RefundRefused(ErrorCode.NOT_PAID, "Only paid payments can be refunded.")
    return order, attempt


def _recorded_refund(order, attempt, refund_key):
    """Our record of the refund with this key, if there is one. One still without Mollie's id is
    being confirmed again after no answer: Mollie may have made it, and forgets our idempotency
    key after an hour. Its refund list, matched by our key, says (Mollie's refunds guide)."""
    recorded = get_refund(order.order_id, refund_key)
    if recorded is not None and not recorded.mollie_refund_id:
        sync_refunds(order, attempt, strict=True)
        recorded = get_refund(order.order_id, refund_key)
    return recorded


def _request_refund(order, attempt, *, amount_cents, refund_key, actor, description, staff_event):
    """Our record of a new refund, stored before Mollie is asked (so no answer loses nothing), or
    the twin submit's record when that got here first."""
    _refuse_while_a_refund_is_unconfirmed(order, attempt)
    check_refund_amount(amount_cents, attempt.refundable_cents(refunds_of(order.order_id)), attempt.currency)
    now = timezone.now()
    refund = Refund(
        order.order_id,
        refund_key,
        attempt_no=attempt.attempt_no,
        mollie_payment_id=attempt.mollie_payment_id,
        amount_cents=amount_cents,
        currency=attempt.currency,
        description=description,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    if not dynamodb.save_new(refund):
        twins = get_refund(order.order_id, refund_key)  # the twin submit got here first
        assert twins is not None  # refunds are never deleted
        return twins
    staff_event(kind=EventKind.REFUND_REQUESTED, message=format_money(amount_cents, attempt.currency))
    mark_refunds_unsettled(attempt, True)
    return refund


def check_refund_amount(amount_cents, remaining_cents, currency):
    """A refund takes at least one cent and at most what is left to refund."""
    if not 0 < amount_cents <= remaining_cents:
        raise RefundRefused(
            ErrorCode.AMOUNT_OUT_OF_RANGE,
            f"The amount must be between {format_money(1, currency)} and {format_money(remaining_cents, currency)}.",
        )


def _create_at_mollie(refund, staff_event):
    """Asks Mollie for the refund (our key makes a repeat the same refund); a refusal is recorded."""
    try:
        return mollie.create_refund(
            payment_id=refund.mollie_payment_id,
            amount_cents=refund.amount_cents,
            currency=refund.currency,
            description=refund.description or f"Refund for order {refund.order_id}",
            idempotency_key=refund.refund_key,
            refund_key=refund.refund_key,
        )
    except mollie.PaymentRejected as error:
        update_refund(refund, status=RefundStatus.REJECTED)
        staff_event(kind=EventKind.REFUND_REJECTED, message=str(error))
        raise _refused_by_mollie(refund, error) from error


def _refused_by_mollie(refund, error):
    if isinstance(error, mollie.DuplicateRefund):
        return RefundRefused(
            ErrorCode.DUPLICATE_REFUND,
            f"Mollie refused this refund as a duplicate: a refund of {format_money(refund.amount_cents, refund.currency)} "
            "was already made on this payment within the last hour. Check the refunds below; if a second "
            "refund is really meant, use a different amount or try again in an hour.",
        )
    return RefundRefused(ErrorCode.REFUND_REJECTED, f"Mollie refused the refund: {error}")


def _refuse_while_a_refund_is_unconfirmed(order, attempt):
    """A refund we asked for but never heard back about may exist at Mollie: until it is known,
    a new one could pay out twice. Mollie's list (matched by our key) usually settles it."""
    if not any(refund.status == RefundStatus.REQUESTED for refund in refunds_of(order.order_id)):
        return
    sync_refunds(order, attempt)
    unconfirmed = [refund for refund in refunds_of(order.order_id) if refund.status == RefundStatus.REQUESTED]
    if unconfirmed:
        raise RefundRefused(
            ErrorCode.REFUND_UNCONFIRMED,
            f"An earlier refund of {format_money(unconfirmed[0].amount_cents, unconfirmed[0].currency)} "
            "is not confirmed by Mollie yet. Submit that refund again, or refresh from Mollie first.",
        )
