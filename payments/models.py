"""Orders, payment attempts, refunds and the event timeline, stored in DynamoDB.

Access patterns and the keys that serve them:
- order by id (thank-you page with its token, webhook via payment metadata, staff detail):
  GetItem on `orders.order_id`.
- orders newest first (staff list): Query `orders.all_orders_index` (entity, created_at).
- orders by status and age (staff filter, reconciliation of orders waiting too long):
  Query `orders.status_index` (status, created_at).
- orders by customer e-mail (staff search): Query `orders.email_index` (customer_email, created_at).
- attempts of an order: Query `payment_attempts` on order_id (range: attempt_no).
- attempt by Mollie payment id (webhook fallback, staff search): Query `mollie_payment_index`.
- attempts by status and age (reconciliation): Query `attempt_status_index` (status, created_at).
- timeline of an order: Query `payment_events` on order_id (range: event_id, time-ordered).
- refunds of an order: Query `refunds` on order_id (range: refund_key, our idempotency key).
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from config import dynamodb
from payments.enums import AttemptStatus, OrderStatus, RefundStatus


class OrderLine(MapAttribute):
    slug = UnicodeAttribute()
    name = UnicodeAttribute()
    unit_price_cents = NumberAttribute()
    quantity = NumberAttribute()
    # Only lines whose article tracks stock reserve (and later give back) stock.
    reserves_stock = BooleanAttribute(default=False)

    @property
    def total_cents(self):
        return self.unit_price_cents * self.quantity


class AllOrdersIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "all_orders_index"
        projection = AllProjection()

    entity = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status_index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderEmailIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "email_index"
        projection = AllProjection()

    customer_email = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


@dynamodb.table
class Order(Model):
    class Meta:
        table_name = "orders"
        billing_mode = "PAY_PER_REQUEST"

    order_id = UnicodeAttribute(hash_key=True)
    public_token = UnicodeAttribute()
    entity = UnicodeAttribute(default="order")
    status = UnicodeAttribute(default=OrderStatus.PENDING_PAYMENT)
    customer_name = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    lines = ListAttribute(of=OrderLine)
    total_cents = NumberAttribute()
    currency = UnicodeAttribute(default="EUR")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    paid_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    paid_attempt_no = NumberAttribute(null=True)
    amount_refunded_cents = NumberAttribute(default=0)
    stock_released = BooleanAttribute(default=False)
    # The latest attempt, copied here so a status poll of a finished order is one read.
    attempt_count = NumberAttribute(default=0)
    latest_attempt_status = UnicodeAttribute(null=True)
    latest_mollie_payment_id = UnicodeAttribute(null=True)
    latest_checkout_url = UnicodeAttribute(null=True)
    last_pulled_at = UTCDateTimeAttribute(null=True)
    # Something staff must look at: a second paid attempt, an amount mismatch, paid after expiry.
    needs_attention = BooleanAttribute(default=False)
    # One line per open matter; handling one (a double payment refunded) must not hide the others.
    attention_reasons = ListAttribute(of=UnicodeAttribute, default=list)
    # The AlertReasons staff were mailed about (notifications.models): one alert per order and reason.
    alerted_reasons = ListAttribute(of=UnicodeAttribute, default=list)
    # Other orders of the same shopper paid within the payment window: perhaps one purchase paid twice.
    possible_duplicate_of = ListAttribute(of=UnicodeAttribute, default=list)
    version = VersionAttribute()

    all_orders_index = AllOrdersIndex()
    status_index = OrderStatusIndex()
    email_index = OrderEmailIndex()

    @property
    def is_paid(self):
        return self.status in OrderStatus.PAID_LIKE

    @property
    def attention_reason(self):
        return "; ".join(self.attention_reasons or [])  # type: ignore[arg-type]  # stubs: list items typed as the attribute

    @property
    def is_open_for_payment(self):
        return self.status == OrderStatus.PENDING_PAYMENT


class MolliePaymentIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "mollie_payment_index"
        projection = AllProjection()

    mollie_payment_id = UnicodeAttribute(hash_key=True)


class UnsettledRefundsIndex(GlobalSecondaryIndex):
    """Sparse: only attempts with a refund Mollie has not finished (reconciliation follows them,
    since Mollie sends no webhook when a refund is canceled)."""

    class Meta:
        index_name = "unsettled_refunds_index"
        projection = AllProjection()

    refunds_unsettled = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class AttemptStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "attempt_status_index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


@dynamodb.table
class PaymentAttempt(Model):
    class Meta:
        table_name = "payment_attempts"
        billing_mode = "PAY_PER_REQUEST"

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
    method = UnicodeAttribute(null=True)
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

    mollie_payment_index = MolliePaymentIndex()
    attempt_status_index = AttemptStatusIndex()
    unsettled_refunds_index = UnsettledRefundsIndex()

    def refundable_cents(self, refunds):
        """What staff may still refund: the amount less every refund of ours that may give money
        back (pending ones too), never above Mollie's amountRemaining."""
        committed = sum(
            refund.amount_cents
            for refund in refunds
            if refund.attempt_no == self.attempt_no and refund.status not in RefundStatus.WITHOUT_MONEY
        )
        remaining = self.amount_cents - committed
        if self.mollie_amount_remaining_cents is not None:
            remaining = min(remaining, self.mollie_amount_remaining_cents)
        return max(remaining, 0)


@dynamodb.table
class Refund(Model):
    class Meta:
        table_name = "refunds"
        billing_mode = "PAY_PER_REQUEST"

    order_id = UnicodeAttribute(hash_key=True)
    # Our idempotency key for the refund: a double submit finds this item and refunds once.
    refund_key = UnicodeAttribute(range_key=True)
    attempt_no = NumberAttribute()
    mollie_payment_id = UnicodeAttribute()
    mollie_refund_id = UnicodeAttribute(null=True)
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    # "requested" until Mollie accepted it, then Mollie's refund status.
    status = UnicodeAttribute(default=RefundStatus.REQUESTED)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


@dynamodb.table
class PaymentEvent(Model):
    """One line of an order's timeline: webhooks, syncs, status changes, refunds, staff actions."""

    class Meta:
        table_name = "payment_events"
        billing_mode = "PAY_PER_REQUEST"

    # Webhooks that match no order are kept under this partition, so nothing is silently dropped.
    UNMATCHED = "unmatched"

    order_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)  # "<ISO time>#<random>", so a Query is time-ordered
    kind = UnicodeAttribute()
    source = UnicodeAttribute()
    actor = UnicodeAttribute(default="")
    attempt_no = NumberAttribute(null=True)
    mollie_payment_id = UnicodeAttribute(null=True)
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    message = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
