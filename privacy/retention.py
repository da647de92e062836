"""Retention runs: anonymises closed orders past PERSONAL_DATA_RETENTION_DAYS and deletes orders past
ACCOUNTING_RETENTION_YEARS, everywhere they are stored, through the one write path (writes.commit).

Each order is finished by itself: its attempts, refunds, shipments, timeline and mails first (in
transactions of at most TRANSACTION_ITEMS), the order last. So a run cut short leaves an order that
is still found next time and finished then, and a second run finds nothing left to change.
Found by the orders' status index (one Query per status and shard, created before the cut-off):
a scheduled job, never a request, reads these.
"""

import logging
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from config import deadline
from config.retry_later import STORAGE_ERRORS
from notifications.models import OutboxItem
from payments.enums import EventKind, EventSource, OrderStatus
from payments.models import Order, PaymentEvent, Refund, Shipment
from payments.selectors import orders_in_status
from payments.services.changes import new_event
from payments.services.writes import commit
from privacy import policy
from privacy.selectors import OrderRecords, records_of

log = logging.getLogger("shop.privacy")

TRANSACTION_ITEMS = 90  # DynamoDB takes 100 actions per transaction; room for the order and counters
CLOSED_STATUSES = (
    OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED, OrderStatus.EXPIRED, OrderStatus.CANCELED,
)  # fmt: skip
ACTOR = "retention"


@dataclass
class RetentionReport:
    dry_run: bool = False
    looked_at: int = 0
    anonymised: int = 0  # orders (with everything stored with them)
    deleted: int = 0  # orders past the accounting period, with everything stored with them
    items_changed: int = 0  # attempts, refunds, shipments, events and mails changed or deleted
    stopped_early: bool = False  # out of time: the next run goes on
    errors: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def run(*, now=None, dry_run=False, time_limit_seconds=None, clock=None, limit=None) -> RetentionReport:
    now = now or timezone.now()
    clock = clock or policy.Clock.from_settings()
    report = RetentionReport(dry_run=dry_run)
    with deadline.at_most(float("inf") if time_limit_seconds is None else time_limit_seconds):
        try:
            _run(now=now, clock=clock, dry_run=dry_run, limit=limit, report=report)
        except deadline.DeadlineExceeded:
            report.stopped_early = True  # the next run goes on where this one stopped
        except STORAGE_ERRORS as error:
            # Listing the orders throttled past botocore's retries: stop, and the next run goes on.
            report.stopped_early = True
            report.errors.append(f"listing orders: {type(error).__name__}")
    log.info("retention run", extra={"summary": report.as_dict()})
    return report


def _run(*, now, clock, dry_run, limit, report):
    for order in _candidates(now, clock):
        if deadline.remaining() < 4 * deadline.write_seconds() or (limit is not None and report.looked_at >= limit):
            report.stopped_early = True
            return
        report.looked_at += 1
        try:
            _apply(order, now=now, clock=clock, dry_run=dry_run, report=report)
        except deadline.DeadlineExceeded:
            raise
        except Exception as error:  # noqa: BLE001 - one order's failure must not stop the rest
            report.errors.append(f"{order.order_id}: {type(error).__name__}")


def _candidates(now, clock):
    cutoff = policy.earliest_created_for_anonymising(clock, now)
    for status in CLOSED_STATUSES:
        yield from orders_in_status(status, Order.created_at < cutoff)


def _apply(order, *, now, clock, dry_run, report):
    if now >= policy.accounting_until(order, clock):
        records = records_of(order)
        if policy.closed_at(order, last_activity_at=records.last_activity_at, clock=clock) is None:
            return  # still open (never shipped, a matter for staff): no clock ends that
        report.deleted += 1
        report.items_changed += _count(records)
        if not dry_run:
            delete_records(records)
        return
    if policy.is_anonymised(order):
        return
    records = records_of(order)
    if not policy.anonymise_due(order, last_activity_at=records.last_activity_at, clock=clock, now=now):
        return
    report.anonymised += 1
    if dry_run:
        report.items_changed += _count(records)
        return
    report.items_changed += anonymise_records(records, actor=ACTOR, now=now)


def _count(records: OrderRecords) -> int:
    return sum(
        len(items) for items in (records.attempts, records.refunds, records.shipments, records.events, records.mails)
    )


def anonymise_records(records: OrderRecords, *, actor, now) -> int:
    """Anonymises the order and everything stored with it; returns how many items changed.
    Idempotent: an item already anonymised is not written again."""
    order = Order.get(records.order.order_id, consistent_read=True)
    if policy.is_anonymised(order):
        return 0
    values = policy.personal_values(order)
    for attempt in records.attempts:
        values.extend(value for value in _detail_values(attempt) if value not in values)
    saves = [attempt for attempt in records.attempts if policy.anonymise_attempt(attempt)]
    updates = [
        *(_text_update(Refund, refund, "description", values) for refund in records.refunds),
        *(_shipment_update(shipment) for shipment in records.shipments),
        *(_text_update(PaymentEvent, event, "message", values) for event in records.events),
        *(_mail_update(mail, values) for mail in records.mails),
    ]
    updates = [update for update in updates if update is not None]
    changes = [("save", item) for item in saves] + [("update", update) for update in updates]
    for start in range(0, len(changes), TRANSACTION_ITEMS):
        chunk = changes[start : start + TRANSACTION_ITEMS]
        commit(
            saves=[item for kind, item in chunk if kind == "save"], updates=[u for kind, u in chunk if kind == "update"]
        )
    policy.anonymise_order(order)
    order.updated_at = now
    event = new_event(order, EventKind.PERSONAL_DATA_ERASED, EventSource.STAFF if actor != ACTOR else EventSource.RECONCILE, now, actor=actor,
                      message="Personal data anonymised; amounts, lines and statuses kept")  # fmt: skip
    commit(saves=[order], events=[event])
    return len(changes) + 1


def _detail_values(attempt):
    details = attempt.method_details
    return [
        getattr(details, name) for name in policy.METHOD_DETAIL_FIELDS if details is not None and getattr(details, name)
    ]


def _text_update(model, item, name, values):
    before = getattr(item, name) or ""
    after = policy.redact(before, values)
    if after == before:
        return None
    attribute = getattr(model, name)
    return (item, [attribute.set(after)], attribute == before)


def _shipment_update(shipment):
    if not shipment.tracking_url:
        return None
    return (shipment, [Shipment.tracking_url.set("")], Shipment.tracking_url == shipment.tracking_url)


def _mail_update(mail, values):
    status_before = mail.status
    if not policy.anonymise_mail(mail, values):
        return None
    actions = [
        OutboxItem.to_addresses.set(mail.to_addresses),
        OutboxItem.subject.set(mail.subject),
        OutboxItem.text_body.set(mail.text_body),
        OutboxItem.html_body.set(mail.html_body),
        OutboxItem.status.set(mail.status),
    ]
    if mail.pending_status is None:
        actions.append(OutboxItem.pending_status.remove())
    if mail.last_error:
        actions.append(OutboxItem.last_error.set(mail.last_error))
    # A sender that claimed the mail meanwhile wins; the next run tries again.
    return (mail, actions, OutboxItem.status == status_before)


def delete_records(records: OrderRecords) -> None:
    """Deletes the order's items, the order last (so a run cut short finds it again). The per-day
    counters keep their sums: the figures of past years still add up without the orders."""
    children = [*records.attempts, *records.refunds, *records.shipments, *records.events, *records.mails]
    for start in range(0, len(children), TRANSACTION_ITEMS):
        commit(deletes=[(item, None) for item in children[start : start + TRANSACTION_ITEMS]])
    commit(deletes=[(records.order, None)])
