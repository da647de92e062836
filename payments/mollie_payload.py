"""An order's `locale`, `lines`, `billingAddress` and `shippingAddress` in the shape of Mollie's Payments API
(docs.mollie.com, Create payment). Pure, and free of the mollie library: payments.mollie, the one
adapter, adds these to the payment it creates."""

from collections.abc import Callable

from payments.locales import mollie_locale, order_language
from payments.models import Address, Order
from payments.vat import PaymentLine, payment_lines
from shop.money import decimal_amount


def order_payment_lines(
    order: Order, *, default_rate: str, product_url_for: Callable[[str], str] | None = None
) -> list[PaymentLine]:
    """The order's articles and shipping as payment lines; `product_url_for(slug)` links each article."""
    lines = payment_lines(
        order.lines,
        shipping_cents=int(order.shipping_cents or 0),
        shipping_vat_rate=order.shipping_vat_rate or default_rate,
        default_rate=default_rate,
    )
    if product_url_for is None:
        return lines
    links = [product_url_for(line.slug) for line in order.lines]
    return [
        _with_link(line, link) for line, link in zip(lines, links + [None] * (len(lines) - len(links)), strict=True)
    ]


def _with_link(line: PaymentLine, link: str | None) -> PaymentLine:
    from dataclasses import replace

    return replace(line, product_url=link) if link else line


def lines_json(lines: list[PaymentLine], currency: str) -> list[dict]:
    def amount(cents):
        return {"currency": currency, "value": decimal_amount(cents)}

    payload = []
    for line in lines:
        item = {
            "type": line.kind,
            "description": line.description,
            "quantity": line.quantity,
            "unitPrice": amount(line.unit_price_cents),
            "totalAmount": amount(line.total_cents),
            "vatRate": line.vat_rate,
            "vatAmount": amount(line.vat_cents),
        }
        for name, value in (("sku", line.sku), ("imageUrl", line.image_url), ("productUrl", line.product_url)):
            if value:
                item[name] = value
        payload.append(item)
    return payload


def address_json(address: Address | None, *, email: str | None = None, billing: bool = False) -> dict | None:
    """An order's Address as Mollie's address object; None for orders from before addresses. The
    company name goes in the billing address only (organizationName: Billie requires it)."""
    if address is None:
        return None
    payload = {
        "givenName": address.given_name,
        "familyName": address.family_name or address.given_name,
        "streetAndNumber": address.street_and_number,
        "postalCode": address.postal_code,
        "city": address.city,
        "country": address.country,
    }
    if email:
        payload["email"] = email
    if address.phone:
        payload["phone"] = address.phone
    if billing and address.organization_name:
        payload["organizationName"] = address.organization_name
    return payload


def order_fields(order: Order, *, default_rate: str, product_url_for: Callable[[str], str] | None = None) -> dict:
    """What a payment for `order` carries besides its amount: the shopper's `locale` (Mollie's page
    and bank-transfer instructions in the order's language, for the delivery country), lines and
    addresses (none for an order from before addresses, which Mollie takes without them)."""
    country = order.shipping_address.country if order.shipping_address is not None else None
    fields: dict = {"locale": mollie_locale(order_language(order), country)}
    if order.shipping_address is None:
        return fields
    lines = order_payment_lines(order, default_rate=default_rate, product_url_for=product_url_for)
    fields["lines"] = lines_json(lines, order.currency)
    billing = order.billing_address or order.shipping_address
    fields["billingAddress"] = address_json(billing, email=order.customer_email, billing=True)
    # The e-mail only where the pay-later methods require it (billingAddress: klarna, in3, billie,
    # riverty); Mollie keeps what it is sent, so the shipping address goes without (docs/privacy.md).
    fields["shippingAddress"] = address_json(order.shipping_address)
    return fields
