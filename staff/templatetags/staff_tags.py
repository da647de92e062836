from django import template

from payments.enums import EventKind, OrderStatus, PaymentMethod
from shop.money import format_money

register = template.Library()

ORDER_STATUS_LABELS = dict(OrderStatus.choices)
EVENT_LABELS = dict(EventKind.choices)


@register.simple_tag
def money(cents, currency):
    # One notation for all staff, whatever their browser's language: exports and notes agree.
    return format_money(cents or 0, currency)


@register.filter
def status_label(status):
    return ORDER_STATUS_LABELS.get(status) or (status or "").replace("_", " ").capitalize()


@register.filter
def event_label(kind):
    return EVENT_LABELS.get(kind) or (kind or "").replace("_", " ").capitalize()


@register.filter
def method_label(method):
    """Mollie's method id as staff read it ("iDEAL", "card", "bank transfer")."""
    return PaymentMethod.label_of(method)


@register.filter
def method_details(attempt):
    """The attempt's method details worth a glance: card, payer's account, transfer reference."""
    details = attempt.method_details
    if details is None:
        return ""
    parts = []
    if details.cardNumber:
        parts.append(
            " ".join(filter(None, [details.cardLabel, f"ending {details.cardNumber[-4:]}", details.cardCountryCode]))
        )
    if details.consumerName or details.consumerAccount:
        parts.append(" ".join(filter(None, [details.consumerName, details.consumerAccount, details.consumerBic])))
    if details.transferReference:
        parts.append(f"reference {details.transferReference} to {details.bankAccount or '?'}")
    return "; ".join(parts)


@register.filter
def live_region_role(messages):
    """An error among the messages is announced at once (alert); the rest politely (status)."""
    return "alert" if any(message.level_tag == "error" for message in messages) else "status"
