"""Orders, payment attempts, refunds and the event timeline, stored in DynamoDB.

Access patterns and the keys that serve them:
- order by id (thank-you page with its token, webhook via payment metadata, staff detail):
  GetItem on `orders.order_id`.
- orders newest first (staff list): one Query per shard on `orders.order_shard_index`
  (order_shard "order#<k>", created_at), merged. Keys every order shares are spread over
  ORDER_SHARDS partitions by a suffix from the order number (write sharding, payments.sharding):
  no index partition takes more than its share of the writes, in a flash sale too.
- orders by status and age (staff filter, reconciliation of orders waiting too long): one Query per
  shard on `orders.status_shard_index` (status_shard "<status>#<k>", created_at).
- order number by prefix (staff search, read out over the phone): Query `orders.order_number_index`
  (order_shard, order_id) with begins_with; the suffix comes from the number's first digit, so a
  prefix of one digit or more is one Query.
- orders by customer e-mail (staff search): Query `orders.email_index` (customer_email, stored
  lowercase, created_at). Spread by nature: one shopper's orders.
- orders needing attention (dashboard): Query the sparse `orders.attention_index` (attention
  "flagged", created_at): only flagged orders carry the key, so only their writes land there.
- order counts and amounts per day (dashboard): one Query per shard on `order_counts` (shard,
  "<day>#<currency>"), added to in the transaction that creates or changes the order.
- attempts of an order: Query `payment_attempts` on order_id (range: attempt_no).
- attempt by Mollie payment id (webhook fallback, staff search): Query `mollie_payment_index`.
- attempts by status and age (reconciliation): one Query per shard on
  `payment_attempts.attempt_status_shard_index` (status_shard "<status>#<k>", created_at), spread
  like the orders' status index.
- timeline of an order: Query `payment_events` on order_id (range: event_id, time-ordered).
- refunds of an order: Query `refunds` on order_id (range: refund_key, our idempotency key).
- paid orders to ship, oldest first (staff): Query the sparse `orders.to_ship_index` (to_ship, created_at).
- shipments of an order: Query `shipments` on order_id (payments.shipment_models).
"""

from datetime import date

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from config import dynamodb
from payments.enums import AttemptStatus, OrderStatus, RefundStatus
from payments.model_maps import Address, ChargebackRecord, MethodDetails
from payments.sharding import order_shard
from payments.shipment_models import Shipment

__all__ = ["Address", "ChargebackRecord", "MethodDetails", "Shipment"]  # importable from here too


class OrderLine(MapAttribute):
    slug = UnicodeAttribute()
    name = UnicodeAttribute()
    unit_price_cents = NumberAttribute()
    quantity = NumberAttribute()
    # Only lines whose article tracks stock reserve (and later give back) stock.
    reserves_stock = BooleanAttribute(default=False)
    # VAT included in the price ("21.00", Mollie's vatRate); None on orders from before VAT.
    vat_rate = UnicodeAttribute(null=True)
    sku = UnicodeAttribute(null=True)
    shipped_quantity = NumberAttribute(default=0)  # raised by each shipment (fulfilment)

    @property
    def total_cents(self):
        return self.unit_price_cents * self.quantity

    @property
    def quantity_to_ship(self):
        return int(self.quantity) - int(self.shipped_quantity or 0)


class OrderShardIndex(dynamodb.AllProjectionIndex):
    order_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderNumberIndex(dynamodb.AllProjectionIndex):
    order_shard = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute(range_key=True)


class OrderStatusShardIndex(dynamodb.AllProjectionIndex):
    status_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class AttentionIndex(dynamodb.AllProjectionIndex):
    """Sparse: only orders flagged for staff carry `attention`."""

    attention = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ToShipIndex(dynamodb.AllProjectionIndex):  # sparse: paid orders with lines left to ship
    to_ship = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderEmailIndex(dynamodb.AllProjectionIndex):
    customer_email = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


@dynamodb.table
class Order(Model):
    class Meta:
        table_name = "orders"

    order_id = UnicodeAttribute(hash_key=True)
    public_token = UnicodeAttribute()
    status = UnicodeAttribute(default=OrderStatus.PENDING_PAYMENT)
    customer_name = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    lines = ListAttribute(of=OrderLine)
    total_cents = NumberAttribute()  # the lines and the shipping cost
    # None on orders from before addresses and shipping costs (they still render, and never ship).
    shipping_address = Address(null=True)
    billing_address = Address(null=True)
    shipping_cents = NumberAttribute(null=True)
    shipping_vat_rate = UnicodeAttribute(null=True)
    shipment_count = NumberAttribute(default=0)
    currency = UnicodeAttribute(default="EUR")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    paid_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    paid_attempt_no = NumberAttribute(null=True)
    amount_refunded_cents = NumberAttribute(default=0)
    # Charged back and not reversed, over all attempts: the order needs staff (stock stays out).
    amount_charged_back_cents = NumberAttribute(default=0)
    stock_released = BooleanAttribute(default=False)
    # The latest attempt, copied here so a status poll of a finished order is one read.
    attempt_count = NumberAttribute(default=0)
    latest_attempt_status = UnicodeAttribute(null=True)
    latest_mollie_payment_id = UnicodeAttribute(null=True)
    latest_checkout_url = UnicodeAttribute(null=True)
    latest_method = UnicodeAttribute(null=True)  # for the staff list and CSV without more reads
    latest_method_details = MethodDetails(null=True)  # for the thank-you page without more reads
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
    # Index keys derived from the fields above on every save (see `serialize`); never set by hand.
    order_shard = UnicodeAttribute(null=True)
    status_shard = UnicodeAttribute(null=True)
    attention = UnicodeAttribute(null=True)
    to_ship = UnicodeAttribute(null=True)

    # Each index is named after its attribute here: renaming one is a new index (`ensure_tables`).
    order_shard_index = OrderShardIndex()
    order_number_index = OrderNumberIndex()
    status_shard_index = OrderStatusShardIndex()
    attention_index = AttentionIndex()
    email_index = OrderEmailIndex()
    to_ship_index = ToShipIndex()

    FLAGGED = "flagged"
    TO_SHIP = "to_ship"

    def serialize(self, null_check=True):
        # Every write of a whole order passes here (save, transactions, batch writes), so the
        # derived keys can never disagree with the status and flag they are made from.
        self.derive_keys()
        return super().serialize(null_check=null_check)

    # What the per-day counters last counted of this order (None: not counted yet, a new order).
    counted_state = None

    @classmethod
    def from_raw_data(cls, data):
        order = super().from_raw_data(data)
        order.counted_state = order.counting_state()
        return order

    def deserialize(self, attribute_values):
        super().deserialize(attribute_values)
        self.counted_state = self.counting_state()

    def latest_attempt_copy(self):
        """The latest attempt as far as the order carries it (copy_latest): unsaved, for pages that
        show its method and details without another read."""
        return PaymentAttempt(
            self.order_id,
            int(self.attempt_count),
            status=self.latest_attempt_status,
            method=self.latest_method,
            method_details=self.latest_method_details,
            amount_cents=self.total_cents,
            currency=self.currency,
        )

    def counting_state(self):
        """The fields the per-day counters are made from (payments.services.counters)."""
        return (
            self.order_id,
            self.status,
            self.currency,
            self.total_cents,
            self.created_at,
            self.paid_at,
            int(self.amount_charged_back_cents or 0),
        )

    def derive_keys(self):
        shard = order_shard(self.order_id)
        self.order_shard = f"order#{shard}"
        self.status_shard = f"{self.status}#{shard}"
        self.attention = self.FLAGGED if self.needs_attention else None
        self.to_ship = self.TO_SHIP if self.is_to_ship else None

    @property
    def is_to_ship(self):  # paid (not refunded in full), with an address and a line not shipped yet
        paid = self.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
        return paid and self.shipping_address is not None and any(line.quantity_to_ship > 0 for line in self.lines)

    @property
    def is_paid(self):
        return self.status in OrderStatus.PAID_LIKE

    @property
    def attention_reason(self):
        return "; ".join(self.attention_reasons or [])  # type: ignore[arg-type]  # stubs: list items typed as the attribute

    @property
    def is_open_for_payment(self):
        return self.status == OrderStatus.PENDING_PAYMENT


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
        if self.mollie_amount_remaining_cents is not None:
            remaining = min(remaining, self.mollie_amount_remaining_cents)
        return max(remaining, 0)


@dynamodb.table
class Refund(Model):
    class Meta:
        table_name = "refunds"

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


@dynamodb.table
class OrderDayCount(Model):
    """Orders placed on one day (in TIME_ZONE) in one currency and one shard: how many, and their
    total, per status they are in now; and what was paid on that day. Only ever added to, inside
    the transaction that creates or changes an order (payments.services.counters), so the dashboard
    reads a few of these instead of the orders. Sharded like the orders: a counter item is written
    by every change of its orders, and an item takes about 1,000 writes a second."""

    class Meta:
        table_name = "order_counts"

    counter_shard = UnicodeAttribute(hash_key=True)  # "counts#<k>", k = order_shard(order_id)
    day_currency = UnicodeAttribute(range_key=True)  # "2026-12-07#EUR"
    paid_cents = NumberAttribute(default=0)
    # Orders the shopper's bank took money back from (chargebacks not reversed), and how much.
    count_charged_back = NumberAttribute(default=0)
    cents_charged_back = NumberAttribute(default=0)
    # count_<status> and cents_<status> for every order status, declared from the enum.
    for _status in OrderStatus.ALL:
        locals()[f"count_{_status}"] = NumberAttribute(default=0)
        locals()[f"cents_{_status}"] = NumberAttribute(default=0)
    del _status

    @property
    def day(self):
        return date.fromisoformat(self.day_currency.split("#")[0])

    @property
    def currency(self):
        return self.day_currency.split("#")[1]
