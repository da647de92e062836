"""Pay later when staff ship (docs/pay-later.md): each shipment of an authorized order captures
exactly its amount, once (payments/services/capturing.py). A capture is pending, then succeeded or
failed (Mollie calls the payment's webhook): a succeeded one mails the shopper the shipment; a
failed one flags the order for staff, and the shipment is not shown to the shopper as done.
Whether the payment is paid in full is Mollie's to say (the payment is synced, never summed here).
"""

import logging

from django.utils import timezone

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from notifications.models import AlertReason
from payments import mollie
from payments.enums import EventKind
from payments.errors import ActionRefused, ErrorCode
from payments.models import Order, Shipment
from payments.selectors import get_attempt, get_order
from payments.services.capturing import FAILED, capture_shipment, shipment_capture_cents
from payments.services.carriers import shipped_mail
from payments.services.changes import attention_handled, needs_attention, new_event
from payments.services.mails import staff_alert_mails
from payments.services.writes import commit
from shop.money import format_money

log = logging.getLogger("payments.services")
SUCCEEDED = "succeeded"


def capture_shipped(order: Order, shipment: Shipment, *, actor: str, source: str) -> Shipment:
    """Captures `shipment` of the authorized `order`. A failure is recorded and flagged, then
    raised as ActionRefused so staff read what to do (capture again: fulfilment.retry_capture)."""
    attempt = get_attempt(order.order_id, int(order.paid_attempt_no or 0))
    assert attempt is not None and attempt.mollie_payment_id  # an authorized order has its attempt
    try:
        capture = capture_shipment(payment_id=attempt.mollie_payment_id, order=order, shipment=shipment)
        why = f"Mollie answered {capture.status}" if capture.status == FAILED else ""
    except mollie.PaymentProviderError as error:
        capture, why = None, str(error)
    if capture is None or capture.status == FAILED:
        capture_settled(order.order_id, shipment, FAILED, capture.id if capture else None, source, actor, why)
        raise ActionRefused(ErrorCode.CAPTURE_FAILED, failed_reason(order, shipment, why))
    capture_settled(order.order_id, shipment, capture.status, capture.id, source, actor)
    return shipment


def settle_captures(order: Order, payment_id: str, source: str) -> None:
    """After Mollie's webhook for a pay-later payment: each shipment's capture as Mollie has it now
    (one list of captures, one Query of shipments; nothing when no capture is under way)."""
    under_way = [s for s in Shipment.query(order.order_id) if s.capture_status and not s.is_done]
    if not under_way:
        return
    # The shipment's latest capture is the one it recorded (an earlier one may have failed).
    captures = {capture.id: capture for capture in mollie.list_captures(payment_id)}
    for shipment in under_way:
        capture = captures.get(shipment.capture_id or "")
        if capture is not None and capture.status != shipment.capture_status:
            why = f"Mollie answered {capture.status}" if capture.status == FAILED else ""
            capture_settled(order.order_id, shipment, capture.status, capture.id, source, "", why)


def failed_reason(order, shipment, why):
    amount = format_money(shipment_capture_cents(order, shipment), order.currency)
    return (
        f"Capturing {amount} for shipment {int(shipment.shipment_no)} failed ({why or 'no answer'}): "
        "do not send the parcel yet; capture it again from this order's page, or contact the customer"
    )


def capture_settled(order_id, shipment, status, capture_id, source, actor, why=""):
    """Records the shipment's capture status with its consequence, in one commit: the shopper's
    mail when it succeeded, the staff flag (and alert, once) when it failed; a failure's flag comes
    off when a capture again succeeds."""
    for write_try in optimistic_retries(order_id):
        order = get_order(order_id)
        assert order is not None
        now = timezone.now()
        amount = format_money(shipment_capture_cents(order, shipment), order.currency)
        prefix = failed_reason(order, shipment, "").split(" failed (")[0]
        mails, kind = [], EventKind.CAPTURED
        message = f"Capture of {amount} for shipment {int(shipment.shipment_no)}: {status} ({capture_id or '-'})"
        if status == FAILED:
            kind, message = EventKind.CAPTURE_FAILED, failed_reason(order, shipment, why)
            mails = staff_alert_mails(order, needs_attention(order, message, reason=AlertReason.CAPTURE_FAILED))
        else:
            for reason in [r for r in order.attention_reasons or [] if str(r).startswith(prefix)]:
                attention_handled(order, reason)
            if status == SUCCEEDED:
                mails = [shipped_mail(order, shipment)]
        order.updated_at = now
        event = new_event(order, kind, source, now, actor=actor, message=message)
        try:
            commit(saves=[order], events=[event], mails=mails)
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        shipment.update(actions=[Shipment.capture_id.set(capture_id), Shipment.capture_status.set(status)])
        log.info("capture settled", extra={"order_id": order_id, "shipment_no": int(shipment.shipment_no)})
        return
    retries_exhausted(order_id)
