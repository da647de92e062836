"""Mails rendered from Django templates (templates/notifications/): HTML with a plain-text
alternative, in the shop's look, from an order-like context the workflow passes in."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from notifications.models import AlertReason, MailKind
from shop.typed_text import one_line

# What each kind needs from its caller; a missing key is a programming error, raised at once
# (before the decision is stored), not a blank in a mail a shopper reads.
REQUIRED_CONTEXT = {
    MailKind.ORDER_CONFIRMATION: {
        "order_id",
        "customer_name",
        "lines",
        "total_cents",
        "currency",
        "payment_method",
        "order_url",
    },
    MailKind.REFUND_CONFIRMED: {
        "order_id",
        "customer_name",
        "refund_cents",
        "remaining_cents",
        "currency",
        "order_url",
    },
    MailKind.ORDER_CLOSED: {"order_id", "customer_name", "closed_status", "shop_url"},
    MailKind.ORDER_SHIPPED: {"order_id", "customer_name", "lines", "carrier", "tracking_url", "address", "order_url"},
    MailKind.STAFF_ALERT: {"order_id", "reason", "staff_order_url"},
}
SUBJECTS: dict = {
    MailKind.ORDER_CONFIRMATION: _("Your order {order_id} is paid"),
    MailKind.REFUND_CONFIRMED: _("Refund for your order {order_id}"),
    MailKind.ORDER_CLOSED: _("Your order {order_id} was not completed"),
    MailKind.ORDER_SHIPPED: _("Your order {order_id} is on its way"),
    MailKind.STAFF_ALERT: "[Staff] Order {order_id} needs attention: {reason_label}",
}
# An order staff canceled: the shopper did nothing wrong, and no payment "did not go through".
CANCELED_BY_STAFF_SUBJECT = _("Your order {order_id} was canceled")
PAY_LATER_SUBJECT = _("Your order {order_id} is placed")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text_body: str
    html_body: str


class IncompleteMailContext(ValueError):
    pass


def render_mail(kind: MailKind | str, context: dict) -> RenderedMail:
    """`context` for each kind (money in cents):
    - order_confirmation: order_id, customer_name, lines [{name, quantity, unit_price_cents,
      line_total_cents}], total_cents, currency, payment_method (Mollie's method, e.g. "ideal"),
      order_url (absolute, with the order page's token)
    - refund_confirmed: order_id, customer_name, refund_cents, remaining_cents, currency, order_url
    - order_closed: order_id, customer_name, closed_status ("expired" or "canceled"), shop_url;
      optional canceled_by_staff (own wording) and order_url (where that one leads)
    - staff_alert: order_id, reason (AlertReason), staff_order_url; optional detail (no personal data)
    """
    kind = MailKind(kind)
    missing = REQUIRED_CONTEXT[kind] - set(context)
    if missing:
        raise IncompleteMailContext(f"{kind.value} mail needs {', '.join(sorted(missing))}")
    values = {"shop_name": settings.SHOP_NAME, "kind": kind.value, **context}
    # What shoppers and staff typed stays one line in the plain-text part, stored before the
    # forms checked it too (a name with line breaks could forge lines of the mail).
    if "customer_name" in values:
        values["customer_name"] = one_line(values["customer_name"])
    if "lines" in values:
        values["lines"] = [{**line, "name": one_line(line["name"])} for line in values["lines"]]
    if kind is MailKind.STAFF_ALERT:
        reason = AlertReason(context["reason"])
        values.update(reason=reason.value, reason_label=reason.label)
    if kind is MailKind.ORDER_CONFIRMATION:
        values["payment_method_label"] = payment_method_label(context["payment_method"])
    subject = CANCELED_BY_STAFF_SUBJECT if context.get("canceled_by_staff") else SUBJECTS[kind]
    if kind is MailKind.ORDER_CONFIRMATION and context.get("pay_later"):
        subject = PAY_LATER_SUBJECT  # nothing is paid yet: captured when it ships
    return RenderedMail(
        subject=str(subject).format(**values),
        text_body=render_to_string(f"notifications/{kind.value}.txt", values),
        html_body=render_to_string(f"notifications/{kind.value}.html", values),
    )


PAYMENT_METHOD_LABELS: dict = {
    "ideal": "iDEAL",
    "creditcard": _("card"),
    "bancontact": "Bancontact",
    "banktransfer": _("bank transfer"),
    "paypal": "PayPal",
    "applepay": "Apple Pay",
    "directdebit": _("SEPA direct debit"),
    "klarna": "Klarna",
    "riverty": "Riverty",
    "in3": "in3",
    "billie": "Billie",
    "kbc": "KBC/CBC",
    "belfius": "Belfius",
    "eps": "EPS",
    "przelewy24": "Przelewy24",
    "sofort": "SOFORT",
}


def payment_method_label(method):
    if not method:
        return "Mollie"
    return str(PAYMENT_METHOD_LABELS.get(method, method))
