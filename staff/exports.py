"""The orders CSV: one line per order, produced line by line so an export of any size streams."""

import csv

from shop.money import decimal_amount

COLUMNS = [
    "order_number",
    "placed_at",
    "status",
    "customer_name",
    "customer_email",
    "total",
    "refunded",
    "currency",
    "paid_at",
    "payment_attempts",
    "latest_payment_status",
    "latest_mollie_payment_id",
    "payment_method",
    "charged_back",
    "needs_attention",
    "attention_reason",
]
# A cell starting with one of these is run as a formula by spreadsheet programs; customer names
# are typed by anyone, so such cells get a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """csv.writer writes into this and gets the line back, instead of into a file."""

    def write(self, line):
        return line


def order_lines(orders):
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for order in orders:
        yield writer.writerow([_cell(value) for value in _row(order)])


def _row(order):
    return [
        order.order_id,
        order.created_at.isoformat(),
        order.status,
        order.customer_name,
        order.customer_email,
        decimal_amount(order.total_cents),
        decimal_amount(order.amount_refunded_cents),
        order.currency,
        order.paid_at.isoformat() if order.paid_at else "",
        order.attempt_count,
        order.latest_attempt_status or "",
        order.latest_mollie_payment_id or "",
        order.latest_method or "",
        decimal_amount(order.amount_charged_back_cents or 0),
        "yes" if order.needs_attention else "no",
        order.attention_reason or "",
    ]


def _cell(value):
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
