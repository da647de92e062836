"""Pay later's deadline (docs/pay-later.md): an authorization not captured by its captureBefore
lapses and the sale is lost. Reconciliation syncs authorized payments; one near its deadline
(warning_window) puts its order under "Needs attention" and mails staff once.
A lapsed one is closed by the merge rules (payments/services/merge_pay_later.py)."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from notifications.models import AlertReason
from payments.enums import AttemptStatus, EventKind, EventSource, OrderStatus
from payments.models import Order, PaymentAttempt
from payments.selectors import get_order
from payments.services.changes import needs_attention, new_event
from payments.services.mails import staff_alert_mails
from payments.services.writes import commit


def warning_window(attempt: PaymentAttempt) -> timedelta:
    """How long before its captureBefore an authorization is near its deadline: CAPTURE_WARNING_DAYS,
    but at most CAPTURE_WARNING_PERCENT of the authorization's own length (captureBefore less
    authorizedAt). A card is held about 7 days, Klarna 28: a 7-day warning would flag every card
    the moment it is authorized. Without authorizedAt (stored before it was kept): the days alone."""
    window = timedelta(days=settings.CAPTURE_WARNING_DAYS)
    if attempt.authorized_at is not None and attempt.capture_before is not None:
        window = min(window, (attempt.capture_before - attempt.authorized_at) * settings.CAPTURE_WARNING_PERCENT / 100)
    return window


def deadline_near(attempt: PaymentAttempt, now: datetime) -> bool:
    return (
        attempt.status == AttemptStatus.AUTHORIZED
        and attempt.capture_before is not None
        and attempt.capture_before - now <= warning_window(attempt)
    )


def deadlines_near(attempts: Iterable[PaymentAttempt], now: datetime) -> int:
    """How many of `attempts` are authorized and near their captureBefore (warning_window), or
    past it and not yet ended by Mollie: reconciliation's figure for the metric and its alarm."""
    return sum(1 for attempt in attempts if deadline_near(attempt, now))


def deadline_reason(order: Order) -> str:
    day = date_format(timezone.localtime(order.capture_before), "j F Y")
    return (
        f"Capture before {day}: ship what is left of this pay-later order by then (shipping captures it), "
        "or cancel it; what is not captured by then is lost"
    )


def warn_capture_deadline(*, order_id: str, attempt_no: int, source: str = EventSource.RECONCILE) -> bool:
    """Flags an authorized order whose capture deadline is near, once (the alert's reason is kept)."""
    for write_try in optimistic_retries(order_id):
        order = get_order(order_id)
        if (
            order is None
            or order.status != OrderStatus.AUTHORIZED
            or order.paid_attempt_no != attempt_no
            or order.capture_before is None
            or AlertReason.CAPTURE_DEADLINE.value in (order.alerted_reasons or [])
        ):
            return False
        now = timezone.now()
        text = deadline_reason(order)
        alerts = needs_attention(order, text, reason=AlertReason.CAPTURE_DEADLINE)
        order.updated_at = now
        event = new_event(order, EventKind.CAPTURE_DEADLINE, source, now, message=text)
        try:
            commit(saves=[order], events=[event], mails=staff_alert_mails(order, alerts))
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return True
    retries_exhausted(order_id)
