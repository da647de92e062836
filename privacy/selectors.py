"""Everything stored about one order, and the orders of one e-mail address (read only)."""

from dataclasses import dataclass

from notifications.models import OutboxItem
from payments.models import Order, PaymentAttempt, PaymentEvent, Refund, Shipment


@dataclass
class OrderRecords:
    order: Order
    attempts: list
    refunds: list
    shipments: list
    events: list
    mails: list

    @property
    def last_activity_at(self):
        """The latest payment, shipment or refund: a chargeback or a return can follow it."""
        moments = [self.order.paid_at, *(item.created_at for item in [*self.shipments, *self.refunds])]
        moments = [moment for moment in moments if moment is not None]
        return max(moments) if moments else None


def records_of(order: Order) -> OrderRecords:
    """One Query per table on the order's id (each table's hash key)."""
    order_id = order.order_id
    return OrderRecords(
        order=order,
        attempts=list(PaymentAttempt.query(order_id, consistent_read=True)),
        refunds=list(Refund.query(order_id, consistent_read=True)),
        shipments=list(Shipment.query(order_id, consistent_read=True)),
        events=list(PaymentEvent.query(order_id, consistent_read=True)),
        mails=list(OutboxItem.query(order_id, consistent_read=True)),
    )


def orders_of_email(email: str, *, limit: int = 200) -> list[Order]:
    """The orders of one address (exact, any case), newest first: one Query on `email_index`,
    which stores addresses lowercase. Anonymised orders carry an address of their own, so they
    never come back here."""
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        return []
    return list(Order.email_index.query(email, scan_index_forward=False, limit=limit))
