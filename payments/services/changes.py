"""The pure parts of a workflow change: the events (timeline rows) it records, the attention flags
it raises for staff, and the order's copy of its latest attempt. No I/O: the merge rules
(merge.py) build on these, and writes.commit stores what they make.
"""

import itertools
import secrets
from typing import Any

from notifications.models import AlertReason
from payments.enums import AttemptStatus, EventKind
from payments.models import PaymentEvent

_event_sequence = itertools.count()


def new_event(order, kind, source, now, *, attempt=None, actor="", from_status=None, to_status=None, message=""):
    return PaymentEvent(
        order.order_id,
        next_event_id(now),
        kind=kind,
        source=source,
        actor=actor,
        attempt_no=attempt.attempt_no if attempt else None,
        mollie_payment_id=attempt.mollie_payment_id if attempt else None,
        from_status=from_status,
        to_status=to_status,
        message=(message or "")[:1000],
        created_at=now,
    )


def status_event(order, attempt, new_status, source, now, message=""):
    return new_event(
        order,
        EventKind.ATTEMPT_STATUS_CHANGED,
        source,
        now,
        attempt=attempt,
        from_status=attempt.status,
        to_status=new_status,
        message=message,
    )


def next_event_id(now):
    # Time first so a Query returns the timeline in order; the rest keeps ids unique.
    return f"{now.isoformat()}#{next(_event_sequence) % 10000:04d}{secrets.token_hex(3)}"


# `order` is an Order; Any because PynamoDB's list attributes are not typed for assignment.
def needs_attention(order: Any, text: str, *, reason: AlertReason) -> dict[AlertReason, str]:
    """Flags the order for staff with `text` (shown on the dashboard, no personal data). Returns
    the alert due, {reason: text}, the first time for this `reason` (an AlertReason), else {}: the
    caller commits its mail (mails.staff_alert_mails) with the order."""
    reason = AlertReason(reason)
    order.attention_reasons = [*(order.attention_reasons or []), text]
    order.needs_attention = True
    if reason.value in (order.alerted_reasons or []):
        return {}
    order.alerted_reasons = [*(order.alerted_reasons or []), reason.value]
    return {reason: text}


def attention_handled(order, text):
    """Takes one matter off the order; the flag stays while others are open."""
    order.attention_reasons = [line for line in order.attention_reasons or [] if line != text]
    order.needs_attention = bool(order.attention_reasons)


def copy_latest(order, attempt, now):
    if attempt.mollie_payment_id != order.latest_mollie_payment_id:
        # A new payment has not been pulled yet: the thank-you page's first look asks Mollie at
        # once (STATUS_PULL_INTERVAL_SECONDS limits pulls of one payment, not of the next).
        order.last_pulled_at = None
    order.latest_attempt_status = attempt.status
    order.latest_mollie_payment_id = attempt.mollie_payment_id
    order.latest_checkout_url = attempt.checkout_url if attempt.status == AttemptStatus.OPEN else None
    order.latest_method = attempt.method
    order.latest_method_details = attempt.method_details
    order.updated_at = now
