"""The refund sync: our refund records brought in line with Mollie's list (refund webhooks carry the
payment id, so `apply_mollie_payment` calls it), and the one transaction that stores a refund's
change with its event and mail (shared with refunds staff ask for).
"""

import logging

from django.utils import timezone

from config.dynamodb import ConcurrentUpdateConflict, WriteLost
from payments import mollie
from payments.enums import EventKind, EventSource, RefundStatus
from payments.models import PaymentAttempt, Refund
from payments.selectors import refunds_of
from payments.services.changes import new_event
from payments.services.mails import refund_mail, refunded_so_far
from payments.services.writes import commit

log = logging.getLogger("payments.services")


def sync_refunds(order, attempt, strict=False):
    """Brings our refund records in line with Mollie's (refund webhooks carry the payment id).
    `strict`: Mollie's list must be read (before posting a refund again); errors are raised."""
    try:
        mollie_refunds = mollie.list_refunds(attempt.mollie_payment_id)
    except mollie.PaymentProviderError as error:
        if strict:
            raise
        # The webhook still answers 200 for the payment it stored, so Mollie will not call again
        # for this: reconciliation follows attempts marked so until their refunds are in line.
        log.info("refund sync postponed", extra={"order_id": order.order_id, "error": str(error)})
        mark_refunds_unsettled(attempt, True)
        return
    ours = refunds_of(order.order_id)
    by_mollie_id = {refund.mollie_refund_id: refund for refund in ours if refund.mollie_refund_id}
    by_key = {refund.refund_key: refund for refund in ours}
    for mollie_refund in mollie_refunds:
        refund = by_mollie_id.get(mollie_refund.id)
        if refund is None and mollie_refund.refund_key in by_key:
            # Ours, but its webhook came before we stored Mollie's id (or our write was lost).
            store_refund_change(
                order,
                by_key[mollie_refund.refund_key],
                ours,
                status=mollie_refund.status,
                mollie_refund_id=mollie_refund.id,
                condition=Refund.mollie_refund_id.does_not_exist(),
                event_kind=EventKind.REFUND_CREATED,
                message=f"{mollie_refund.id}: {mollie_refund.status}",
            )
            continue
        if refund is None:
            _record_refund_made_elsewhere(order, attempt, mollie_refund, ours)
        elif refund.status != mollie_refund.status:
            store_refund_change(
                order,
                refund,
                ours,
                status=mollie_refund.status,
                condition=Refund.status == refund.status,
                event_kind=EventKind.REFUND_STATUS_CHANGED,
                from_status=refund.status,
                to_status=mollie_refund.status,
                message=mollie_refund.id,
            )
    unsettled = any(
        refund.attempt_no == attempt.attempt_no and refund.status in RefundStatus.UNSETTLED
        for refund in refunds_of(order.order_id)
    )
    mark_refunds_unsettled(attempt, unsettled)


def _record_refund_made_elsewhere(order, attempt, mollie_refund, ours):
    """A refund made elsewhere (e.g. Mollie's dashboard): kept so the timeline is complete."""
    now = timezone.now()
    refund = Refund(
        order.order_id,
        mollie_refund.id,
        attempt_no=attempt.attempt_no,
        mollie_payment_id=attempt.mollie_payment_id,
        mollie_refund_id=mollie_refund.id,
        amount_cents=mollie_refund.amount_cents,
        currency=mollie_refund.currency,
        status=mollie_refund.status,
        created_by="mollie",
        created_at=now,
        updated_at=now,
    )
    # A concurrent sync may have recorded it: then this one stores nothing.
    store_refund_change(
        order,
        refund,
        ours,
        new=True,
        event_kind=EventKind.REFUND_FOUND,
        message=f"{mollie_refund.id}: {mollie_refund.status}",
    )


def mark_refunds_unsettled(attempt, unsettled):
    """Keeps the attempt in (or out of) the sparse index reconciliation follows refunds by."""
    if bool(attempt.refunds_unsettled) == unsettled:
        return
    action = PaymentAttempt.refunds_unsettled.set("yes") if unsettled else PaymentAttempt.refunds_unsettled.remove()
    # No version check: this flag is only ever recomputed from the refund records.
    attempt.update(actions=[action], add_version_condition=False)


def store_refund_change(
    order,
    refund,
    refunds,
    *,
    event_kind,
    message,
    source=EventSource.MOLLIE,
    actor="",
    new=False,
    condition=None,
    from_status=None,
    to_status=None,
    **changes,
):
    """Stores a refund's new record or its `changes` (only while `condition` holds), its event, and,
    when Mollie's status makes it refunded, the refund mail: one transaction. Returns False when a
    concurrent writer got there first (nothing stored here)."""
    now = timezone.now()
    was_refunded = refund.status == RefundStatus.REFUNDED and not new
    if not new:
        changes["updated_at"] = now
    updated = {**refund.attribute_values, **changes}
    event = new_event(
        order,
        event_kind,
        source,
        now,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        message=message,
    )
    event.attempt_no = refund.attempt_no
    mails = []
    if updated["status"] == RefundStatus.REFUNDED and not was_refunded:
        earlier = refunded_so_far(
            [other for other in refunds if other.refund_key != refund.refund_key], refund.attempt_no
        )
        mails = [refund_mail(order, refund, refunded_cents=earlier + refund.amount_cents)]
    actions = [getattr(Refund, name).set(value) for name, value in changes.items()]
    try:
        if new:
            commit(new_items=[refund], events=[event], mails=mails)
        else:
            commit(updates=[(refund, actions, condition)], events=[event], mails=mails)
    except WriteLost as lost:
        if lost.back_off:
            raise ConcurrentUpdateConflict(order.order_id) from lost
        return False
    for name, value in changes.items():
        setattr(refund, name, value)
    return True


def update_refund(refund, condition=None, **changes):
    changes["updated_at"] = timezone.now()
    refund.update(actions=[getattr(Refund, name).set(value) for name, value in changes.items()], condition=condition)
