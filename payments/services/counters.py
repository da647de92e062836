"""The per-day order counters (payments.models.OrderDayCount), kept in step with the orders.

An order counts once under the day it was placed (count and total under its current status) and,
once paid, its total under the day it was paid. A write of orders adds the difference between
what the counters counted of them (the state they were read in) and what they are now, as ADD
actions in the same transaction: never out of step, and no extra round trip.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from payments.enums import OrderStatus
from payments.models import Order, OrderDayCount
from payments.sharding import order_shard


def day_key(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def _contributions(state: tuple | None) -> dict:
    if state is None:
        return {}
    order_id, status, currency, total_cents, created_at, paid_at, charged_back_cents = state
    shard = f"counts#{order_shard(order_id)}"
    counted: defaultdict[tuple, Counter] = defaultdict(Counter)
    placed = counted[(shard, f"{day_key(created_at)}#{currency}")]
    placed[f"count_{status}"] += 1
    placed[f"cents_{status}"] += total_cents
    if charged_back_cents:
        placed["count_charged_back"] += 1
        placed["cents_charged_back"] += charged_back_cents
    if status in OrderStatus.PAID_LIKE and paid_at:
        counted[(shard, f"{day_key(paid_at)}#{currency}")]["paid_cents"] += total_cents
    return counted


def changes(orders: Iterable[Order]) -> dict:
    """{(shard, day_currency): {attribute: amount to add}} for these orders as they are now.

    Merged per counter item: a transaction may touch each item only once."""
    merged: defaultdict[tuple, Counter] = defaultdict(Counter)
    for order in orders:
        if not isinstance(order, Order):
            continue
        now_counted, was_counted = _contributions(order.counting_state()), _contributions(order.counted_state)
        for key in set(now_counted) | set(was_counted):
            merged[key].update(now_counted.get(key, Counter()))
            merged[key].subtract(was_counted.get(key, Counter()))
    return {key: {name: amount for name, amount in added.items() if amount} for key, added in merged.items()}


def add_changes(transaction, orders):
    """Adds the counters' updates for `orders` to the write's transaction; call `counted` once it succeeded."""
    for (shard, day_currency), added in changes(orders).items():
        if added:
            transaction.update(
                OrderDayCount(shard, day_currency),
                actions=[getattr(OrderDayCount, name).add(amount) for name, amount in sorted(added.items())],
            )


def counted(orders):
    for order in orders:
        if isinstance(order, Order):
            order.counted_state = order.counting_state()


# --- Rebuilding ----------------------------------------------------------------------------------


def count_names():
    return ["paid_cents", "count_charged_back", "cents_charged_back"] + [
        f"{kind}_{status}" for status in OrderStatus.ALL for kind in ("count", "cents")
    ]


def tally(orders: Iterable[Order]) -> dict:
    """{(shard, day_currency): {attribute: value}}: what the counters hold for these orders."""
    expected: defaultdict[tuple, Counter] = defaultdict(Counter)
    for order in orders:
        for key, added in _contributions(order.counting_state()).items():
            expected[key].update(added)
    return expected


def expected_counts() -> dict:
    """The counters as every stored order makes them (a consistent Scan)."""
    return tally(Order.scan(consistent_read=True, page_size=200))


def stored_counts() -> dict:
    return {
        (item.counter_shard, item.day_currency): Counter({name: getattr(item, name) for name in count_names()})
        for item in OrderDayCount.scan(consistent_read=True)
    }


def differences() -> dict:
    """{(shard, day_currency): {attribute: what to add}} to make the counters match the orders."""
    expected, stored = expected_counts(), stored_counts()
    found = {}
    for key in set(expected) | set(stored):
        difference = Counter(expected.get(key, Counter()))
        difference.subtract(stored.get(key, Counter()))
        added = {name: amount for name, amount in difference.items() if amount}
        if added:
            found[key] = added
    return found


def correct(found: dict) -> None:
    """Adds the differences (never overwrites: a change committed meanwhile keeps its own add)."""
    for (shard, day_currency), added in found.items():
        OrderDayCount(shard, day_currency).update(
            actions=[getattr(OrderDayCount, name).add(amount) for name, amount in sorted(added.items())]
        )
