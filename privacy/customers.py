"""A customer's own data (GDPR art. 15, 17 and 20): everything the shop holds about one e-mail
address as JSON, and its erasure, except the orders the law makes the shop keep for now.
Both are recorded on the timeline, by whom and when, without the data itself."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from payments.enums import EventKind, EventSource
from payments.services.changes import new_event
from payments.services.writes import commit, record_event
from privacy import policy
from privacy.retention import anonymise_records
from privacy.selectors import OrderRecords, orders_of_email, records_of

log = logging.getLogger("shop.privacy")

# The timeline partition where erasures are recorded (who, when, how many), like `unmatched`.
ERASURES = "erasures"


@dataclass
class KeptOrder:
    order_id: str
    reason: str
    until: datetime | None  # None: until the matter is closed (paid, shipped, handled)


@dataclass
class Erasure:
    erased: int = 0
    kept: list[KeptOrder] = field(default_factory=list)


def export(email: str, *, actor: str, now=None) -> dict:
    """Everything held about `email`, as a JSON-ready dict; each order's timeline records it."""
    now = now or timezone.now()
    orders = [records_of(order) for order in orders_of_email(email)]
    events = [
        new_event(
            records.order,
            EventKind.PERSONAL_DATA_EXPORTED,
            EventSource.STAFF,
            now,
            actor=actor,
            message="The customer's data was exported for them",
        )  # fmt: skip
        for records in orders
    ]
    for start in range(0, len(events), 90):
        commit(events=events[start : start + 90])
    return {
        "email": email.strip().lower(),
        "exported_at": now.isoformat(),
        "controller": "the shop (see its privacy page)",
        "orders": [_order_json(records) for records in orders],
    }


def _order_json(records: OrderRecords) -> dict:
    order = records.order
    return {
        "order_number": order.order_id,
        "placed_at": order.created_at.isoformat(),
        "status": order.status,
        "name": order.customer_name,
        "email": order.customer_email,
        "language": order.language,  # the one their mails and Mollie's page were in (None: before it was kept)
        "shipping_address": _map(order.shipping_address),
        "billing_address": _map(order.billing_address),
        "lines": [_map(line) for line in order.lines],
        "total_cents": int(order.total_cents),
        "currency": order.currency,
        "payments": [
            {"method": a.method, "status": a.status, "details": _map(a.method_details), "at": a.created_at.isoformat()}
            for a in records.attempts
        ],
        "refunds": [
            {"amount_cents": int(r.amount_cents), "status": r.status, "at": r.created_at.isoformat()}
            for r in records.refunds
        ],  # fmt: skip
        "shipments": [
            {
                "carrier": s.carrier,
                "tracking_number": s.tracking_number,
                "tracking_url": s.tracking_url,
                "at": s.created_at.isoformat(),
            }
            for s in records.shipments
        ],  # fmt: skip
        "mails_sent": [
            {
                "subject": m.subject,
                "to": list(m.to_addresses or []),
                "status": m.status,
                "text": m.text_body,
                "queued_at": m.queued_at.isoformat(),
            }
            for m in records.mails
        ],  # fmt: skip
        "timeline": [{"at": e.created_at.isoformat(), "what": e.kind, "message": e.message} for e in records.events],
    }


def _map(value):
    if value is None:
        return None
    return {name: _plain(item) for name, item in value.attribute_values.items() if item is not None}


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def erase(email: str, *, actor: str, now=None, clock=None) -> Erasure:
    """Anonymises every order of `email` now, except those open, unshipped or within their refund
    and chargeback window: those are listed with their reason and date, and the retention run
    anonymises them once they close. A later order of the same address starts afresh."""
    now = now or timezone.now()
    clock = clock or policy.Clock.from_settings()
    result = Erasure()
    for order in orders_of_email(email):
        records = records_of(order)
        kept = policy.kept_because(order, last_activity_at=records.last_activity_at, clock=clock, now=now)
        if kept is not None:
            result.kept.append(KeptOrder(order.order_id, *kept))
            continue
        anonymise_records(records, actor=actor, now=now)
        result.erased += 1
    record_event(
        order_id=ERASURES,
        kind=EventKind.PERSONAL_DATA_ERASED,
        source=EventSource.STAFF,
        actor=actor,
        message=f"Erased on request: {result.erased} orders anonymised, {len(result.kept)} kept as the law requires",
    )
    log.info("erasure", extra={"actor": actor, "erased": result.erased, "kept": len(result.kept)})
    return result
