"""Read-only queries for the staff pages: staff members, the orders list and its export, one
order with everything that happened to it, and the dashboard figures. No writes, and no Scan:
every list is a Query on one of the orders table's indexes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timesince

from config.dynamodb import get_or_none
from notifications.models import MailKind, OutboxItem
from notifications.selectors import failed_mails, mails_of_order
from payments.enums import AttemptStatus, OrderStatus
from payments.models import Order, PaymentAttempt, PaymentEvent
from payments.selectors import attempts_of, get_attempt, get_order, refunds_of
from staff.models import StaffMember, normalize_username

# --- Staff members ------------------------------------------------------------------------------


def staff_member(username: str) -> StaffMember | None:
    return get_or_none(StaffMember, normalize_username(username))


# --- Orders list and export ---------------------------------------------------------------------

# The key attributes of each index, besides the table's own `order_id`: a page's start key.
_INDEX_KEYS = {
    "all_orders_index": ("entity", "created_at"),
    "status_index": ("status", "created_at"),
    "email_index": ("customer_email", "created_at"),
}


@dataclass(frozen=True)
class OrderFilter:
    """What staff asked for. At most one of the three search fields is set."""

    status: str = ""
    created_since: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    order_id: str = ""
    customer_email: str = ""
    mollie_payment_id: str = ""

    def fingerprint(self) -> str:
        """Identifies the query a page cursor belongs to; a cursor is only valid for its own query."""
        since = self.created_since.isoformat() if self.created_since else ""
        before = self.created_before.isoformat() if self.created_before else ""
        return "|".join([self.status, since, before, self.order_id, self.customer_email, self.mollie_payment_id])


@dataclass
class OrdersPage:
    orders: list
    # DynamoDB's start key for the next page, None on the last page.
    next_start_key: dict | None = None


def orders_page(order_filter: OrderFilter, *, start_key=None, page_size=25) -> OrdersPage:
    """One page of matching orders, newest first, continuing after `start_key`."""
    if order_filter.order_id or order_filter.mollie_payment_id:
        return OrdersPage(orders=_looked_up_orders(order_filter))
    # One more than a page tells whether there is a next page without a second request.
    results, index_name = _order_query(order_filter, limit=page_size + 1, start_key=start_key)
    orders = list(results)
    if len(orders) <= page_size:
        return OrdersPage(orders=orders)
    orders = orders[:page_size]
    # Made from the last order shown, not DynamoDB's LastEvaluatedKey: with a filter expression
    # DynamoDB may have read past orders this page does not show.
    return OrdersPage(orders=orders, next_start_key=_start_key_after(orders[-1], index_name))


def orders_for_export(order_filter: OrderFilter):
    """Every matching order, newest first, read page by page as the caller iterates."""
    if order_filter.order_id or order_filter.mollie_payment_id:
        yield from _looked_up_orders(order_filter)
        return
    results, _ = _order_query(order_filter, page_size=200)
    yield from results


def _order_query(order_filter, *, limit=None, start_key=None, page_size=None):
    created = _created_condition(order_filter)
    options = {"scan_index_forward": False, "limit": limit, "last_evaluated_key": start_key, "page_size": page_size}
    if order_filter.customer_email:
        # One customer has few orders, so filtering them by status afterwards is cheap.
        status = Order.status == order_filter.status if order_filter.status else None
        return (
            Order.email_index.query(order_filter.customer_email, created, filter_condition=status, **options),
            "email_index",
        )
    if order_filter.status:
        return Order.status_index.query(order_filter.status, created, **options), "status_index"
    return Order.all_orders_index.query("order", created, **options), "all_orders_index"


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
        return self.attempt.status == AttemptStatus.PAID and self.remaining_cents > 0

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
    def can_mark_handled(self):
        return self.attempt.needs_refund and not self.attempt.double_payment_handled


@dataclass
class OrderDetail:
    order: Order
    attempts: list
    refunds: list
    timeline: list
    mails: list = field(default_factory=list)  # MailRow, in the order they were decided

    @property
    def can_resend_confirmation(self):
        return self.order.is_paid and bool(self.order.paid_attempt_no)

    @property
    def can_cancel(self):
        return self.order.is_open_for_payment and not any(
            row.attempt.status == AttemptStatus.OPEN and not row.attempt.is_cancelable for row in self.attempts
        )

    @property
    def can_refresh(self):
        return any(row.attempt.mollie_payment_id for row in self.attempts)


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


def payment_attempt(order_id: str, attempt_no: int) -> AttemptRow | None:
    attempt = get_attempt(order_id, attempt_no)
    return AttemptRow(attempt, refunds_of(order_id)) if attempt is not None else None


# --- Dashboard ----------------------------------------------------------------------------------

PERIODS = (("today", "Today", 1), ("7_days", "Last 7 days", 7), ("30_days", "Last 30 days", 30))
CHART_DAYS = 30


@dataclass
class Figure:
    count: int = 0
    amounts: dict = field(default_factory=lambda: defaultdict(int))  # currency -> cents

    def add(self, order):
        self.count += 1
        self.amounts[order.currency] += order.total_cents

    @property
    def amount_list(self):
        return sorted(self.amounts.items())


@dataclass
class StatusRow:
    status: str
    figures: list  # one Figure per period, in PERIODS order


@dataclass
class Dashboard:
    periods: list  # (key, label, first day)
    rows: list  # StatusRow per order status, then one for all orders
    total: StatusRow
    # currency -> {day: paid cents}, for each of the last CHART_DAYS days
    paid_per_day: dict
    days: list
    needs_attention: list
    # Mails given up after MAIL_MAX_TRIES (keys, kind and tries: the sparse index's projection).
    failed_mails: list = field(default_factory=list)


def dashboard(*, now=None) -> Dashboard:
    """Orders created today, in the last 7 and 30 days (calendar days in TIME_ZONE), per status,
    and what was paid on each of the last 30 days.

    Reads the orders of the last 30 days with one Query per status; fine for a small shop. A
    bigger one would keep per-day counters, written by the workflow as orders change.
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    periods = [(key, label, today - timedelta(days=days - 1)) for key, label, days in PERIODS]
    days = [today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
    since = _start_of(min([days[0]] + [start for _, _, start in periods]))
    # Paid on one of these days but placed a little earlier: look back over the payment window.
    paid_since = since - timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS)

    rows = {status: StatusRow(status, [Figure() for _ in periods]) for status in OrderStatus.ALL}
    total = StatusRow("all", [Figure() for _ in periods])
    paid_per_day: defaultdict[str, dict[date, int]] = defaultdict(lambda: dict.fromkeys(days, 0))
    needs_attention = []
    for status in OrderStatus.ALL:
        looked_since = paid_since if status in OrderStatus.PAID_LIKE else since
        for order in Order.status_index.query(status, Order.created_at >= looked_since):
            created_day = timezone.localtime(order.created_at).date()
            for index, (_, _, period_start) in enumerate(periods):
                if period_start <= created_day <= today:
                    rows[status].figures[index].add(order)
                    total.figures[index].add(order)
            if order.paid_at and status in OrderStatus.PAID_LIKE:
                paid_day = timezone.localtime(order.paid_at).date()
                if paid_day in paid_per_day[order.currency]:
                    paid_per_day[order.currency][paid_day] += order.total_cents
            if order.needs_attention:
                needs_attention.append(order)
    return Dashboard(
        periods=periods,
        rows=[rows[status] for status in OrderStatus.ALL],
        total=total,
        paid_per_day=dict(paid_per_day),
        days=days,
        needs_attention=sorted(needs_attention, key=lambda order: order.created_at, reverse=True),
        failed_mails=[MailRow(item) for item in failed_mails()],
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
