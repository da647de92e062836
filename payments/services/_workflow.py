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
from notifications.models import AlertReason
from notifications.services import deliver
from payments.enums import AttemptStatus, EventKind
from payments.models import PaymentEvent
from payments.services import counters

workflow_log = logging.getLogger("shop.workflow")
mail_log = logging.getLogger("shop.notifications")
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


def commit(*, saves=(), new_items=(), events=(), updates=(), checks=(), mails=()):
    """One transaction: versioned saves, new items (must not exist), events, `updates`
    ((item, actions, condition) of items without a version: stock, outbox items), condition
    `checks` ((model, key, condition) of items it does not write), what the
    orders' changes add to the per-day counters, and the e-mails the change causes (`mails`,
    unsaved outbox items, staff alerts included). The mails are delivered after the commit, in
    this request; a send that fails stays queued for reconciliation, never raised.

    A mail decided before (its outbox item exists) cannot be decided again: when only such mails
    refused the transaction, the change is stored without them, so a repeat can never block it.
    """
    mails = list(mails)
    try:
        _transact(saves, new_items, events, updates, checks, mails)
    except TransactWriteError as error:
        decided = _mails_decided_before(error, mails, first=len(saves) + len(new_items) + len(events))
        if not decided:
            _raise_lost(error)
        mails = [mail for mail in mails if mail not in decided]
        for mail in decided:
            mail_log.info("mail decided before; not queued again", extra={"outbox_id": mail.outbox_id})
        try:
            _transact(saves, new_items, events, updates, checks, mails)
        except TransactWriteError as again:
            _raise_lost(again)
    counters.counted([*saves, *new_items])
    log_events(events)
    deliver_mails(mails)


def _transact(saves, new_items, events, updates, checks, mails):
    # Puts in this order, then the updates: CancellationReasons come in the same order.
    with TransactWrite(connection=dynamodb.connection()) as transaction:
        for item in saves:
            transaction.save(item)
        for item in new_items:
            hash_key = type(item)._hash_key_attribute()
            transaction.save(item, condition=hash_key.does_not_exist())
        for event in events:
            transaction.save(event)
        for mail in mails:
            mail.put_in(transaction)
        for item, actions, condition in updates:
            transaction.update(item, actions=actions, condition=condition)
        for model, key, condition in checks:
            transaction.condition_check(model, key, condition=condition)
        # Last, so the mails' places in CancellationReasons stay where _mails_decided_before looks.
        counters.add_changes(transaction, [*saves, *new_items])


def _mails_decided_before(error, mails, *, first):
    """The mails whose does-not-exist condition alone canceled the transaction, or [] when any
    other item failed (a lost race: the caller re-reads and decides again)."""
    reasons = list(getattr(error, "cancellation_reasons", None) or [])
    failed = {index for index, reason in enumerate(reasons) if reason is not None and reason.code != "None"}
    mail_positions = range(first, first + len(mails))
    if not failed or not failed <= set(mail_positions):
        return []
    if any(reasons[index].code != "ConditionalCheckFailed" for index in failed):
        return []
    return [mails[index - first] for index in sorted(failed)]


def _raise_lost(error):
    lost = dynamodb.write_lost(error)
    if lost is None:
        raise error  # a ValidationError or the like: a bug, not a race
    raise lost from error


def deliver_mails(mails):
    """Sends what was just committed. The change is stored: nothing here may fail the request."""
    for mail in mails:
        try:
            deliver(mail.key, known=mail)  # just committed as queued: claimed without a read
        except Exception as error:  # noqa: BLE001 - reconciliation sends what is still queued
            mail_log.warning(
                "mail left queued",
                extra={"outbox_id": mail.outbox_id, "kind": mail.kind, "error": type(error).__name__},
            )


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


def needs_attention(order, text, *, reason) -> dict[AlertReason, str]:
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
    order.latest_attempt_status = attempt.status
    order.latest_mollie_payment_id = attempt.mollie_payment_id
    order.latest_checkout_url = attempt.checkout_url if attempt.status == AttemptStatus.OPEN else None
    order.latest_method = attempt.method
    order.latest_method_details = attempt.method_details
    order.updated_at = now
