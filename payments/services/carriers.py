"""The carriers staff ship with, their tracking links, and the mail that tells the shopper a
parcel is on its way (payments/services/fulfilment.py; pay later: once its amount is captured)."""

from urllib.parse import quote

from notifications.models import MailKind, OutboxItem
from payments.models import Order, Shipment
from payments.services.delivery import address_text
from payments.services.mails import order_url, shopper_mail

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


def shipped_mail(order: Order, shipment: Shipment) -> OutboxItem:
    return shopper_mail(
        order,
        kind=MailKind.ORDER_SHIPPED,
        event_id=f"shipment-{shipment.shipment_no}",
        context=lambda: {
            "customer_name": order.customer_name,
            "lines": [{"name": line.name, "quantity": int(line.quantity)} for line in shipment.lines],
            "carrier": CARRIERS[shipment.carrier][0],
            "tracking_url": shipment.tracking_url,
            "address": address_text(order.shipping_address),
            "order_url": order_url(order),
        },
    )
