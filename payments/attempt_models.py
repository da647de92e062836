"""Payment attempts: each try to pay an order at Mollie, with the indexes that find them (by
Mollie payment id, by status and age, with refunds Mollie has not finished). Re-exported from
payments.models; see its docstring for the access patterns.
"""

from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from config import dynamodb
from payments.enums import AttemptStatus, PaymentMethod, RefundStatus
from payments.model_maps import ChargebackRecord, MethodDetails
from payments.sharding import order_shard


class MolliePaymentIndex(dynamodb.AllProjectionIndex):
    mollie_payment_id = UnicodeAttribute(hash_key=True)


class UnsettledRefundsIndex(dynamodb.AllProjectionIndex):
    """Sparse: only attempts with a refund Mollie has not finished (reconciliation follows them,
    since Mollie sends no webhook when a refund is canceled)."""

    refunds_unsettled = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class AttemptStatusShardIndex(dynamodb.AllProjectionIndex):
    status_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


@dynamodb.table
class PaymentAttempt(Model):
    class Meta:
        table_name = "payment_attempts"

    order_id = UnicodeAttribute(hash_key=True)
    attempt_no = NumberAttribute(range_key=True)
    status = UnicodeAttribute(default=AttemptStatus.CREATED)
    # Sent to Mollie on create: a retried request can never create a second payment.
    idempotency_key = UnicodeAttribute()
    mollie_payment_id = UnicodeAttribute(null=True)
    checkout_url = UnicodeAttribute(null=True)
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute()
    # What Mollie reported: the amount it says was paid, and refunded so far.
    mollie_amount_cents = NumberAttribute(null=True)
    mollie_currency = UnicodeAttribute(null=True)
    amount_refunded_cents = NumberAttribute(default=0)
    # The method chosen at our checkout until Mollie reports one, then Mollie's, with its details.
    method = UnicodeAttribute(null=True)
    method_details = MethodDetails(null=True)
    # Mollie's expiresAt while open: days away for a bank transfer; the order waits that long.
    mollie_expires_at = UTCDateTimeAttribute(null=True)
    # captureMode manual (pay later): Mollie's captureBefore while authorized, and amountCaptured.
    capture_before = UTCDateTimeAttribute(null=True)
    amount_captured_cents = NumberAttribute(default=0)
    # Mollie's authorizedAt: with captureBefore, how long the authorization lasts (capture_deadline).
    authorized_at = UTCDateTimeAttribute(null=True)
    chargebacks = ListAttribute(of=ChargebackRecord, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    last_synced_at = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    # A second paid attempt on an order that was already paid: its money must go back.
    needs_refund = BooleanAttribute(default=False)
    double_payment_handled = BooleanAttribute(default=False)
    amount_mismatch = BooleanAttribute(default=False)
    # Mollie's isCancelable: only bank transfers (and direct debits) can be canceled while open.
    is_cancelable = BooleanAttribute(default=False)
    # Mollie's amountRemaining: lowered as soon as a refund is created.
    mollie_amount_remaining_cents = NumberAttribute(null=True)
    # "yes" while a refund of this attempt is unsettled; absent otherwise (a sparse index).
    refunds_unsettled = UnicodeAttribute(null=True)
    version = VersionAttribute()
    # "<status>#<k>", k = order_shard(order_id): derived on every save, like the order's keys.
    status_shard = UnicodeAttribute(null=True)

    mollie_payment_index = MolliePaymentIndex()
    attempt_status_shard_index = AttemptStatusShardIndex()
    unsettled_refunds_index = UnsettledRefundsIndex()

    def transfer_under_way(self, now: datetime) -> bool:
        """An open bank transfer before its expiresAt: open for days by design (its dueDate)."""
        return (
            self.status == AttemptStatus.OPEN
            and self.method == PaymentMethod.BANK_TRANSFER
            and self.mollie_expires_at is not None
            and self.mollie_expires_at > now
        )

    @property
    def captures_manually(self):
        """Pay later (captureMode manual): Mollie gave it a capture deadline when it was authorized."""
        return self.capture_before is not None

    @property
    def is_refundable_status(self):
        """Paid, or authorized with some of it captured (pay later: a shipment went out)."""
        return self.status == AttemptStatus.PAID or (
            self.status == AttemptStatus.AUTHORIZED and int(self.amount_captured_cents or 0) > 0
        )

    @property
    def charged_back_cents(self):
        return sum(int(record.amount_cents) for record in self.chargebacks or [] if record.reversed_at is None)

    def serialize(self, null_check=True):
        self.derive_keys()
        return super().serialize(null_check=null_check)

    def derive_keys(self):
        self.status_shard = f"{self.status}#{order_shard(self.order_id)}"

    def refundable_cents(self, refunds):
        """What staff may still refund: the amount less every refund of ours that may give money
        back (pending ones too), never above Mollie's amountRemaining."""
        committed = sum(
            refund.amount_cents
            for refund in refunds
            if refund.attempt_no == self.attempt_no and refund.status not in RefundStatus.WITHOUT_MONEY
        )
        remaining = self.amount_cents - committed
        if self.captures_manually:  # pay later: only captured money can be refunded (Mollie)
            remaining = min(remaining, int(self.amount_captured_cents or 0) - committed)
        if self.mollie_amount_remaining_cents is not None:
            remaining = min(remaining, self.mollie_amount_remaining_cents)
        return max(remaining, 0)
