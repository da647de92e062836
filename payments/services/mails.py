"""Which e-mails a change of the workflow causes, as unsaved outbox items (notifications.models).

The caller passes them to `commit(mails=...)`, which stores them in the same transaction as the
change and delivers them after it. Each one is decided only where the merge rules produce its
transition (an order becoming paid, a refund becoming refunded, an order closing), and those
only move forward: a retried webhook re-reads, finds no transition and decides no mail.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.models import MailKind, OutboxItem
from notifications.services import outbox_item, staff_alert_recipients
from payments.enums import AttemptStatus, OrderStatus, PaymentMethod, RefundStatus
from payments.locales import STAFF_LANGUAGE, in_order_language, order_language
from payments.models import Order, PaymentAttempt
from payments.services.delivery import delivery_summary

# The order's event each shopper mail is about: one of each per order (the refund's own id for refunds).
PAID_EVENT = "paid"
CLOSED_EVENT = "closed"


def shopper_mail(order: Order, *, kind: MailKind, event_id: str, context: Callable[[], dict]) -> OutboxItem:
    """The one way a mail to the shopper is decided: in the order's language, whoever decides it (the
    webhook, reconciliation days later, staff). `context()` is built under the same override, so
    its links (order page, shop) are reversed into that language's URLs (`/nl/…`), and it names
    that language in its Content-Language header. Staff alerts stay English (staff_alert_mails)."""
    language = order_language(order)
    with in_order_language(order):
        return outbox_item(
            order_id=order.order_id,
            kind=kind,
            event_id=event_id,
            to=[order.customer_email],
            context=context(),
            language=language,
        )


def confirmation_mail(order, attempt):
    """The order became paid by `attempt`: lines, total, the method and the order page's link."""
    return shopper_mail(
        order,
        kind=MailKind.ORDER_CONFIRMATION,
        event_id=PAID_EVENT,
        context=lambda: _confirmation_context(order, attempt),
    )


def resend_confirmation_mail(order, attempt, *, now=None):
    """Staff's "Resend confirmation": a new item with an event id of its own, so it is sent even
    though the first one was (and a double click within one second is still one mail)."""
    now = now or timezone.now()
    return shopper_mail(
        order,
        kind=MailKind.ORDER_CONFIRMATION,
        event_id=f"resend-{now.strftime('%Y%m%dT%H%M%S')}",
        context=lambda: _confirmation_context(order, attempt),
    )


def _confirmation_context(order, attempt):
    return {
        "customer_name": order.customer_name,
        "lines": [
            {
                "name": line.name,
                "quantity": int(line.quantity),
                "unit_price_cents": int(line.unit_price_cents),
                "line_total_cents": int(line.total_cents),
            }
            for line in order.lines
        ],
        "total_cents": int(order.total_cents),
        "currency": order.currency,
        "payment_method": attempt.method if attempt is not None else None,
        "pay_later": order.status == OrderStatus.AUTHORIZED,  # captured when it ships
        "order_url": order_url(order),
        **delivery_summary(order),  # address, shipping and VAT; empty for orders from before them
    }


def refund_mail(order, refund, *, refunded_cents):
    """Mollie confirmed `refund`; `refunded_cents` is everything refunded so far, this one included."""
    return shopper_mail(
        order,
        kind=MailKind.REFUND_CONFIRMED,
        event_id=refund.mollie_refund_id or refund.refund_key,
        context=lambda: {
            "customer_name": order.customer_name,
            "refund_cents": int(refund.amount_cents),
            "remaining_cents": max(int(order.total_cents) - int(refunded_cents), 0),
            "currency": refund.currency,
            "order_url": order_url(order),
        },
    )


def refunded_so_far(refunds, attempt_no):
    return sum(
        int(refund.amount_cents)
        for refund in refunds
        if refund.attempt_no == attempt_no and refund.status == RefundStatus.REFUNDED
    )


def payment_got_under_way(attempts: Iterable[PaymentAttempt]) -> bool:
    """Whether Mollie shows that someone really started to pay: the bank or card refused it
    (`failed`), Mollie knows the payer's card or account (`details`, also of an authorization), or
    bank transfer instructions were handed out. Only then does the address typed at checkout hear
    that the order closed: a payment page merely opened and left proves nothing about who owns the
    address, and the shop must not mail strangers on anyone's say-so (docs/input-from-strangers.md)."""
    return any(
        attempt.mollie_payment_id
        and (
            attempt.status == AttemptStatus.FAILED
            or attempt.method == PaymentMethod.BANK_TRANSFER
            or (attempt.method_details is not None and any(attempt.method_details.as_dict().values()))
        )
        for attempt in attempts
    )


def closed_mail(order, *, canceled_by_staff=False):
    """The order expired or was canceled after the shopper had started paying: nothing was charged.
    Canceled by staff, the mail says so and leads to the order page (the shopper did nothing wrong)."""
    return shopper_mail(
        order,
        kind=MailKind.ORDER_CLOSED,
        event_id=CLOSED_EVENT,
        context=lambda: {
            "customer_name": order.customer_name,
            "closed_status": order.status,
            "canceled_by_staff": canceled_by_staff,
            "shop_url": settings.PUBLIC_BASE_URL + reverse("shop:index"),
            "order_url": order_url(order),
        },
    )


def staff_alert_mails(order, alerts):
    """One alert per reason in `alerts`, {AlertReason: text} as `needs_attention` returned them: the
    reasons raised for the first time in this change (the order keeps the reasons it alerted for,
    so a reason alerts once per order, whatever repeats)."""
    recipients = staff_alert_recipients()
    if not recipients:
        return []
    return [
        outbox_item(
            order_id=order.order_id,
            kind=MailKind.STAFF_ALERT,
            event_id=reason.value,
            to=recipients,
            language=STAFF_LANGUAGE,  # staff read the shop in English
            context={
                "reason": reason,
                "detail": detail,
                "staff_order_url": settings.PUBLIC_BASE_URL + reverse("staff:order", args=[order.order_id]),
            },
        )
        for reason, detail in alerts.items()
    ]


def order_url(order):
    """The order page, in the active language: the order's, inside shopper_mail."""
    path = reverse("shop:order", kwargs={"order_id": order.order_id, "token": order.public_token})
    return settings.PUBLIC_BASE_URL + path
