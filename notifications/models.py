"""The outbox: one item per e-mail the shop decided to send, stored with the change that caused it.

Access patterns and the keys that serve them:
- one mail by its key (deliver after commit, resend): GetItem on (`order_id`, `mail_key`), where
  mail_key is `<kind>#<event id>`; a conditional put on it is what makes a mail exactly-once.
- the mails of an order (staff order page): Query `outbox` on order_id.
- mails not sent yet, oldest first (reconciliation), and failed ones (staff): Query the sparse
  `pending_index` (pending_status, queued_at). A sent item drops out of it, so the index only
  ever holds the few mails that still need someone.
"""

import enum
from typing import NamedTuple

from django.db.models import TextChoices
from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from config import dynamodb


class MailKind(TextChoices):
    ORDER_CONFIRMATION = "order_confirmation", "Order confirmation"
    REFUND_CONFIRMED = "refund_confirmed", "Refund confirmed"
    ORDER_CLOSED = "order_closed", "Order closed unpaid"
    ORDER_SHIPPED = "order_shipped", "Order shipped"
    STAFF_ALERT = "staff_alert", "Staff alert"


class AlertReason(TextChoices):
    """Why staff are alerted: the reasons the dashboard's "Needs attention" lists."""

    DOUBLE_PAYMENT = "double_payment", "A second payment was received for the order"
    AMOUNT_MISMATCH = "amount_mismatch", "The paid amount or currency differs from the order's"
    PAID_AFTER_FINAL_STATUS = "paid_after_final_status", "Paid after Mollie reported a final status"
    PAYMENT_STUCK = "payment_stuck", "A payment has been open or pending past the threshold"
    CHARGEBACK = "chargeback", "The shopper's bank reversed a payment (chargeback)"
    # Pay later (docs/pay-later.md).
    CAPTURE_FAILED = "capture_failed", "Capturing a shipped parcel's amount failed"
    CAPTURE_DEADLINE = "capture_deadline", "An authorization must be captured (shipped) soon"
    AUTHORIZATION_LAPSED = "authorization_lapsed", "An authorization lapsed before all of it was captured"


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # decided and stored; nobody is sending it
    SENDING = "sending"  # claimed by one sender (claimed_at says since when)
    SENT = "sent"  # SES accepted it; ses_message_id is SES's id
    FAILED = "failed"  # gave up after MAIL_MAX_TRIES; staff see last_error


class PendingIndex(GlobalSecondaryIndex):
    # Keys and what reconciliation filters on: the rendered mail (several KB) is not copied into
    # the index, so each status change costs one index write unit instead of the item's size.
    class Meta:
        index_name = "pending_index"
        projection = IncludeProjection(["kind", "claimed_at", "tries"])

    pending_status = UnicodeAttribute(hash_key=True)
    queued_at = UTCDateTimeAttribute(range_key=True)


@dynamodb.table
class OutboxItem(Model):
    class Meta:
        table_name = "outbox"

    order_id = UnicodeAttribute(hash_key=True)
    mail_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    to_addresses = ListAttribute(of=UnicodeAttribute)
    # Rendered when the decision is stored: what is sent (and resent) is what was decided then.
    subject = UnicodeAttribute()
    text_body = UnicodeAttribute()
    html_body = UnicodeAttribute()
    # The language it was rendered in, sent as its Content-Language; None on mails from before it.
    language = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=MailStatus.QUEUED.value)
    # Set while the mail is queued, sending or failed, removed once sent: keeps pending_index sparse.
    pending_status = UnicodeAttribute(null=True)
    tries = NumberAttribute(default=0)
    # Stale claims taken over: each may follow a send whose `sent` was never stored (a second mail).
    takeovers = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    claim_token = UnicodeAttribute(null=True)
    claimed_at = UTCDateTimeAttribute(null=True)
    ses_message_id = UnicodeAttribute(null=True)
    queued_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()

    pending_index = PendingIndex()

    @property
    def key(self):
        return OutboxKey(self.order_id, self.mail_key)

    @property
    def outbox_id(self):
        """What log lines name: order id and mail key carry no address or name."""
        return f"{self.order_id}/{self.mail_key}"

    def put_in(self, transaction):
        """Adds this new item to the caller's TransactWrite. The put is refused when the mail was
        decided before (a retried webhook, a storm): the transaction is then canceled with
        ConditionalCheckFailed, which the caller's retry loop treats as "re-read and decide"."""
        transaction.save(self, condition=OutboxItem.order_id.does_not_exist())


class OutboxKey(NamedTuple):
    """Enough to find and deliver one mail after the commit."""

    order_id: str
    mail_key: str


def mail_key(kind, event_id):
    return f"{MailKind(kind).value}#{event_id}"


class SuppressionReason(TextChoices):
    BOUNCE = "bounce", "Bounced (permanently)"
    COMPLAINT = "complaint", "Marked as spam (complaint)"


@dynamodb.table
class SuppressedAddress(Model):
    """An address SES reported as bouncing for good or complaining: no more mail goes to it.

    Access pattern: one address, lowercased (before every send; the staff order page): GetItem.
    """

    class Meta:
        table_name = "suppressed_addresses"

    address = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()  # SuppressionReason
    detail = UnicodeAttribute(default="")  # SES's bounce subtype or complaint feedback type
    ses_message_id = UnicodeAttribute(default="")  # the mail that bounced (SES's id, as on the outbox item)
    reported_at = UTCDateTimeAttribute()

    @property
    def reason_text(self):
        label = SuppressionReason(self.reason).label
        detail = f" ({self.detail})" if self.detail else ""
        return f"{label}{detail}, reported by SES on {self.reported_at:%Y-%m-%d %H:%M} UTC"
