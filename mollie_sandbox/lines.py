"""Checks of a payment's `lines`, `billingAddress` and `shippingAddress`, as Mollie makes them.

Sources (docs.mollie.com, "Create payment", Payments API since April 2025; Mollie's OpenAPI
description, github.com/mollie/openapi specs.yaml; /work/shared/reference/mollie/BEHAVIOUR.md):
- a line has `description`, `quantity` (an integer of at least 1), `unitPrice` and `totalAmount`
  (amounts in the payment's currency), optional `type` (physical, digital, shipping_fee, discount,
  store_credit, gift_card, surcharge), `discountAmount`, `vatRate` (a string, "21.00"),
  `vatAmount`, `sku` (at most 64 characters), `imageUrl` and `productUrl`;
- `totalAmount = unitPrice × quantity − discountAmount`;
- `vatAmount = totalAmount × vatRate / (100 + vatRate)`: "Any deviations from this will result in
  an error" (lines.vatAmount), so the sandbox wants it to the cent, halves rounded away from zero;
  Mollie names the line in `field` ("lines.3.vatAmount", mollie/shopware#63);
- the lines' totalAmounts add up to the payment's `amount`;
- an address: "If any of the fields is provided, all fields have to be provided with exception of
  the region field" (the address object) — streetAndNumber, postalCode, city and country; country
  is ISO 3166-1 alpha-2; `phone` is in E.164 format; `email` an e-mail address.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from .errors import unprocessable

LINE_TYPES = frozenset({"physical", "digital", "shipping_fee", "discount", "store_credit", "gift_card", "surcharge"})
SKU_MAX = 64
DESCRIPTION_MAX = 255
ADDRESS_REQUIRED = ("streetAndNumber", "postalCode", "city", "country")
ADDRESS_TEXT = ("title", "givenName", "familyName", "organizationName", "streetAdditional", "region", *ADDRESS_REQUIRED)

_RATE = re.compile(r"^\d{1,2}(\.\d{1,2})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def expected_vat(total: Decimal, rate: Decimal) -> Decimal:
    """Mollie's vatAmount for a line: total × rate / (100 + rate), to the cent."""
    return (total * rate / (100 + rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_lines(raw, amount: Decimal, currency: str, parse_amount, check_url) -> list | None:
    """The lines as sent, or None when there are none; 422 with the field of the first fault."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise unprocessable("The lines must be a non-empty array", "lines")
    total = Decimal(0)
    for number, line in enumerate(raw):
        total += _check_line(line, f"lines.{number}", currency, parse_amount, check_url)
    if total != amount:
        raise unprocessable(
            f"The amount of the lines ({currency} {total}) does not match the payment amount ({currency} {amount})",
            "amount",
        )
    return raw


def _check_line(line, field, currency, parse_amount, check_url) -> Decimal:
    if not isinstance(line, dict):
        raise unprocessable("The line must be an object", field)
    line_type = line.get("type", "physical")
    if line_type not in LINE_TYPES:
        raise unprocessable(f"The line type {line_type!r} is invalid", f"{field}.type")
    description = line.get("description")
    if not isinstance(description, str) or not description.strip() or len(description) > DESCRIPTION_MAX:
        raise unprocessable("The line description is required, at most 255 characters", f"{field}.description")
    quantity = line.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise unprocessable("The line quantity must be a whole number of at least 1", f"{field}.quantity")
    amounts = {}
    for name in ("unitPrice", "totalAmount", "discountAmount", "vatAmount"):
        if name in line:
            value, line_currency = parse_amount(line[name], f"{field}.{name}")
            if line_currency != currency:
                raise unprocessable("The line currency must match the payment currency", f"{field}.{name}.currency")
            amounts[name] = value
    for name in ("unitPrice", "totalAmount"):
        if name not in amounts:
            raise unprocessable(f"The line {name} is required", f"{field}.{name}")
    expected_total = amounts["unitPrice"] * quantity - amounts.get("discountAmount", Decimal(0))
    if amounts["totalAmount"] != expected_total:
        raise unprocessable(
            f"The line total amount is off: expected {currency} {expected_total} "
            f"({amounts['unitPrice']} × {quantity} − discount), got {currency} {amounts['totalAmount']}",
            f"{field}.totalAmount",
        )
    _check_vat(line, amounts, field, currency)
    sku = line.get("sku")
    if sku is not None and (not isinstance(sku, str) or len(sku) > SKU_MAX):
        raise unprocessable(f"The line SKU must be a string of at most {SKU_MAX} characters", f"{field}.sku")
    for name in ("imageUrl", "productUrl"):
        check_url(line.get(name), f"{field}.{name}")
    return amounts["totalAmount"]


def _check_vat(line, amounts, field, currency):
    rate_text = line.get("vatRate")
    if rate_text is None and "vatAmount" not in amounts:
        return
    if not isinstance(rate_text, str) or not _RATE.match(rate_text):
        raise unprocessable('The line VAT rate must be a string like "21.00"', f"{field}.vatRate")
    if "vatAmount" not in amounts:
        raise unprocessable("The line VAT amount is required with a VAT rate", f"{field}.vatAmount")
    rate = Decimal(rate_text)
    expected = expected_vat(amounts["totalAmount"], rate)
    if amounts["vatAmount"] != expected:
        raise unprocessable(
            f"The line VAT amount is off. Expected VAT amount to be {currency} {expected} "
            f"({currency} {amounts['totalAmount']} × ({rate:.2f}% / {100 + rate:.2f}%)), "
            f"got {currency} {amounts['vatAmount']}",
            f"{field}.vatAmount",
        )


def check_address(raw, field: str) -> dict | None:
    """The address as sent, or None; 422 naming the missing or malformed field."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise unprocessable(f"The {field} must be an object", field)
    for name in ADDRESS_TEXT:
        if name in raw and not isinstance(raw[name], str):
            raise unprocessable(f"The {field} {name} must be a string", f"{field}.{name}")
    for name in ADDRESS_REQUIRED:
        if not str(raw.get(name) or "").strip():
            raise unprocessable(f"The {field} {name} is required when an address is given", f"{field}.{name}")
    if not _COUNTRY.match(raw["country"]):
        raise unprocessable("The country must be an ISO 3166-1 alpha-2 code, like NL", f"{field}.country")
    phone = raw.get("phone")
    if phone is not None and (not isinstance(phone, str) or not _E164.match(phone)):
        raise unprocessable("The phone number must be in E.164 format, like +31208202070", f"{field}.phone")
    email = raw.get("email")
    if email is not None and (not isinstance(email, str) or not _EMAIL.match(email)):
        raise unprocessable("The email address is invalid", f"{field}.email")
    return raw
