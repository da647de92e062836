"""The workflow's one write path and its trace: the versioned transaction every change goes
through, the events it stores and the log line each event leaves. Internal to payments.services.
"""

import itertools
import logging
import secrets

from django.utils import timezone
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from config import dynamodb
from payments.enums import AttemptStatus, EventKind
from payments.models import PaymentEvent
from payments.services import counters
from shop.models import Article
from shop.money import decimal_amount

workflow_log = logging.getLogger("shop.workflow")
_event_sequence = itertools.count()


def record_event(
    *,
    order_id: str,
    kind: str,
    source: str,
    actor: str = "",
    attempt_no: int | None = None,
    mollie_payment_id: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    message: str = "",
) -> PaymentEvent:
    now = timezone.now()
    event = PaymentEvent(
        order_id,
        _event_id(now, next(_event_sequence)),
        kind=kind,
        source=source,
        actor=actor,
        attempt_no=attempt_no,
        mollie_payment_id=mollie_payment_id,
        from_status=from_status,
        to_status=to_status,
        message=message[:1000],
        created_at=now,
    )
    event.save()
    log_events([event])
    return event


def new_event(order, kind, source, now, *, attempt=None, actor="", from_status=None, to_status=None, message=""):
    return PaymentEvent(
        order.order_id,
        _event_id(now, next(_event_sequence)),
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


def _event_id(now, sequence):
    # Time first so a Query returns the timeline in order; the rest keeps ids unique.
    return f"{now.isoformat()}#{sequence % 10000:04d}{secrets.token_hex(3)}"


# A versioned write that lost to another writer (condition failed, or the item was busy).


def commit(*, saves=(), new_items=(), events=(), stock_returns=(), now=None):
    """One transaction: versioned saves, new items (must not exist), events, stock given back, and
    what the orders' changes add to the per-day counters."""
    try:
        with TransactWrite(connection=dynamodb.connection()) as transaction:
            counters.add_changes(transaction, [*saves, *new_items])
            for item in saves:
                transaction.save(item)
            for item in new_items:
                hash_key = type(item)._hash_key_attribute()
                transaction.save(item, condition=hash_key.does_not_exist())
            for event in events:
                transaction.save(event)
            for line in stock_returns:
                transaction.update(
                    Article(line.slug), actions=[Article.stock.add(line.quantity), Article.updated_at.set(now)]
                )
    except TransactWriteError as error:
        lost = dynamodb.write_lost(error)
        if lost is None:
            raise  # a ValidationError or the like: a bug, not a race
        raise lost from error
    counters.counted([*saves, *new_items])
    log_events(events)


def log_events(events):
    """One log line per stored event. Ids and statuses only: messages may quote people or Mollie."""
    for event in events:
        workflow_log.info(
            event.kind,
            extra={
                "order_id": event.order_id,
                "attempt_no": event.attempt_no,
                "mollie_payment_id": event.mollie_payment_id,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "source": event.source,
            },
        )


def money_text(cents, currency):
    return f"{currency} {decimal_amount(cents)}"


def needs_attention(order, text, *, reason=None):
    """Flags the order for staff with `text`. `reason` (a notifications.models.AlertReason) is for
    the staff alert e-mail, which the e-mail wiring (issue 15) queues from here."""
    order.attention_reasons = [*(order.attention_reasons or []), text]
    order.needs_attention = True


def attention_handled(order, text):
    """Takes one matter off the order; the flag stays while others are open."""
    order.attention_reasons = [line for line in order.attention_reasons or [] if line != text]
    order.needs_attention = bool(order.attention_reasons)


def copy_latest(order, attempt, now):
    order.latest_attempt_status = attempt.status
    order.latest_mollie_payment_id = attempt.mollie_payment_id
    order.latest_checkout_url = attempt.checkout_url if attempt.status == AttemptStatus.OPEN else None
    order.latest_method = attempt.method
    order.latest_method_details = attempt.method_details
    order.updated_at = now
