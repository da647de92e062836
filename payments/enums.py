"""The workflow's vocabularies in one place: statuses, event kinds and sources, each with the label
people read. Django's TextChoices need no ORM; members are plain strings as stored in DynamoDB."""

from typing import ClassVar

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class OrderStatus(TextChoices):
    PENDING_PAYMENT = "pending_payment", "Waiting for payment"
    # Pay later (docs/pay-later.md): a sale whose money is held, captured when it ships.
    AUTHORIZED = "authorized", "Authorized"
    PAID = "paid", "Paid"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"
    EXPIRED = "expired", "Expired"
    CANCELED = "canceled", "Canceled"

    # Sets of members, assigned below the class (annotated here so type checkers know them).
    ALL: ClassVar[list["OrderStatus"]]
    PAID_LIKE: ClassVar[frozenset["OrderStatus"]]
    SOLD: ClassVar[frozenset["OrderStatus"]]
    CLOSED_UNPAID: ClassVar[frozenset["OrderStatus"]]


OrderStatus.ALL = list(OrderStatus)
OrderStatus.PAID_LIKE = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})
# A sale: paid, or authorized (pay later) and not paid yet; never payable again, its stock is kept.
OrderStatus.SOLD = OrderStatus.PAID_LIKE | {OrderStatus.AUTHORIZED}
OrderStatus.CLOSED_UNPAID = frozenset({OrderStatus.EXPIRED, OrderStatus.CANCELED})


class AttemptStatus(TextChoices):
    # Ours: stored before Mollie is called; `abandoned` when it never reached Mollie in time;
    # `rejected` when Mollie refused to create it.
    CREATED = "created", "Created"
    ABANDONED = "abandoned", "Abandoned"
    REJECTED = "rejected", "Rejected"
    # Mollie's.
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    AUTHORIZED = "authorized", "Authorized"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    EXPIRED = "expired", "Expired"

    # Sets of members and ranks, assigned below the class (annotated here so type checkers know them).
    MOLLIE: ClassVar[frozenset["AttemptStatus"]]
    ALL: ClassVar[list["AttemptStatus"]]
    WAITING: ClassVar[frozenset["AttemptStatus"]]
    UNSUCCESSFUL: ClassVar[frozenset["AttemptStatus"]]
    FINAL_UNPAID: ClassVar[frozenset["AttemptStatus"]]
    RANK: ClassVar[dict[str, int]]
    FINAL_RANK: ClassVar[int]

    @classmethod
    def rank(cls, status: str) -> int:
        return _ATTEMPT_RANK.get(status, AttemptStatus.FINAL_RANK)


_S = AttemptStatus
AttemptStatus.MOLLIE = frozenset({_S.OPEN, _S.PENDING, _S.AUTHORIZED, _S.PAID, _S.FAILED, _S.CANCELED, _S.EXPIRED})
AttemptStatus.ALL = [
    _S.CREATED,
    _S.OPEN,
    _S.PENDING,
    _S.AUTHORIZED,
    _S.PAID,
    _S.FAILED,
    _S.CANCELED,
    _S.EXPIRED,
    _S.ABANDONED,
    _S.REJECTED,
]
AttemptStatus.WAITING = frozenset({_S.CREATED, _S.OPEN, _S.PENDING, _S.AUTHORIZED})
AttemptStatus.UNSUCCESSFUL = frozenset({_S.FAILED, _S.CANCELED, _S.EXPIRED, _S.ABANDONED, _S.REJECTED})
# Mollie's final statuses without money; Mollie may still (wrongly) report `paid` after them.
AttemptStatus.FINAL_UNPAID = frozenset({_S.FAILED, _S.CANCELED, _S.EXPIRED})
# Mollie's statuses only move forward; a late or stale answer must never move one back.
# `abandoned` ranks low because Mollie's real answer, if it ever comes, must win over it.
# Keyed by plain strings (the members are str): stored statuses look themselves up.
_ATTEMPT_RANK: dict[str, int]
AttemptStatus.RANK = _ATTEMPT_RANK = {_S.CREATED: 0, _S.ABANDONED: 1, _S.OPEN: 2, _S.PENDING: 3, _S.AUTHORIZED: 4}
AttemptStatus.FINAL_RANK = 5
del _S


class RefundStatus(TextChoices):
    # Ours: stored before Mollie is asked; `rejected` when Mollie refused it.
    REQUESTED = "requested", "Requested"
    REJECTED = "rejected", "Rejected"
    # Mollie's.
    QUEUED = "queued", "Queued"
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    REFUNDED = "refunded", "Refunded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"

    # Sets of members, assigned below the class (annotated here so type checkers know them).
    WITHOUT_MONEY: ClassVar[frozenset["RefundStatus"]]
    UNSETTLED: ClassVar[frozenset["RefundStatus"]]


# Our refund records that give no money back: Mollie's failed/canceled, or refused when asked.
RefundStatus.WITHOUT_MONEY = frozenset({RefundStatus.FAILED, RefundStatus.CANCELED, RefundStatus.REJECTED})
# Refunds still on their way (ours `requested`: Mollie's answer not known yet).
RefundStatus.UNSETTLED = frozenset(
    {RefundStatus.REQUESTED, RefundStatus.QUEUED, RefundStatus.PENDING, RefundStatus.PROCESSING}
)


class EventKind(TextChoices):
    # The labels are the timeline's wording for staff.
    ORDER_PLACED = "order_placed", "Order placed"
    ORDER_STATUS_CHANGED = "order_status_changed", "Order status changed"
    ATTEMPT_STATUS_CHANGED = "attempt_status_changed", "Payment status changed"
    PAYMENT_RETRY = "payment_retry", "Payment retry"
    PAYMENT_CREATE_FAILED = "payment_create_failed", "Payment create failed"
    METHOD_REFUSED = "method_refused", "Method refused by Mollie"
    WEBHOOK_RECEIVED = "webhook_received", "Webhook from Mollie"
    SYNCED_FROM_MOLLIE = "synced_from_mollie", "Fetched from Mollie"
    UNMATCHED_PAYMENT = "unmatched_payment", "Payment matching no order"
    AMOUNT_MISMATCH = "amount_mismatch", "Amount mismatch"
    DOUBLE_PAYMENT = "double_payment", "Double payment"
    DOUBLE_PAYMENT_HANDLED = "double_payment_handled", "Double payment handled"
    PAID_AFTER_FINAL_STATUS = "paid_after_final_status", "Paid after final status"
    POSSIBLE_DUPLICATE = "possible_duplicate", "Possible duplicate"
    REFUND_REQUESTED = "refund_requested", "Refund requested"
    REFUND_CREATED = "refund_created", "Refund created"
    REFUND_REJECTED = "refund_rejected", "Refund rejected"
    REFUND_FOUND = "refund_found", "Refund found"
    REFUND_STATUS_CHANGED = "refund_status_changed", "Refund status changed"
    REFUND_AMOUNT_CHANGED = "refund_amount_changed", "Refund amount changed"
    CHARGEBACK = "chargeback", "Chargeback"
    CHARGEBACK_REVERSED = "chargeback_reversed", "Chargeback reversed"
    CHARGEBACK_HANDLED = "chargeback_handled", "Chargeback handled"
    PAYMENT_STUCK = "payment_stuck", "Payment stuck"
    CONFIRMATION_RESENT = "confirmation_resent", "Confirmation resent"
    SHIPPED = "shipped", "Shipped"
    PERSONAL_DATA_EXPORTED = "personal_data_exported", "Personal data exported"
    PERSONAL_DATA_ERASED = "personal_data_erased", "Personal data erased"
    CAPTURED = "captured", "Captured"
    CAPTURE_FAILED = "capture_failed", "Capture failed"
    CAPTURE_DEADLINE = "capture_deadline", "Capture deadline near"
    AUTHORIZATION_RELEASED = "authorization_released", "Authorization released"


class PaymentMethod(TextChoices):
    """Mollie's method ids the shop knows by name (others are shown as Mollie names them)."""

    IDEAL = "ideal", "iDEAL"
    CREDIT_CARD = "creditcard", _("card")
    BANCONTACT = "bancontact", "Bancontact"
    BANK_TRANSFER = "banktransfer", _("bank transfer")
    PAYPAL = "paypal", "PayPal"
    KLARNA = "klarna", "Klarna"
    RIVERTY = "riverty", "Riverty"
    IN3 = "in3", "in3"
    BILLIE = "billie", "Billie"

    @classmethod
    def label_of(cls, method: str | None) -> str:
        if not method:
            return ""
        return str(cls(method).label) if method in cls.values else method


class EventSource(TextChoices):
    CHECKOUT = "checkout", "Checkout"
    SHOPPER = "shopper", "Shopper"
    WEBHOOK = "webhook", "Webhook"
    STATUS_POLL = "status_poll", "Status page"
    STAFF = "staff", "Staff"
    RECONCILE = "reconcile", "Reconciliation"
    MOLLIE = "mollie", "Mollie"
