from django import template

from shop.money import format_money
from staff.forms import STATUS_LABELS

register = template.Library()

# Timeline kinds whose plain wording ("synced_from_mollie") would not read well to staff.
EVENT_LABELS = {
    "synced_from_mollie": "Fetched from Mollie",
    "unmatched_payment": "Payment matching no order",
    "webhook_received": "Webhook from Mollie",
    "attempt_status_changed": "Payment status changed",
}


@register.simple_tag
def money(cents, currency):
    # One notation for all staff, whatever their browser's language: exports and notes agree.
    return format_money(cents or 0, currency)


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status) or (status or "").replace("_", " ").capitalize()


@register.filter
def event_label(kind):
    return EVENT_LABELS.get(kind) or (kind or "").replace("_", " ").capitalize()
