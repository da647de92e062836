from django import template
from django.utils import timezone
from django.utils.formats import date_format

from payments.enums import EventKind, OrderStatus, PaymentMethod
from shop.money import format_money
from staff.article_translations import describe_missing
from staff.attention import grouped_reasons

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
def order_status(order):
    """The order's status as staff read it; an authorization says until when it can be captured."""
    label = status_label(order.status)
    if order.status == OrderStatus.AUTHORIZED and order.capture_before:
        return f"{label}, capture before {date_format(timezone.localtime(order.capture_before), 'j F')}"
    return label


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


@register.filter
def cents_for(cents_by_order, order_id):
    """`{{ pending_refunds|cents_for:order.order_id }}`: the order's entry, 0 when it has none."""
    return cents_by_order.get(order_id, 0) if cents_by_order else 0


@register.filter
def attention_lines(order):
    """The order's attention reasons, one line per matter (possible duplicates grouped)."""
    return grouped_reasons(order)


@register.filter
def missing_translations(article):
    """What the article still lacks in the shop's other languages ("" when nothing)."""
    return describe_missing(article.missing_translations())
