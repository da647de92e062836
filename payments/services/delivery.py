"""Where an order goes and what shipping it costs: the addresses given at checkout, priced by the
shop's zones (shop.shipping) when the order is placed, and stored with the order."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from payments.errors import CheckoutRefused, ErrorCode
from payments.models import Address, Order
from shop import shipping


@dataclass(frozen=True)
class Delivery:
    shipping_address: Address
    billing_address: Address | None = None  # None: the same as the shipping address


def apply_delivery(order: Order, delivery: Delivery | None) -> None:
    """Adds the addresses and the zone's shipping cost (free above its amount) to a new order."""
    if delivery is None:
        return  # an order placed without an address (tests of the payment workflow alone)
    subtotal = sum(line.total_cents for line in order.lines)
    quote = shipping.quote(country=delivery.shipping_address.country, subtotal_cents=subtotal)
    if quote is None:
        raise CheckoutRefused(
            ErrorCode.NOT_SHIPPED_THERE, _("We do not ship to that country; please choose one of the countries listed.")
        )
    order.shipping_address = delivery.shipping_address
    order.billing_address = delivery.billing_address
    order.shipping_cents = quote.cents
    order.shipping_vat_rate = quote.zone.vat_rate or settings.SHOP_DEFAULT_VAT_RATE
    order.total_cents = subtotal + quote.cents


def delivery_changed(order: Order, delivery: Delivery | None) -> bool:
    """The checkout form names other addresses than the cart's order was placed with."""
    if delivery is None:
        return False
    return _fields(order.shipping_address) != _fields(delivery.shipping_address) or _fields(
        order.billing_address
    ) != _fields(delivery.billing_address)


ADDRESS_FIELDS = (
    "given_name",
    "family_name",
    "organization_name",
    "street_and_number",
    "postal_code",
    "city",
    "country",
    "phone",
)


def _fields(address: Address | None) -> tuple[str, ...] | None:
    return None if address is None else tuple(getattr(address, name) or "" for name in ADDRESS_FIELDS)


def address_text(address: Address | None) -> str:
    """The address as on a label: company (if any), name, street, postal code and city, country
    (empty for none)."""
    if address is None:
        return ""
    company = [address.organization_name] if address.organization_name else []
    return "\n".join(
        [
            *company,
            address.full_name,
            address.street_and_number,
            f"{address.postal_code} {address.city}",
            address.country,
        ]
    )


def delivery_summary(order: Order) -> dict:
    """What the confirmation mail shows besides the lines: shipping, VAT per rate, the address."""
    from payments.mollie_payload import order_payment_lines
    from payments.vat import vat_by_rate

    if order.shipping_address is None:
        return {"address": "", "shipping_cents": None, "vat_lines": []}
    lines = order_payment_lines(order, default_rate=settings.SHOP_DEFAULT_VAT_RATE)
    return {
        "address": address_text(order.shipping_address),
        "shipping_cents": int(order.shipping_cents or 0),
        "vat_lines": [{"rate": rate, "cents": cents} for rate, cents in vat_by_rate(lines)],
    }
