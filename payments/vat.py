"""The arithmetic of prices that include VAT, in integer cents: each line's VAT exactly as Mollie
checks it, the shipping cost of a cart, and the lines a payment is created with. Pure: no I/O.

Mollie refuses (422 on `lines.N.vatAmount`) a line whose vatAmount is not
`totalAmount × vatRate / (100 + vatRate)` to the cent: "Any deviations from this will result in
an error" (docs.mollie.com, Create payment, lines.vatAmount). Each line's VAT is computed from that
line's own total, so every line passes on its own and the lines add up to the amount by
construction (no VAT spread over lines, no rounding carried from one line to the next).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# Mollie's vatRate: a string with up to two decimals ("21.00", "9", "5.5").
RATE_PATTERN = re.compile(r"^\d{1,2}(\.\d{1,2})?$")

# Mollie's line types we send (the Payments API `lines[].type`).
PHYSICAL = "physical"
SHIPPING_FEE = "shipping_fee"


def rate_fraction(rate: str) -> Fraction:
    """ "21.00" -> 21 exactly; ValueError for what Mollie would not take as a vatRate."""
    if not isinstance(rate, str) or not RATE_PATTERN.match(rate):
        raise ValueError(f"not a VAT rate: {rate!r}")
    return Fraction(rate)


def format_rate(rate: str) -> str:
    """A rate as Mollie shows it: two decimals ("9" -> "9.00")."""
    return f"{float(rate_fraction(rate)):.2f}"


def vat_cents(total_cents: int, rate: str) -> int:
    """The VAT included in `total_cents` at `rate`, rounded to the nearest cent, halves away from
    zero (Mollie's examples round -0.5448 to -0.54; exact halves, possible at rates such as 20%,
    round as PHP's round(), which Mollie's API is written in)."""
    rate_value = rate_fraction(rate)
    exact = Fraction(total_cents) * rate_value / (100 + rate_value)
    whole, remainder = divmod(abs(exact), 1)
    rounded = int(whole) + (1 if remainder >= Fraction(1, 2) else 0)
    return rounded if exact >= 0 else -rounded


def shipping_cents(*, price_cents: int, free_above_cents: int | None, subtotal_cents: int) -> int:
    """A zone's shipping cost for a cart of `subtotal_cents`: free from `free_above_cents` on."""
    if free_above_cents is not None and subtotal_cents >= free_above_cents:
        return 0
    return price_cents


@dataclass(frozen=True)
class PaymentLine:
    """One of the payment's `lines` as Mollie takes them, in cents."""

    kind: str
    description: str
    quantity: int
    unit_price_cents: int
    vat_rate: str
    sku: str | None = None
    image_url: str | None = None
    product_url: str | None = None

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity

    @property
    def vat_cents(self) -> int:
        return vat_cents(self.total_cents, self.vat_rate)


def payment_lines(
    order_lines: Iterable[Any], *, shipping_cents: int, shipping_vat_rate: str, default_rate: str
) -> list[PaymentLine]:
    """Each article as a `physical` line, and shipping as a `shipping_fee` line when it costs
    something. `order_lines` need name, quantity, unit_price_cents, vat_rate (None: `default_rate`,
    an order from before VAT rates) and sku."""
    lines = [
        PaymentLine(
            kind=PHYSICAL,
            description=str(line.name)[:255],
            quantity=int(line.quantity),
            unit_price_cents=int(line.unit_price_cents),
            vat_rate=format_rate(line.vat_rate or default_rate),
            sku=(line.sku or None) and str(line.sku)[:64],
            image_url=getattr(line, "image_url", None),
            product_url=getattr(line, "product_url", None),
        )
        for line in order_lines
    ]
    if shipping_cents:
        lines.append(
            PaymentLine(
                kind=SHIPPING_FEE,
                description="Shipping",
                quantity=1,
                unit_price_cents=shipping_cents,
                vat_rate=format_rate(shipping_vat_rate),
            )
        )
    return lines


def vat_by_rate(lines: list[PaymentLine]) -> list[tuple[str, int]]:
    """The VAT included per rate, highest rate first: what the cart and the confirmation show."""
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.vat_rate] += line.vat_cents
    return sorted(totals.items(), key=lambda item: -rate_fraction(item[0]))
