"""What the shop may keep, and for how long (GDPR art. 5(1)(e), issue 32). Pure: when an order is
closed, when its personal data goes and when its accounting record goes, and what anonymising an
order and everything stored with it means. privacy.retention stores what these decide.

Anonymised keeps what the books need: order number, dates, lines, VAT, amounts, the country (VAT
is due where the parcel went), Mollie ids and statuses. It removes the rest of each place below.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from notifications.models import MailKind, MailStatus
from payments.enums import OrderStatus

ERASED = "[erased]"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: .invalid never delivers

# The personal fields of each place, one list (the docs and the erasure report name them from here).
PERSONAL_FIELDS = {
    "orders": ("customer_name", "customer_email", "shipping_address", "billing_address", "possible_duplicate_of"),
    "order and attempt method details": ("cardHolder", "cardNumber", "consumerName", "consumerAccount", "consumerBic"),
    "addresses (the country stays)": (
        "given_name",
        "family_name",
        "organization_name",
        "street_and_number",
        "postal_code",
        "city",
        "phone",
    ),
    "payment_attempts": ("method_details", "checkout_url"),
    "refunds": ("description (names quoted in it)",),
    "shipments": ("tracking_url (carries the postal code)",),
    "payment_events": ("message (names, e-mail, address quoted in it)",),
    "outbox": ("to_addresses", "subject", "text_body", "html_body"),
}
METHOD_DETAIL_FIELDS = PERSONAL_FIELDS["order and attempt method details"]
ADDRESS_FIELDS = PERSONAL_FIELDS["addresses (the country stays)"]
OPTIONAL_ADDRESS_FIELDS = frozenset({"phone", "organization_name"})  # erased to none, as if never given
OPEN_STATUSES = frozenset({OrderStatus.PENDING_PAYMENT})


@dataclass(frozen=True)
class Clock:
    """The three periods, from settings: PERSONAL_DATA_RETENTION_DAYS, ACCOUNTING_RETENTION_YEARS
    and CHARGEBACK_LOOKBACK_DAYS (how long after a payment a card's bank may still take it back)."""

    personal_days: int
    accounting_years: int
    chargeback_days: int

    @classmethod
    def from_settings(cls):
        from django.conf import settings

        return cls(
            settings.PERSONAL_DATA_RETENTION_DAYS,
            settings.ACCOUNTING_RETENTION_YEARS,
            settings.CHARGEBACK_LOOKBACK_DAYS,
        )


def is_anonymised(order) -> bool:
    return (order.customer_email or "").endswith("@" + ERASED_DOMAIN)


def kept_because(order, *, last_activity_at, clock: Clock, now) -> tuple[str, datetime | None] | None:
    """Why the law (or the shop's duty to the shopper) keeps this order's personal data now, and
    until when if that is known; None when it is closed. `last_activity_at`: the latest payment,
    shipment or refund of the order."""
    reason = _open_because(order)
    if reason is not None:
        return (reason, None)
    closed = closed_at(order, last_activity_at=last_activity_at, clock=clock)
    if order.paid_at is not None and closed is not None and now < closed:
        return ("within its refund and chargeback window", closed)
    return None


def _open_because(order) -> str | None:
    if order.status in OPEN_STATUSES:
        return "open: waiting for payment"
    if order.needs_attention or int(order.amount_charged_back_cents or 0):
        return "a matter staff have not closed (needs attention or a chargeback)"
    if order.is_to_ship:
        return "paid and not shipped yet"
    return None


def closed_at(order, *, last_activity_at, clock: Clock) -> datetime | None:
    """When the order closed for good: its chargeback window over, or when it ended unpaid (no
    money moved, nothing can be claimed back); None while it may still change."""
    if _open_because(order) is not None:
        return None
    if order.paid_at is None:
        return order.closed_at or order.updated_at
    return max(order.paid_at, last_activity_at or order.paid_at) + timedelta(days=clock.chargeback_days)


def anonymise_due(order, *, last_activity_at, clock: Clock, now) -> bool:
    closed = closed_at(order, last_activity_at=last_activity_at, clock=clock)
    return closed is not None and now >= closed + timedelta(days=clock.personal_days)


def accounting_until(order, clock: Clock) -> datetime:
    """Books are kept for N years after the end of the financial year of the order (art. 52 AWR)."""
    return datetime(order.created_at.year + 1 + clock.accounting_years, 1, 1, tzinfo=UTC)


def earliest_created_for_anonymising(clock: Clock, now) -> datetime:
    """No order created after this can be due: the chargeback window and the retention both follow
    its creation. What a scheduled run's Query range ends at."""
    return now - timedelta(days=clock.personal_days)


def personal_values(order) -> list[str]:
    """The strings that identify the shopper of `order`, longest first, to find them quoted."""
    values = {order.customer_name, order.customer_email}
    for address in (order.shipping_address, order.billing_address):
        if address is not None:
            values.update(getattr(address, name) for name in ADDRESS_FIELDS)
            values.add(address.full_name)
    details = order.latest_method_details
    if details is not None:
        values.update(getattr(details, name) for name in METHOD_DETAIL_FIELDS)
    return sorted({value for value in values if value and len(value.strip()) >= 2}, key=len, reverse=True)


def redact(text, values) -> str:
    """`text` with every personal value (any case) replaced by [erased]."""
    if not text or not values:
        return text or ""
    pattern = re.compile("|".join(re.escape(value) for value in values), re.IGNORECASE)
    return pattern.sub(ERASED, text)


def scrub_details(details) -> bool:
    changed = False
    for name in METHOD_DETAIL_FIELDS if details is not None else ():
        if getattr(details, name) is not None:
            setattr(details, name, None)
            changed = True
    return changed


def scrub_address(address) -> bool:
    if address is None or address.given_name == ERASED:
        return False
    for name in ADDRESS_FIELDS:
        setattr(address, name, None if name in OPTIONAL_ADDRESS_FIELDS else (ERASED if name == "given_name" else ""))
    return True


def anonymise_order(order) -> bool:
    """The order keeps its number, lines, amounts, statuses and country; True when it changed."""
    if is_anonymised(order):
        return False
    order.customer_name = ERASED
    # Unique per order, so no later order of the same person is ever linked to this one.
    order.customer_email = f"{order.order_id}@{ERASED_DOMAIN}"
    scrub_address(order.shipping_address)
    scrub_address(order.billing_address)
    scrub_details(order.latest_method_details)
    order.latest_checkout_url = None
    order.possible_duplicate_of = []
    return True


def anonymise_attempt(attempt) -> bool:
    changed = scrub_details(attempt.method_details)
    if attempt.checkout_url:
        attempt.checkout_url, changed = None, True
    return changed


def anonymise_text_field(item, name, values) -> bool:
    before = getattr(item, name) or ""
    after = redact(before, values)
    if after != before:
        setattr(item, name, after)
        return True
    return False


def anonymise_shipment(shipment) -> bool:
    if not shipment.tracking_url:
        return False
    shipment.tracking_url = ""
    return True


def anonymise_mail(mail, values) -> bool:
    """A customer's mail loses recipient and body; a staff alert (no personal data by design,
    notifications.models) loses what it quotes. A mail never sent is given up on, not sent blank."""
    changed = anonymise_text_field(mail, "subject", values)
    if mail.kind != MailKind.STAFF_ALERT and (mail.to_addresses or mail.text_body or mail.html_body):
        mail.to_addresses, mail.text_body, mail.html_body = [], "", ""
        changed = True
    else:
        changed = anonymise_text_field(mail, "text_body", values) | changed
        changed = anonymise_text_field(mail, "html_body", values) | changed
    if changed and mail.status != MailStatus.SENT:
        mail.status, mail.pending_status, mail.last_error = MailStatus.FAILED.value, None, "personal data erased"
    return changed
