"""The workflow's one write path and its trace: the versioned transaction every change of the
payments package goes through (`commit`), the events it stores and the log line each event leaves.
The pure parts of a change (its events, attention flags) are built in payments.services.changes.
"""

import logging

from django.utils import timezone
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from config import dynamodb
from notifications.services import deliver
from payments import metrics as payment_metrics
from payments.models import PaymentEvent
from payments.services import counters
from payments.services.changes import next_event_id

workflow_log = logging.getLogger("shop.workflow")
mail_log = logging.getLogger("shop.notifications")


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
        next_event_id(now),
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
    payment_metrics.changes_stored(events, [*saves, *new_items])
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
