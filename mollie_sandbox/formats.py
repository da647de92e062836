"""Wire formats shared by the sandbox: identifiers, amounts and timestamps.

Mollie sends amounts as strings with exactly two decimals and timestamps as
ISO 8601 with an explicit offset; keeping those conversions in one place
keeps every response consistent.
"""

import secrets
import string
from datetime import UTC, datetime
from decimal import Decimal

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 10) -> str:
    """Return an id such as ``tr_WDqYK6vllg``.

    ``secrets`` rather than the seeded fault generator: ids must stay unique
    even when a test re-seeds the faults to repeat a run.
    """
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


# Mollie writes amounts with the currency's decimals: none for ISK and JPY, two for the rest
# (docs.mollie.com, "Multicurrency").
ZERO_DECIMAL_CURRENCIES = frozenset({"ISK", "JPY"})


def format_value(value: Decimal, currency: str = "EUR") -> str:
    """``Decimal("10")`` -> ``"10.00"`` (``"10"`` in JPY), the only amount format Mollie accepts."""
    exponent = Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return f"{value.quantize(exponent):f}"


def amount_json(value: Decimal, currency: str) -> dict:
    return {"currency": currency, "value": format_value(value, currency)}


def iso(timestamp: float | None, precise: bool = False) -> str | None:
    """Epoch seconds -> ``2018-03-20T09:13:37+00:00`` (UTC, like Mollie)."""
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds" if precise else "seconds")
