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
- orders by customer e-mail (staff search, open bank transfers per e-mail at checkout): Query
  `orders.email_index` (customer_email, stored lowercase, created_at). Spread by nature.
- orders that may be paid by bank transfer, per client address (checkout's limit): Query the
  sparse `orders.transfer_hold_index` (transfer_hold: a digest of the address, created_at).
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
from payments.attempt_models import PaymentAttempt
from payments.enums import AttemptStatus, OrderStatus, PaymentMethod, RefundStatus
from payments.model_maps import Address, ChargebackRecord, MethodDetails
from payments.order_indexes import (
    AttentionIndex,
    OrderEmailIndex,
    OrderNumberIndex,
    OrderShardIndex,
    OrderStatusShardIndex,
    ToShipIndex,
    TransferHoldIndex,
)
from payments.sharding import order_shard
from payments.shipment_models import Shipment

# importable from here too
__all__ = ["Address", "AttemptStatus", "ChargebackRecord", "MethodDetails", "PaymentAttempt", "Shipment"]


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
    # Pay later: what staff released unshipped ("Release the rest"); never ships, its stock is back.
    released_quantity = NumberAttribute(default=0)

    @property
    def total_cents(self):
        return self.unit_price_cents * self.quantity

    @property
    def quantity_to_ship(self):
        return int(self.quantity) - int(self.shipped_quantity or 0) - int(self.released_quantity or 0)


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
    # The language the shopper checked out in (payments.locales.SHOP_LANGUAGES): Mollie's page, the
    # order page and every mail to them use it. None on orders from before it: the default language.
    language = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    paid_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    # The attempt that paid, or authorized (pay later) and is captured as the order ships.
    paid_attempt_no = NumberAttribute(null=True)
    # Pay later: the authorization's captureBefore (Mollie's), copied for the staff pages.
    capture_before = UTCDateTimeAttribute(null=True)
    # Pay later: when staff released what was not shipped (payments/services/release_rest.py): the
    # uncaptured rest ends by their choice, not as a lapse.
    rest_released_at = UTCDateTimeAttribute(null=True)
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
    # The shopper's next order, checked out while a payment of this one was open: refund a late one.
    replaced_by = UnicodeAttribute(null=True)
    # A keyed digest of the client address that placed it (never the address itself), and why a
    # bank transfer was not offered for it (None: offered). See payments/services/transfer_limits.py.
    client_key = UnicodeAttribute(null=True)
    no_transfer_because = UnicodeAttribute(null=True)
    version = VersionAttribute()
    # Index keys derived from the fields above on every save (see `serialize`); never set by hand.
    order_shard = UnicodeAttribute(null=True)
    status_shard = UnicodeAttribute(null=True)
    attention = UnicodeAttribute(null=True)
    to_ship = UnicodeAttribute(null=True)
    transfer_hold = UnicodeAttribute(null=True)

    # Each index is named after its attribute here: renaming one is a new index (`ensure_tables`).
    order_shard_index = OrderShardIndex()
    order_number_index = OrderNumberIndex()
    status_shard_index = OrderStatusShardIndex()
    attention_index = AttentionIndex()
    email_index = OrderEmailIndex()
    to_ship_index = ToShipIndex()
    transfer_hold_index = TransferHoldIndex()

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
        self.transfer_hold = self.client_key if self.may_hold_transfer else None

    @property
    def may_hold_transfer(self):
        """Waiting for a payment that is, or may still become, a bank transfer."""
        return (
            self.is_open_for_payment
            and not self.no_transfer_because
            and self.latest_method in (None, PaymentMethod.BANK_TRANSFER)
        )

    @property
    def is_to_ship(self):  # paid or authorized (not refunded in full), with an address and a line not shipped yet
        sold = self.status in (OrderStatus.AUTHORIZED, OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
        return sold and self.shipping_address is not None and any(line.quantity_to_ship > 0 for line in self.lines)

    @property
    def is_paid(self):
        return self.status in OrderStatus.PAID_LIKE

    @property
    def is_sold(self):
        """Paid, or authorized to be captured on shipping: never payable again."""
        return self.status in OrderStatus.SOLD

    @property
    def attention_reason(self):
        return "; ".join(self.attention_reasons or [])  # type: ignore[arg-type]  # stubs: list items typed as the attribute

    @property
    def is_open_for_payment(self):
        return self.status == OrderStatus.PENDING_PAYMENT


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
