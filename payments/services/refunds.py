"""Refunds staff ask for: one per refund key, never while an earlier one is unconfirmed."""

import functools
import logging

from django.utils import timezone

from config import dynamodb
from payments import mollie
from payments.enums import AttemptStatus, EventKind, EventSource, RefundStatus
from payments.errors import ErrorCode, RefundRefused
from payments.models import Refund
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
    order = get_order(order_id)
    if order is None:
        raise RefundRefused(ErrorCode.ORDER_NOT_FOUND, "This order does not exist.")
    attempt_no = attempt_no or order.paid_attempt_no  # type: ignore[assignment]  # NumberAttribute is typed float; it holds an int
    attempt = get_attempt(order_id, attempt_no) if attempt_no else None
    if attempt is None or attempt.status != AttemptStatus.PAID:
        raise RefundRefused(ErrorCode.NOT_PAID, "Only paid payments can be refunded.")
    # The timeline lines of this refund: asked by staff, for this attempt.
    staff_event = functools.partial(
        record_event, order_id=order_id, source=EventSource.STAFF, actor=actor, attempt_no=attempt_no
    )
    existing = get_refund(order_id, refund_key)
    if existing is not None and not existing.mollie_refund_id:
        # Confirmed again after no answer: Mollie may have made it, and forgets our idempotency
        # key after an hour. Its refund list, matched by our key, says (Mollie's refunds guide).
        sync_refunds(order, attempt, strict=True)
        existing = get_refund(order_id, refund_key)
    if existing is not None and existing.mollie_refund_id:
        return existing  # a double submit: already done
    if existing is None:
        _refuse_while_a_refund_is_unconfirmed(order, attempt)
        remaining = attempt.refundable_cents(refunds_of(order_id))
        if not 0 < amount_cents <= remaining:
            raise RefundRefused(
                ErrorCode.AMOUNT_OUT_OF_RANGE,
                f"The amount must be between {format_money(1, attempt.currency)} and "
                f"{format_money(remaining, attempt.currency)}.",
            )
        now = timezone.now()
        existing = Refund(
            order_id,
            refund_key,
            attempt_no=attempt_no,
            mollie_payment_id=attempt.mollie_payment_id,
            amount_cents=amount_cents,
            currency=attempt.currency,
            description=description,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        if not dynamodb.save_new(existing):
            existing = get_refund(order_id, refund_key)  # the twin submit got here first
            assert existing is not None  # refunds are never deleted
        else:
            staff_event(kind=EventKind.REFUND_REQUESTED, message=format_money(amount_cents, attempt.currency))
            mark_refunds_unsettled(attempt, True)
    try:
        mollie_refund = mollie.create_refund(
            payment_id=existing.mollie_payment_id,
            amount_cents=existing.amount_cents,
            currency=existing.currency,
            description=existing.description or f"Refund for order {order_id}",
            idempotency_key=refund_key,
            refund_key=refund_key,
        )
    except mollie.PaymentRejected as error:
        update_refund(existing, status=RefundStatus.REJECTED)
        staff_event(kind=EventKind.REFUND_REJECTED, message=str(error))
        if isinstance(error, mollie.DuplicateRefund):
            raise RefundRefused(
                ErrorCode.DUPLICATE_REFUND,
                f"Mollie refused this refund as a duplicate: a refund of {format_money(existing.amount_cents, existing.currency)} "
                "was already made on this payment within the last hour. Check the refunds below; if a second "
                "refund is really meant, use a different amount or try again in an hour.",
            ) from error
        raise RefundRefused(ErrorCode.REFUND_REJECTED, f"Mollie refused the refund: {error}") from error
    # Only the first of two racing twin submits records the refund; Mollie made it once.
    if not store_refund_change(
        order,
        existing,
        refunds_of(order_id),
        status=mollie_refund.status,
        mollie_refund_id=mollie_refund.id,
        condition=Refund.mollie_refund_id.does_not_exist(),
        event_kind=EventKind.REFUND_CREATED,
        source=EventSource.STAFF,
        actor=actor,
        message=f"{mollie_refund.id}: {format_money(existing.amount_cents, existing.currency)}, {mollie_refund.status}",
    ):
        recorded = get_refund(order_id, refund_key)
        assert recorded is not None  # refunds are never deleted
        return recorded
    try:
        sync_attempt(attempt=attempt, source=EventSource.STAFF, actor=actor)
    except mollie.PaymentProviderError as error:
        # The refund exists at Mollie; its amounts arrive with the refund webhook or reconciliation.
        log.info("sync after refund postponed", extra={"order_id": order_id, "error": str(error)})
    return existing


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
