"""Read-only queries for the staff pages: staff members, the orders list and its export, and one
order with everything that happened to it (the dashboard's figures: staff.dashboard). No writes,
and no Scan: every list is a Query on one of the orders table's indexes.
"""

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.timesince import timesince

from config.dynamodb import get_or_none
from notifications.bounces import suppression_of
from notifications.models import MailKind, OutboxItem, SuppressedAddress
from notifications.selectors import mails_of_order
from payments.enums import AttemptStatus, OrderStatus
from payments.locales import language_label, order_language
from payments.models import Order, PaymentAttempt, PaymentEvent
from payments.selectors import attempts_of, get_attempt, get_order, refunds_of
from payments.sharding import ORDER_SHARDS, order_shard, shard_keys
from shop.money import format_money
from staff.attention import grouped_reasons, money_back_twice, pending_refund_cents
from staff.models import StaffMember, normalize_username

# --- Staff members ------------------------------------------------------------------------------


def staff_member(username: str) -> StaffMember | None:
    return get_or_none(StaffMember, normalize_username(username))


# --- Orders list and export ---------------------------------------------------------------------

# The key attributes of each index, besides the table's own `order_id`: a page's start key.
_INDEX_KEYS = {
    "order_shard_index": ("order_shard", "created_at"),
    "status_shard_index": ("status_shard", "created_at"),
    "email_index": ("customer_email", "created_at"),
}
# A stream of a paged query that has nothing more (in a page's start keys).
_DONE = "done"


@dataclass(frozen=True)
class OrderFilter:
    """What staff asked for. At most one of the search fields is set."""

    status: str = ""
    created_since: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    order_id: str = ""
    order_number_prefix: str = ""
    customer_email: str = ""
    mollie_payment_id: str = ""

    def fingerprint(self) -> str:
        """Identifies the query a page cursor belongs to; a cursor is only valid for its own query."""
        since = self.created_since.isoformat() if self.created_since else ""
        before = self.created_before.isoformat() if self.created_before else ""
        return "|".join(
            [
                self.status,
                since,
                before,
                self.order_id,
                self.order_number_prefix,
                self.customer_email,
                self.mollie_payment_id,
            ]
        )


@dataclass
class OrdersPage:
    orders: list
    # Where each of the page's queries goes on (index hash key -> DynamoDB start key, or "done");
    # None on the last page.
    next_start_key: dict | None = None
    # A search by order-number prefix shows the first matches only: more match than are shown.
    more_matches: bool = False


def orders_page(order_filter: OrderFilter, *, start_key=None, page_size=25) -> OrdersPage:
    """One page of matching orders, newest first, continuing after `start_key`.

    A bounded read whatever the number of orders: at most one Query per shard, each for one more
    than a page (which tells whether there is a next page without a second request).
    """
    if order_filter.order_id or order_filter.mollie_payment_id:
        return OrdersPage(orders=_looked_up_orders(order_filter))
    if order_filter.order_number_prefix:
        matches = list(_prefix_matches(order_filter, limit=page_size + 1))
        orders = [order for order in matches if _matches(order, order_filter)][:page_size]
        return OrdersPage(
            orders=sorted(orders, key=_newest_first_key, reverse=True), more_matches=len(matches) > page_size
        )
    index, hash_keys, created, filter_condition = _order_query(order_filter)
    start_keys = start_key or {}
    fetched = []
    for hash_key in hash_keys:
        position = start_keys.get(hash_key)
        if position == _DONE:
            continue
        results = index.query(
            hash_key,
            created,
            filter_condition=filter_condition,
            scan_index_forward=False,
            limit=page_size + 1,
            last_evaluated_key=position,
        )
        items = list(results)
        ended = len(items) <= page_size  # PynamoDB reads on until the limit or the end
        fetched.append((hash_key, position, ended, items))
    candidates = sorted(
        ((order, hash_key) for hash_key, _, _, items in fetched for order in items),
        key=lambda pair: _newest_first_key(pair[0]),
        reverse=True,
    )
    shown = candidates[:page_size]
    orders = [order for order, _ in shown]
    if len(candidates) <= page_size and all(ended for _, _, ended, _ in fetched):
        return OrdersPage(orders=orders)
    # Each stream goes on after the last order it put on this page (not DynamoDB's
    # LastEvaluatedKey: the other streams' newer orders come first), or stays where it was.
    next_keys: dict[str, object] = dict.fromkeys(hash_keys, _DONE)
    for hash_key, position, ended, items in fetched:
        last_shown = [order for order, key in shown if key == hash_key]
        left = len(items) > len(last_shown) or not ended
        if not left:
            continue
        next_keys[hash_key] = _start_key_after(last_shown[-1], index.Meta.index_name) if last_shown else position
    return OrdersPage(orders=orders, next_start_key=next_keys)


def orders_for_export(order_filter: OrderFilter):
    """Every matching order, newest first, read page by page as the caller iterates."""
    if order_filter.order_id or order_filter.mollie_payment_id:
        yield from _looked_up_orders(order_filter)
        return
    if order_filter.order_number_prefix:
        matches = [order for order in _prefix_matches(order_filter) if _matches(order, order_filter)]
        yield from sorted(matches, key=_newest_first_key, reverse=True)
        return
    index, hash_keys, created, filter_condition = _order_query(order_filter)
    streams = [
        index.query(key, created, filter_condition=filter_condition, scan_index_forward=False, page_size=200)
        for key in hash_keys
    ]
    yield from heapq.merge(*streams, key=_newest_first_key, reverse=True)


def _newest_first_key(order):
    return (order.created_at, order.order_id)


def _order_query(order_filter):
    """(index, its hash keys to query, created_at condition, filter condition)."""
    created = _created_condition(order_filter)
    if order_filter.customer_email:
        # One customer has few orders, so filtering them by status afterwards is cheap.
        status = Order.status == order_filter.status if order_filter.status else None
        return Order.email_index, [order_filter.customer_email], created, status
    if order_filter.status:
        return Order.status_shard_index, shard_keys(order_filter.status), created, None
    return Order.order_shard_index, shard_keys("order"), created, None


def _prefix_matches(order_filter, *, limit=None):
    """Orders whose number starts with the prefix: one Query when the prefix has its first digit
    (which names the shard), else one per shard."""
    prefix = order_filter.order_number_prefix
    shards = [order_shard(prefix)] if len(prefix) > len("SO-") else range(ORDER_SHARDS)
    found = 0
    for shard in shards:
        for order in Order.order_number_index.query(
            f"order#{shard}", Order.order_id.startswith(prefix), limit=limit and limit - found
        ):
            found += 1
            yield order
        if limit and found >= limit:
            return


def _created_condition(order_filter):
    since, before = order_filter.created_since, order_filter.created_before
    if since and before:
        # A key condition allows one comparison on the range key; between() is inclusive.
        return Order.created_at.between(since, before - timedelta(microseconds=1))
    if since:
        return Order.created_at >= since
    if before:
        return Order.created_at < before
    return None


def _start_key_after(order, index_name):
    names = ("order_id", *_INDEX_KEYS[index_name])
    return {
        name: {Order._attributes[name].attr_type: Order._attributes[name].serialize(getattr(order, name))}
        for name in names
    }


def _looked_up_orders(order_filter):
    """An exact order number or Mollie payment id: at most a few orders, no paging needed."""
    if order_filter.order_id:
        order_ids = [order_filter.order_id]
    else:
        attempts = PaymentAttempt.mollie_payment_index.query(order_filter.mollie_payment_id)
        order_ids = sorted({attempt.order_id for attempt in attempts})
    orders = [order for order in Order.batch_get(order_ids) if _matches(order, order_filter)] if order_ids else []
    return sorted(orders, key=lambda order: order.created_at, reverse=True)


def _matches(order, order_filter):
    return (
        (not order_filter.status or order.status == order_filter.status)
        and (not order_filter.created_since or order.created_at >= order_filter.created_since)
        and (not order_filter.created_before or order.created_at < order_filter.created_before)
    )


# --- One order ----------------------------------------------------------------------------------


@dataclass
class AttemptRow:
    """A payment attempt and which staff actions make sense for it.

    These only decide which buttons to show; the workflow's services decide what is allowed.
    """

    attempt: PaymentAttempt
    refunds: list = field(default_factory=list)  # the order's refund records

    @property
    def remaining_cents(self):
        return self.attempt.refundable_cents(self.refunds)

    @property
    def can_cancel(self):
        # Mollie cancels only what it says isCancelable (bank transfers); the rest expire.
        return (
            self.attempt.status == AttemptStatus.OPEN
            and bool(self.attempt.mollie_payment_id)
            and self.attempt.is_cancelable
        )

    @property
    def can_refund(self):
        return self.attempt.is_refundable_status and self.remaining_cents > 0

    @property
    def refund_explanation(self):
        """Pay later: why the refundable amount is what was captured, not what was authorized."""
        attempt = self.attempt
        if not attempt.captures_manually:
            return ""
        captured = format_money(int(attempt.amount_captured_cents or 0), attempt.currency)
        return (
            f"Pay later: {captured} of {format_money(attempt.amount_cents, attempt.currency)} was captured (by "
            "shipping). Only captured money can be refunded; what is not shipped yet is not charged to the "
            "customer, and canceling the order releases it."
        )

    @property
    def waiting_note(self):
        """Why an unfinished payment is left alone: Mollie decides when it ends, not us."""
        attempt = self.attempt
        if attempt.status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
            # PayPal payments may stay pending for more than 48 hours (mollie/mollie-api-python#129).
            return (
                f"Waiting for the bank or PayPal since {timesince(attempt.updated_at)} ago; this can take more "
                f"than 48 hours. The order keeps its stock until Mollie decides."
            )
        if attempt.status == AttemptStatus.OPEN and attempt.mollie_payment_id and not attempt.is_cancelable:
            return (
                "Mollie cannot cancel this payment; it expires by itself if the customer does not pay "
                "(15 minutes for iDEAL, 30 for cards, up to 72 hours for PayPal)."
            )
        return ""

    @property
    def pending_refund_cents(self):
        return pending_refund_cents(self.refunds, attempt_no=self.attempt.attempt_no)

    @property
    def can_mark_handled(self):
        return self.attempt.needs_refund and not self.attempt.double_payment_handled


@dataclass
class OrderDetail:
    order: Order
    attempts: list
    refunds: list
    timeline: list
    mails: list = field(default_factory=list)  # MailRow, in the order they were decided
    mail_suppression: SuppressedAddress | None = None  # why mail to the customer is not sent

    @property
    def can_resend_confirmation(self):
        return self.order.is_sold and bool(self.order.paid_attempt_no)

    @property
    def can_cancel(self):
        if self.order.status == OrderStatus.AUTHORIZED:  # pay later: releases the authorization
            return not any(int(line.shipped_quantity or 0) for line in self.order.lines)
        return self.order.is_open_for_payment and not any(
            row.attempt.status == AttemptStatus.OPEN and not row.attempt.is_cancelable for row in self.attempts
        )

    @property
    def can_release_rest(self):
        """Pay later, part shipped, the rest will not: payments.services.release_rest decides again."""
        order = self.order
        shipped = any(int(line.shipped_quantity or 0) for line in order.lines)
        return order.status == OrderStatus.AUTHORIZED and shipped and order.is_to_ship

    @property
    def language(self):
        """What the shopper reads: Mollie's page, the order page and the mails (payments.locales)."""
        return language_label(order_language(self.order))

    @property
    def can_refresh(self):
        return any(row.attempt.mollie_payment_id for row in self.attempts)

    @property
    def chargebacks(self):
        return [(row.attempt, chargeback) for row in self.attempts for chargeback in row.attempt.chargebacks or []]

    @property
    def pending_refund_cents(self):
        return pending_refund_cents(self.refunds)

    @property
    def attention_reasons(self):
        twice = money_back_twice([row.attempt for row in self.attempts], self.refunds)
        return [matter.text for matter in twice] + grouped_reasons(self.order)


def order_by_id(order_id: str) -> Order | None:
    return get_order(order_id)


def order_detail(order_id: str) -> OrderDetail | None:
    order = order_by_id(order_id)
    if order is None:
        return None
    refunds = sorted(refunds_of(order_id), key=lambda refund: refund.created_at)
    return OrderDetail(
        order=order,
        attempts=[AttemptRow(attempt, refunds) for attempt in attempts_of(order_id)],
        refunds=refunds,
        timeline=list(PaymentEvent.query(order_id, consistent_read=True)),
        mails=[MailRow(item) for item in mails_of_order(order_id)],
        mail_suppression=suppression_of(order.customer_email),
    )


@dataclass
class MailRow:
    """One e-mail of the order as staff see it: kind, to, when, and its status with the error."""

    item: OutboxItem

    @property
    def kind_label(self):
        label = MailKind(self.item.kind).label
        return f"{label} (resent)" if "#resend-" in self.item.mail_key else label

    @property
    def to(self):
        return ", ".join(str(address) for address in self.item.to_addresses or [])


def pending_refunds_of(orders) -> dict[str, int]:
    """Refunds Mollie has not paid out yet, in cents per order id, for these orders: the sparse
    index of attempts with unsettled refunds names the few orders whose refunds are read."""
    wanted = {order.order_id for order in orders}
    unsettled = {attempt.order_id for attempt in PaymentAttempt.unsettled_refunds_index.query("yes")} & wanted
    pending = {order_id: pending_refund_cents(refunds_of(order_id)) for order_id in sorted(unsettled)}
    return {order_id: cents for order_id, cents in pending.items() if cents}


def payment_attempt(order_id: str, attempt_no: int) -> AttemptRow | None:
    attempt = get_attempt(order_id, attempt_no)
    return AttemptRow(attempt, refunds_of(order_id)) if attempt is not None else None
