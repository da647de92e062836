from django import template

from payments.enums import EventKind, OrderStatus
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
