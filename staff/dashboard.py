"""The staff dashboard's figures: orders per status and period, what was paid per day, the orders
needing attention and the mails given up. Read from the per-day counters and sparse indexes, so the
same few reads whatever the number of orders.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from notifications.selectors import failed_mails
from payments.enums import OrderStatus, RefundStatus
from payments.models import Order, OrderDayCount, PaymentAttempt
from payments.selectors import attempts_of, refunds_of
from payments.sharding import shard_keys
from staff.attention import grouped_reasons, money_back_twice
from staff.selectors import MailRow

PERIODS = (("today", "Today", 1), ("7_days", "Last 7 days", 7), ("30_days", "Last 30 days", 30))
CHART_DAYS = 30
# Flagged orders listed on the dashboard, newest first; one more tells that there are more.
ATTENTION_SHOWN = 20


@dataclass
class Figure:
    count: int = 0
    amounts: dict = field(default_factory=lambda: defaultdict(int))  # currency -> cents

    def add(self, count, currency, cents):
        self.count += count
        self.amounts[currency] += cents

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
    charged_back: StatusRow  # orders the shopper's bank took money back from (not reversed)
    more_need_attention: bool = False
    # Mails given up after MAIL_MAX_TRIES (keys, kind and tries: the sparse index's projection).
    failed_mails: list = field(default_factory=list)
    # One AttentionRow per flagged order shown: its matters, one line each.
    attention: list = field(default_factory=list)
    # Refunds Mollie has not paid out yet: how many, and their sum per currency.
    pending_refunds: Figure = field(default_factory=Figure)


@dataclass
class AttentionRow:
    order: Order
    reasons: list


def _attention_row(order):
    reasons = grouped_reasons(order)
    if order.amount_charged_back_cents:
        # Only a charged-back order can have had its money back twice: its records are read then.
        twice = money_back_twice(attempts_of(order.order_id), refunds_of(order.order_id))
        reasons = [matter.text for matter in twice] + reasons
    return AttentionRow(order, reasons)


def _pending_refunds():
    """From the sparse index of attempts whose refunds Mollie has not finished: a few reads."""
    pending = Figure()
    for order_id in sorted({attempt.order_id for attempt in PaymentAttempt.unsettled_refunds_index.query("yes")}):
        for refund in refunds_of(order_id):
            if refund.status in RefundStatus.UNSETTLED:
                pending.add(1, refund.currency, int(refund.amount_cents))
    return pending


def dashboard(*, now=None) -> Dashboard:
    """Orders placed today, in the last 7 and 30 days (calendar days in TIME_ZONE), per status,
    and what was paid on each of the last 30 days.

    From the per-day counters (payments.services.counters), one Query per shard, and the newest
    flagged orders from the sparse attention index: the same reads whatever the number of orders.
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    periods = [(key, label, today - timedelta(days=days - 1)) for key, label, days in PERIODS]
    days = [today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
    first_day = min([days[0]] + [start for _, _, start in periods])

    rows = {status: StatusRow(status, [Figure() for _ in periods]) for status in OrderStatus.ALL}
    total = StatusRow("all", [Figure() for _ in periods])
    charged_back = StatusRow("charged_back", [Figure() for _ in periods])
    paid_per_day: defaultdict[str, dict[date, int]] = defaultdict(lambda: dict.fromkeys(days, 0))
    span = OrderDayCount.day_currency.between(first_day.isoformat(), f"{today.isoformat()}#~")
    for shard in shard_keys("counts"):
        for counted in OrderDayCount.query(shard, span):
            day, currency = counted.day, counted.currency
            for status in OrderStatus.ALL:
                count, cents = getattr(counted, f"count_{status}"), getattr(counted, f"cents_{status}")
                if not count:
                    continue
                for index, (_, _, period_start) in enumerate(periods):
                    if period_start <= day <= today:
                        rows[status].figures[index].add(count, currency, cents)
                        total.figures[index].add(count, currency, cents)
            if counted.count_charged_back:
                for index, (_, _, period_start) in enumerate(periods):
                    if period_start <= day <= today:
                        charged_back.figures[index].add(
                            int(counted.count_charged_back), currency, int(counted.cents_charged_back)
                        )
            if counted.paid_cents and day in days:
                paid_per_day[currency][day] += int(counted.paid_cents)
    flagged = list(Order.attention_index.query(Order.FLAGGED, scan_index_forward=False, limit=ATTENTION_SHOWN + 1))
    return Dashboard(
        periods=periods,
        rows=[rows[status] for status in OrderStatus.ALL],
        total=total,
        paid_per_day=dict(paid_per_day),
        days=days,
        needs_attention=flagged[:ATTENTION_SHOWN],
        more_need_attention=len(flagged) > ATTENTION_SHOWN,
        charged_back=charged_back,
        failed_mails=[MailRow(item) for item in failed_mails()],
        attention=[_attention_row(order) for order in flagged[:ATTENTION_SHOWN]],
        pending_refunds=_pending_refunds(),
    )
