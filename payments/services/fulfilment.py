"""Fulfilment, a lifecycle of its own beside the order's and the payment's: a paid order is "to
ship" until every line went out; staff ship all lines or some, with a carrier and a tracking
number; each shipment goes on the timeline and the shopper gets a mail with the tracking link.
A canceled or fully refunded order is never to ship (payments.models.Order.is_to_ship).

Each shipment is one `commit`: the order's shipped quantities, the shipment, the event and the
mail together, guarded by the order's version, so two staff shipping at once ship each unit once.
"""

from urllib.parse import quote

from django.utils import timezone

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from notifications.models import MailKind, OutboxItem
from notifications.services import outbox_item
from payments.enums import EventKind, EventSource
from payments.errors import ActionRefused, ErrorCode
from payments.models import Order, Shipment
from payments.selectors import get_order
from payments.services.changes import new_event
from payments.services.delivery import address_text
from payments.services.mails import order_url
from payments.services.writes import commit
from payments.shipment_models import ShippedLine

# The carriers staff choose from: name, and where the shopper follows the parcel.
CARRIERS = {
    "postnl": ("PostNL", "https://jouw.postnl.nl/track-and-trace/{code}-{country}-{postal_code}"),
    "dhl": ("DHL", "https://www.dhl.com/nl-en/home/tracking/tracking-parcel.html?tracking-id={code}"),
    "dpd": ("DPD", "https://tracking.dpd.de/status/en_US/parcel/{code}"),
    "ups": ("UPS", "https://www.ups.com/track?tracknum={code}"),
    "bpost": ("bpost", "https://track.bpost.cloud/btr/web/#/search?itemCode={code}"),
}


def tracking_url(carrier: str, tracking_number: str, order: Order) -> str:
    address = order.shipping_address
    return CARRIERS[carrier][1].format(
        code=quote(tracking_number, safe=""),
        country=address.country if address else "",
        postal_code=quote((address.postal_code if address else "").replace(" ", ""), safe=""),
    )


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
        try:
            commit(saves=[order], new_items=[shipment], events=[event], mails=[shipped_mail(order, shipment)])
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return shipment
    retries_exhausted(order_id)


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


def shipped_mail(order: Order, shipment: Shipment) -> OutboxItem:
    return outbox_item(
        order_id=order.order_id,
        kind=MailKind.ORDER_SHIPPED,
        event_id=f"shipment-{shipment.shipment_no}",
        to=[order.customer_email],
        context={
            "customer_name": order.customer_name,
            "lines": [{"name": line.name, "quantity": int(line.quantity)} for line in shipment.lines],
            "carrier": CARRIERS[shipment.carrier][0],
            "tracking_url": shipment.tracking_url,
            "address": address_text(order.shipping_address),
            "order_url": order_url(order),
        },
    )


def shipments_of(order: Order) -> list[Shipment]:
    """The order's shipments, first first; no read for an order that has none."""
    if not order.shipment_count:
        return []
    return list(Shipment.query(order.order_id))


def orders_to_ship(*, limit: int = 100) -> list[Order]:
    """Paid orders with lines left to ship, oldest first: one Query on the sparse index."""
    return list(Order.to_ship_index.query(Order.TO_SHIP, limit=limit))
