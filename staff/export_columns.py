"""The CSV export's delivery columns: addresses, shipping cost, VAT per rate and fulfilment; and,
added later at the end, the companies of both addresses. Empty for orders from before addresses and
VAT. Pure: reads the order item only (no extra call)."""

from django.conf import settings

from payments.mollie_payload import order_payment_lines
from payments.vat import vat_by_rate
from shop.money import decimal_amount

DELIVERY_COLUMNS = [
    "shipping",
    "vat",
    "vat_by_rate",
    "fulfilment",
    "shipping_name",
    "shipping_street",
    "shipping_postal_code",
    "shipping_city",
    "shipping_country",
    "shipping_phone",
    "billing_name",
    "billing_street",
    "billing_postal_code",
    "billing_city",
    "billing_country",
]

# Billie's organizationName in each address (the billing one is the delivery one's unless it differs).
COMPANY_COLUMNS = ["shipping_company", "billing_company"]


def delivery_row(order) -> list:
    if order.shipping_address is None:
        return [""] * len(DELIVERY_COLUMNS)
    lines = order_payment_lines(order, default_rate=settings.SHOP_DEFAULT_VAT_RATE)
    by_rate = vat_by_rate(lines)
    return [
        decimal_amount(int(order.shipping_cents or 0)),
        decimal_amount(sum(cents for _, cents in by_rate)),
        "; ".join(f"{rate}%: {decimal_amount(cents)}" for rate, cents in by_rate),
        fulfilment_state(order),
        *_address(order.shipping_address, phone=True),
        *_address(order.billing_address or order.shipping_address, phone=False),
    ]


def fulfilment_state(order) -> str:
    if order.is_to_ship:
        return "partly shipped" if order.shipment_count else "to ship"
    return "shipped" if order.shipment_count else ""


def _address(address, *, phone):
    cells = [address.full_name, address.street_and_number, address.postal_code, address.city, address.country]
    return [*cells, address.phone or ""] if phone else cells


def company_row(order) -> list:
    if order.shipping_address is None:
        return [""] * len(COMPANY_COLUMNS)
    billing = order.billing_address or order.shipping_address
    return [order.shipping_address.organization_name or "", billing.organization_name or ""]
