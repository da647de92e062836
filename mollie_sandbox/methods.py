"""The payment methods the sandbox offers: limits, currencies, images and ``details``.

One catalogue serves ``/v2/methods``, the checks on a payment's ``method``, the hosted checkout's
method choice and the ``details`` a payment gets once the shopper used a method.
"""

import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from .errors import unprocessable
from .formats import ZERO_DECIMAL_CURRENCIES, format_value


@dataclass(frozen=True)
class Method:
    id: str
    description: str
    minimum: Decimal
    maximum: Decimal
    currencies: frozenset[str]
    colour: str  # for the sandbox's own images
    # Pay later: the billing countries the method serves (None: any) and what it needs.
    countries: frozenset[str] | None = None
    pay_later: bool = False
    needs_manual_capture: bool = False  # Riverty: "captureMode: manual" is required
    for_businesses: bool = False  # Billie: billingAddress.organizationName is required


def _currencies(codes: str) -> frozenset[str]:
    return frozenset(codes.split())


# Currencies per method, from Mollie's multicurrency guide (docs.mollie.com/docs/multicurrency,
# "Supported currencies"): EUR works with every method; cards and PayPal take more; iDEAL and
# Bancontact take EUR only, and SEPA bank transfer is EUR too.
_CARD_CURRENCIES = _currencies("AED AUD CAD CHF CZK DKK EUR GBP HKD HUF ILS ISK JPY NOK NZD PLN RON SEK SGD USD ZAR")
_PAYPAL_CURRENCIES = _currencies(
    "AUD BRL CAD CHF CZK DKK EUR GBP HKD HUF ILS JPY MXN MYR NOK NZD PHP PLN SEK SGD THB TWD USD"
)
_EUR_ONLY = frozenset({"EUR"})

# The sandbox's profile, in the order its checkout shows them. Mollie's Methods API gives
# minimumAmount/maximumAmount per method and profile (docs.mollie.com, "List payment methods");
# EUR 50,000.00 is the usual ceiling, cards and PayPal stop lower.
METHODS: dict[str, Method] = {
    method.id: method
    for method in (
        Method("ideal", "iDEAL", Decimal("0.01"), Decimal("50000.00"), _EUR_ONLY, "#cc0066"),
        Method("creditcard", "Credit card", Decimal("0.01"), Decimal("10000.00"), _CARD_CURRENCIES, "#1a1f71"),
        Method("bancontact", "Bancontact", Decimal("0.02"), Decimal("50000.00"), _EUR_ONLY, "#005498"),
        Method("banktransfer", "Bank transfer", Decimal("0.01"), Decimal("50000.00"), _EUR_ONLY, "#2e7d32"),
        Method("paypal", "PayPal", Decimal("0.01"), Decimal("10000.00"), _PAYPAL_CURRENCIES, "#003087"),
        # Pay later (docs.mollie.com, "Klarna", "Riverty", "in3", "Billie"; BEHAVIOUR.md "Lines,
        # addresses and pay later"): EUR only, for the countries each serves. The limits are this
        # sandbox profile's, as a real profile's come from /v2/methods; in3 (three terms, Dutch
        # shoppers only) starts at EUR 100.00, Billie is for businesses (below).
        Method(
            "klarna",
            "Pay later with Klarna",
            Decimal("1.00"),
            Decimal("10000.00"),
            _EUR_ONLY,
            "#ffb3c7",
            countries=frozenset(["AT", "BE", "DE", "DK", "ES", "FI", "FR", "IT", "NL", "NO", "SE"]),
            pay_later=True,
        ),
        Method(
            "riverty",
            "Pay in 30 days with Riverty",
            Decimal("5.00"),
            Decimal("1500.00"),
            _EUR_ONLY,
            "#0e4b3b",
            countries=frozenset(["AT", "BE", "DE", "NL"]),
            pay_later=True,
            needs_manual_capture=True,
        ),
        Method(
            "in3",
            "Pay in 3 terms with in3",
            Decimal("100.00"),
            Decimal("5000.00"),
            _EUR_ONLY,
            "#1e2a78",
            countries=frozenset({"NL"}),
            pay_later=True,
        ),
        # Billie: docs.mollie.com/docs/billie, "Key information": EUR for DE, AT, NL and FR, from
        # EUR 0.01 to EUR 25,000.00; billingAddress.organizationName among the required fields.
        Method(
            "billie",
            "Pay by invoice for businesses with Billie",
            Decimal("0.01"),
            Decimal("25000.00"),
            _EUR_ONLY,
            "#00a76d",
            countries=frozenset(["AT", "DE", "FR", "NL"]),
            pay_later=True,
            for_businesses=True,
        ),
    )
}
PAY_LATER = frozenset(method.id for method in METHODS.values() if method.pay_later)

# Every currency Mollie takes at all (the same guide).
SUPPORTED_CURRENCIES = frozenset().union(*(method.currencies for method in METHODS.values()))


def decimals(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 2


def fits(method: Method, value: Decimal, currency: str) -> bool:
    return currency in method.currencies and method.minimum <= value <= method.maximum


def serves(method: Method, country: str | None) -> bool:
    return country is None or method.countries is None or country in method.countries


def fitting(value: Decimal | None, currency: str, allowed=None, billing_country: str | None = None) -> list[Method]:
    """The methods a payment of ``value`` (None: any amount) in ``currency`` can use; with
    ``billing_country``, only those that serve it ("billingCountry", docs.mollie.com, "List payment
    methods": pay-later methods are offered only where they work)."""
    return [
        method
        for method in METHODS.values()
        if (allowed is None or method.id in allowed)
        and currency in method.currencies
        and (value is None or method.minimum <= value <= method.maximum)
        and serves(method, billing_country)
    ]


def check_fits(method_choice, value: Decimal, currency: str) -> None:
    """422 as Mollie answers a payment its method(s) cannot take.

    ``method_choice``: None (the shopper chooses from all), one id or a list of ids. Mollie refuses
    a currency the method does not support on ``amount.currency`` and an amount outside the
    method's minimumAmount/maximumAmount on ``amount`` ("The amount is lower than the minimum",
    docs.mollie.com, "Create payment": amount and method).
    """
    ids = [method_choice] if isinstance(method_choice, str) else method_choice
    candidates = [METHODS[method_id] for method_id in ids] if ids else list(METHODS.values())
    in_currency = [method for method in candidates if currency in method.currencies]
    if not in_currency:
        names = ", ".join(method.description for method in candidates)
        raise unprocessable(f"The currency {currency} is not supported by {names}", "amount.currency")
    if any(fits(method, value, currency) for method in in_currency):
        return
    if value < min(method.minimum for method in in_currency):
        raise unprocessable("The amount is lower than the minimum", "amount")
    raise unprocessable("The amount is higher than the maximum", "amount")


# -- images: small drawings of the sandbox's own, so nothing is fetched from the internet ------


def svg_image(method: Method) -> bytes:
    label = method.description.replace("&", "&amp;")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="24" viewBox="0 0 32 24" role="img" '
        f'aria-label="{label}"><rect width="32" height="24" rx="4" fill="{method.colour}"/>'
        '<text x="16" y="16" font-family="sans-serif" font-size="9" font-weight="bold" fill="#fff" '
        f'text-anchor="middle">{label[:3]}</text></svg>'
    ).encode()


def png_image(method: Method, scale: int) -> bytes:
    """A plain rectangle in the method's colour, 32x24 (size1x) or 64x48 (size2x)."""
    width, height = 32 * scale, 24 * scale
    rgb = bytes.fromhex(method.colour.lstrip("#"))
    rows = b"".join(b"\x00" + rgb * width for _ in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def image_links(method_id: str, base: str) -> dict:
    images = f"{base}/images/methods/{method_id}"
    # Mollie's own links escape the "@" of the 2x image (methods_list.json).
    return {"size1x": f"{images}.png", "size2x": f"{images}%402x.png", "svg": f"{images}.svg"}


def amount_limit_json(value: Decimal, currency: str) -> dict:
    return {"value": format_value(value, currency), "currency": currency}


# -- details: what a payment shows about the method once the shopper used it ----------------------
# Field names as in Mollie's payment object ("Payment method-specific details",
# docs.mollie.com, "Get payment"). The people and accounts are test values; the IBANs are valid.

# Where the shopper transfers the money to: Mollie's foundation for customer funds.
MOLLIE_BANK = {"bankName": "Stichting Mollie Payments", "bankAccount": "NL91ABNA0417164300", "bankBic": "ABNANL2A"}
TEST_CONSUMER = {"consumerName": "T. TEST", "consumerAccount": "NL69INGB0123456789", "consumerBic": "INGBNL2A"}
TEST_CARD = {
    "cardHolder": "T. TEST",
    "cardNumber": "4242",  # Mollie shows the last four digits only
    "cardLabel": "Visa",
    "cardCountryCode": "NL",
    "cardAudience": "consumer",
    "cardSecurity": "normal",
    "feeRegion": "intra-eu",
}


def structured_reference(digits: str) -> str:
    """An ISO 11649 creditor reference, ``RF12-3456-7890-1234``: what Mollie's transfers carry."""
    numeric = "".join(str(int(char, 36)) for char in digits + "RF00")
    check = 98 - int(numeric) % 97
    reference = f"RF{check:02d}{digits}"
    return "-".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def transfer_instructions(reference_digits: str) -> dict:
    """Bank transfer ``details`` as soon as it is chosen: what the shopper needs to pay."""
    return {**MOLLIE_BANK, "transferReference": structured_reference(reference_digits)}


def details_when_used(method_id: str, details: dict | None) -> dict | None:
    """``details`` once the shopper finished paying with ``method_id``: who paid, from where."""
    if method_id == "creditcard":
        return dict(TEST_CARD)
    if method_id == "ideal":
        return dict(TEST_CONSUMER)
    if method_id == "bancontact":
        return {"cardNumber": "1234", **TEST_CONSUMER}
    if method_id == "paypal":
        return {
            "consumerName": "T. TEST",
            "consumerAccount": "test@example.org",
            "paypalReference": "9AL35361CF606152E",
        }
    if method_id == "banktransfer":
        # The transfer arrived: Mollie adds who sent it to the instructions.
        return {**(details or {}), **TEST_CONSUMER}
    return details
