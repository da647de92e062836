"""Validation of request bodies, answering 422 with ``field`` like Mollie.

Each ``*_fields`` function takes the decoded body (JSON object or nested
form fields) and returns only the fields the sandbox keeps, already cleaned,
or raises :class:`ApiError`.  Unknown fields are ignored, as Mollie does for
most of them.
"""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from . import lines, methods, pay_later
from .errors import unprocessable
from .methods import METHODS, SUPPORTED_CURRENCIES

# The checkout locales of Mollie's description: the enum of components.schemas.locale in specs.yaml
# (github.com/mollie/openapi; cfbba47 of 2026-08-21 lists 28), plus el_GR, sl_SI and tr_TR, which
# the newer description mollie-api-py 1.10.20 is generated from adds. Anything else is refused.
LOCALES = frozenset(
    [
        "en_US",
        "en_BE",
        "en_NL",
        "de_LU",
        "fr_LU",
        "cs_CZ",
        "el_GR",
        "sk_SK",
        "sl_SI",
        "tr_TR",
        "en_GB",
        "nl_NL",
        "nl_BE",
        "fr_FR",
        "fr_BE",
        "de_DE",
        "de_AT",
        "de_CH",
        "es_ES",
        "ca_ES",
        "pt_PT",
        "it_IT",
        "nb_NO",
        "sv_SE",
        "fi_FI",
        "da_DK",
        "is_IS",
        "hu_HU",
        "pl_PL",
        "lv_LV",
        "lt_LT",
    ]
)

INVALID_LOCALE = "The locale is invalid"  # Mollie's words

MINIMUM_AMOUNT = Decimal("0.01")
METADATA_MAX_BYTES = 1024
DESCRIPTION_MAX = 255

_VALUE = re.compile(r"^\d+\.\d{2}$")
_WHOLE_VALUE = re.compile(r"^\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def parse_amount(raw, field: str = "amount") -> tuple[Decimal, str]:
    """``{"currency": "EUR", "value": "10.00"}`` -> ``(Decimal("10.00"), "EUR")``."""
    if raw is None or raw == "":
        raise unprocessable(f"The {field} is required", field)
    if not isinstance(raw, dict):
        raise unprocessable(f"The {field} must be an object with currency and value", field)
    currency = raw.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise unprocessable("The currency must be a 3-letter ISO 4217 code", f"{field}.currency")
    # Only the currencies of Mollie's multicurrency guide (docs.mollie.com/docs/multicurrency).
    if currency not in SUPPORTED_CURRENCIES:
        raise unprocessable(f"The currency {currency} is not supported", f"{field}.currency")
    value = raw.get("value")
    # Mollie wants a string with the currency's decimals: two ("10.00"), none for ISK and JPY
    # ("1000"); a JSON number is refused.
    pattern = _VALUE if methods.decimals(currency) == 2 else _WHOLE_VALUE
    if not isinstance(value, str) or not pattern.match(value):
        example = "10.00" if pattern is _VALUE else "1000"
        raise unprocessable(
            f'The amount contains an invalid value; send a string with the currency\'s decimals, like "{example}"',
            f"{field}.value",
        )
    return Decimal(value), currency


def check_url(value, field: str, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise unprocessable(f"The {field} is required", field)
        return None
    if not isinstance(value, str):
        raise unprocessable(f"The {field} is invalid", field)
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 literal)
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise unprocessable(f"The {field} is invalid: it must be an http or https URL", field)
    return value


def is_unreachable_from_mollie(url: str) -> bool:
    """A host Mollie's servers cannot call: loopback, private, link-local or a local name."""
    import ipaddress

    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host in ("localhost", "") or host.endswith((".localhost", ".local", ".internal", ".lan")) or "." not in host:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def check_webhook_url(value, strict: bool) -> str | None:
    """Strict mode, as Mollie: 422 on webhookUrl "The webhook URL is invalid because it is
    unreachable from Mollie's point of view" for localhost, 127.0.0.1 and other hosts the
    internet cannot reach (create-payment reference; mollie/magento2#230; mollie/laravel-mollie#138).
    The default mode calls local webhooks, which the local stack needs."""
    url = check_url(value, "webhookUrl")
    if url and strict and is_unreachable_from_mollie(url):
        raise unprocessable(
            "The webhook URL is invalid because it is unreachable from Mollie's point of view", "webhookUrl"
        )
    return url


def check_description(value, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise unprocessable("The description is required", "description")
        return None
    if not isinstance(value, str):
        raise unprocessable("The description must be a string", "description")
    if len(value) > DESCRIPTION_MAX:
        raise unprocessable(f"The description is longer than {DESCRIPTION_MAX} characters", "description")
    return value


def check_metadata(value):
    try:
        encoded = json.dumps(value)
    except (TypeError, ValueError):
        raise unprocessable("The metadata is not valid JSON", "metadata") from None
    if len(encoded.encode()) > METADATA_MAX_BYTES:
        raise unprocessable(f"The metadata is larger than {METADATA_MAX_BYTES} bytes", "metadata")
    return value


def check_method(value):
    """A method id or a list of them; ``None`` lets the customer choose."""
    if value is None or value == "":
        return None
    methods = value if isinstance(value, list) else [value]
    for method in methods:
        if not isinstance(method, str) or method not in METHODS:
            raise unprocessable(f"The payment method {method!r} is invalid or not enabled", "method")
    return value


def check_locale(value) -> str | None:
    """One of LOCALES, or none (Mollie then follows the browser's language). Anything else gets
    Mollie's own answer: 422, detail "The locale is invalid", field `locale` (specs.yaml's example
    of it; mollie/OpenCart#156, mollie/magento2#170, zwaldeck/mollie#57 quote Mollie's body). The
    description's prose allows "any xx_XX format ISO 15897 locale", yet Mollie refused well-formed
    ones outside the list (en_GB before Mollie added it, magento2#170), as the enum says."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in LOCALES:
        raise unprocessable(INVALID_LOCALE, "locale")
    return value


def check_due_date(value, today: date) -> str | None:
    """Bank transfer's ``dueDate``: YYYY-MM-DD, "the minimum date is tomorrow and the maximum date
    is 100 days after tomorrow" (docs.mollie.com, "Create payment", method-specific parameters)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        raise unprocessable("The due date is invalid; use the format YYYY-MM-DD", "dueDate")
    try:
        due = date.fromisoformat(value)
    except ValueError:
        raise unprocessable("The due date is invalid; use the format YYYY-MM-DD", "dueDate") from None
    tomorrow = today + timedelta(days=1)
    if not tomorrow <= due <= tomorrow + timedelta(days=100):
        raise unprocessable("The due date must be from tomorrow up to 100 days after tomorrow", "dueDate")
    return value


# Fields that may be changed after creation, with their checks (PATCH).
_UPDATABLE = {
    "description": lambda v: check_description(v, required=True),
    "redirectUrl": lambda v: check_url(v, "redirectUrl", required=True),
    "cancelUrl": lambda v: check_url(v, "cancelUrl"),
    "webhookUrl": lambda v: check_url(v, "webhookUrl"),
    "metadata": check_metadata,
    "method": check_method,
    "locale": check_locale,
}


def payment_create_fields(body: dict, today: date, strict: bool = False) -> dict:
    value, currency = parse_amount(body.get("amount"))
    fields = {"value": value, "currency": currency}
    fields["description"] = check_description(body.get("description"), required=True)
    fields["redirectUrl"] = check_url(body.get("redirectUrl"), "redirectUrl", required=True)
    for name in ("cancelUrl", "metadata", "method", "locale"):
        fields[name] = _UPDATABLE[name](body.get(name))
    methods.check_fits(fields["method"], value, currency)
    fields["webhookUrl"] = check_webhook_url(body.get("webhookUrl"), strict)
    fields["dueDate"] = check_due_date(body.get("dueDate"), today)
    fields["lines"] = lines.check_lines(body.get("lines"), value, currency, parse_amount, check_url)
    fields["billingAddress"] = lines.check_address(body.get("billingAddress"), "billingAddress")
    fields["shippingAddress"] = lines.check_address(body.get("shippingAddress"), "shippingAddress")
    check_unemulated_choice(body, "sequenceType", "oneoff", ("first", "recurring"))
    fields["captureMode"] = pay_later.check_capture_mode(body.get("captureMode"))
    pay_later.check_create(fields)
    return fields


def check_unemulated_choice(body: dict, field: str, emulated: str, described: tuple[str, ...]) -> None:
    """An enum of Mollie's description of which the sandbox emulates one value: the others, a 422.

    Mollie refuses a value outside the enum (422 on the field); a described value the sandbox does
    not emulate (recurring payments) is refused too rather than silently ignored.
    """
    value = body.get(field)
    if value is None or value == emulated:
        return
    if value in described:
        raise unprocessable(f"The Mollie sandbox does not emulate {field} {value!r}; only {emulated!r}", field)
    raise unprocessable(f"The {field} {value!r} is invalid", field)


def payment_update_fields(body: dict, strict: bool = False) -> dict:
    fields = {name: check(body[name]) for name, check in _UPDATABLE.items() if name in body}
    if "webhookUrl" in body:
        fields["webhookUrl"] = check_webhook_url(body["webhookUrl"], strict)
    return fields


def refund_create_fields(body: dict) -> dict:
    value, currency = parse_amount(body.get("amount"))
    if value < MINIMUM_AMOUNT:
        raise unprocessable("The amount is lower than the minimum", "amount")
    return {
        "value": value,
        "currency": currency,
        "description": check_description(body.get("description"), required=False) or "",
        "metadata": check_metadata(body.get("metadata")),
    }


def capture_create_fields(body: dict) -> dict:
    """A capture (specs.yaml, create-capture: entity-capture): `amount` optional ("If no amount is
    provided, the full authorized amount is captured"), `description` (max 255) and `metadata`."""
    fields: dict = {"value": None, "currency": None}
    if body.get("amount") is not None:
        fields["value"], fields["currency"] = parse_amount(body.get("amount"))
        if fields["value"] < MINIMUM_AMOUNT:
            raise unprocessable("The amount is lower than the minimum", "amount")
    fields["description"] = check_description(body.get("description"), required=False) or ""
    fields["metadata"] = check_metadata(body.get("metadata"))
    return fields
