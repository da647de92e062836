"""Read-only queries of the outbox (staff order page, dashboard). No writes."""

from notifications.models import MailStatus, OutboxItem


def mails_of_order(order_id: str) -> list[OutboxItem]:
    """Every mail decided for the order, oldest first: kind, to, status, tries, last error, sent at."""
    return sorted(OutboxItem.query(order_id), key=lambda item: item.queued_at)


def failed_mails(*, limit: int = 50) -> list[OutboxItem]:
    """Mails given up after MAIL_MAX_TRIES, oldest first, for the dashboard's "Needs attention".
    The index holds keys, kind and tries only; `mails_of_order` has the rest."""
    return list(OutboxItem.pending_index.query(MailStatus.FAILED.value, limit=limit))
