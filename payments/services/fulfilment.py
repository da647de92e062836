"""Fulfilment, a lifecycle of its own beside the order's and the payment's: a paid order is "to
ship" until every line went out; staff ship all lines or some, with a carrier and a tracking
number; each shipment goes on the timeline and the shopper gets a mail with the tracking link.
A canceled or fully refunded order is never to ship (payments.models.Order.is_to_ship).

Each shipment is one `commit`: the order's shipped quantities, the shipment, the event and the
mail together, guarded by the order's version, so two staff shipping at once ship each unit once.
"""

from django.utils import timezone

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from payments import mollie
from payments.enums import EventKind, EventSource, OrderStatus
from payments.errors import ActionRefused, ErrorCode
from payments.models import Order, Shipment
from payments.selectors import get_attempt, get_order
from payments.services.carriers import CARRIERS, shipped_mail, tracking_url
from payments.services.changes import new_event
from payments.services.shipment_capture import capture_shipped
from payments.services.sync import sync_attempt
from payments.services.writes import commit
from payments.shipment_models import ShippedLine

__all__ = ["CARRIERS", "orders_to_ship", "retry_capture", "ship", "shipments_of", "tracking_url"]


def ship(
    *, order_id: str, quantities: dict[str, int] | None, carrier: str, tracking_number: str, actor: str
) -> Shipment:
    """Ships `quantities` (slug: how many; None: all that is left) of a paid order. A retry or a
    second tab that finds nothing left to ship gets ActionRefused, never a second shipment."""
    if carrier not in CARRIERS:
        raise ActionRefused(ErrorCode.NOTHING_TO_SHIP, "Please choose a carrier from the list.")
    tracking_number = tracking_number.strip()
    if not tracking_number or len(tracking_number) > 60:
        raise ActionRefused(ErrorCode.NOTHING_TO_SHIP, "Please enter the carrier's tracking number.")
    for write_try in optimistic_retries(order_id):
        order = get_order(order_id)
        if order is None or not order.is_to_ship:
            raise ActionRefused(ErrorCode.NOTHING_TO_SHIP, "This order has nothing left to ship.")
        shipped = _take(order, quantities)
        now = timezone.now()
        order.shipment_count = int(order.shipment_count or 0) + 1
        order.updated_at = now
        shipment = Shipment(
            order_id,
            int(order.shipment_count),
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=tracking_url(carrier, tracking_number, order),
            lines=shipped,
            created_by=actor,
            created_at=now,
        )
        left = "nothing left to ship" if not order.is_to_ship else "more to ship"
        summary = ", ".join(f"{line.quantity} × {line.name}" for line in shipped)
        message = f"Shipment {shipment.shipment_no} with {CARRIERS[carrier][0]} {tracking_number}: {summary}; {left}"
        event = new_event(order, EventKind.SHIPPED, EventSource.STAFF, now, actor=actor, message=message)
        # Pay later: the shopper is told once the shipment's amount is captured (shipment_capture).
        mails = [] if order.status == OrderStatus.AUTHORIZED else [shipped_mail(order, shipment)]
        try:
            commit(saves=[order], new_items=[shipment], events=[event], mails=mails)
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        if order.status == OrderStatus.AUTHORIZED:
            _capture(order, shipment, actor)
        return shipment
    retries_exhausted(order_id)


def retry_capture(*, order_id: str, shipment_no: int, actor: str) -> Shipment:
    """Staff capture again a shipment whose capture failed (a new capture under a new key)."""
    order = get_order(order_id)
    shipment = Shipment.get(order_id, shipment_no) if order else None
    if order is None or shipment is None or not shipment.capture_failed:
        raise ActionRefused(ErrorCode.NOTHING_TO_SHIP, "This shipment has no failed capture.")
    return _capture(order, shipment, actor)


def _capture(order, shipment, actor):
    """Pay later: the shipment's amount is captured; Mollie's payment, read after it, says what is
    captured and whether it is paid in full."""
    try:
        return capture_shipped(order, shipment, actor=actor, source=EventSource.STAFF)
    finally:
        attempt = get_attempt(order.order_id, int(order.paid_attempt_no or 0))
        try:
            if attempt is not None:
                sync_attempt(attempt=attempt, source=EventSource.STAFF, actor=actor)
        except mollie.PaymentProviderError:
            pass  # the shipment and its capture are recorded; Mollie's webhook or reconciliation syncs it


def _take(order: Order, quantities: dict[str, int] | None) -> list[ShippedLine]:
    """Raises the lines' shipped quantities; what is asked must be left to ship."""
    shipped = []
    for line in order.lines:
        wanted = line.quantity_to_ship if quantities is None else int(quantities.get(line.slug, 0))
        if wanted < 0 or wanted > line.quantity_to_ship:
            raise ActionRefused(
                ErrorCode.NOTHING_TO_SHIP, f"Only {line.quantity_to_ship} of {line.name} are left to ship."
            )
        if wanted:
            line.shipped_quantity = int(line.shipped_quantity or 0) + wanted
            shipped.append(ShippedLine(slug=line.slug, name=line.name, quantity=wanted))
    if not shipped:
        raise ActionRefused(ErrorCode.NOTHING_TO_SHIP, "Please choose at least one article to ship.")
    return shipped


def shipments_of(order: Order, *, done_only: bool = False) -> list[Shipment]:
    """The order's shipments, first first; no read for an order that has none. `done_only`: the
    shopper's view, without a pay-later shipment whose capture failed."""
    if not order.shipment_count:
        return []
    return [shipment for shipment in Shipment.query(order.order_id) if shipment.is_done or not done_only]


def orders_to_ship(*, limit: int = 100) -> list[Order]:
    """Paid orders with lines left to ship, oldest first: one Query on the sparse index."""
    return list(Order.to_ship_index.query(Order.TO_SHIP, limit=limit))
