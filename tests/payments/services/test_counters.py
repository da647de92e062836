"""The dashboard's per-day counters: written in the transaction that changes an order, so never
out of step (also when many change at once), and rebuilt from the orders by a command."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments.enums import EventSource, OrderStatus
from payments.models import OrderDayCount
from payments.services.orders import close_order
from staff import dashboard as staff_dashboard
from tests.concurrency import run_concurrently
from tests.fixtures.orders import make_order


def today_figure(status):
    dashboard = staff_dashboard.dashboard()
    row = dashboard.total if status == "all" else next(row for row in dashboard.rows if row.status == status)
    return row.figures[0].count, dict(row.figures[0].amounts)


def test_a_paid_order_is_counted_by_its_checkout_and_its_webhook(paid_order_of_two_cups, capsys):
    assert today_figure(OrderStatus.PAID) == (1, {"EUR": 2500})
    assert today_figure(OrderStatus.PENDING_PAYMENT) == (0, {})
    assert staff_dashboard.dashboard().paid_per_day["EUR"][timezone.localdate()] == 2500

    call_command("rebuild_order_counts", "--check")
    assert "The counters match the orders." in capsys.readouterr().out


def test_status_changes_at_once_are_each_counted_once():
    now = timezone.now()
    orders = [make_order(created_at=now, status=OrderStatus.PENDING_PAYMENT, total_cents=100) for _ in range(6)]

    def cancel(order):
        return lambda: close_order(order_id=order.order_id, status=OrderStatus.CANCELED, source=EventSource.STAFF)

    # Every order closed twice at once (a double click in two tabs) and all orders at the same time.
    run_concurrently(*[cancel(order) for order in orders for _ in range(2)])

    assert today_figure(OrderStatus.CANCELED) == (6, {"EUR": 600})
    assert today_figure(OrderStatus.PENDING_PAYMENT) == (0, {})
    call_command("rebuild_order_counts", "--check")


def test_rebuild_counts_orders_stored_before_the_counters(capsys):
    day = timezone.now() - timedelta(days=2)
    counted = make_order(created_at=day, status=OrderStatus.PAID, total_cents=700)
    uncounted = make_order(created_at=day, status=OrderStatus.PAID, total_cents=300)
    for item in OrderDayCount.scan():
        item.delete()
    counted.save()  # a plain save, as before the counters: not counted
    uncounted.save()
    assert staff_dashboard.dashboard().rows[1].figures[1].count == 0

    with pytest.raises(CommandError, match="differ from the orders"):
        call_command("rebuild_order_counts", "--check")
    assert "count_paid +" in capsys.readouterr().out

    call_command("rebuild_order_counts")

    paid = next(row for row in staff_dashboard.dashboard().rows if row.status == OrderStatus.PAID)
    assert (paid.figures[1].count, dict(paid.figures[1].amounts)) == (2, {"EUR": 1000})
    call_command("rebuild_order_counts", "--check")
    assert "The counters match the orders." in capsys.readouterr().out


def test_the_dashboard_lists_flagged_orders_of_any_age_newest_first(staff_client, settings, monkeypatch):
    monkeypatch.setattr(staff_dashboard, "ATTENTION_SHOWN", 2)
    now = timezone.now()
    old = make_order(created_at=now - timedelta(days=90), needs_attention=True, attention_reasons=["Double payment"])
    make_order(created_at=now)  # not flagged
    assert [order.order_id for order in staff_dashboard.dashboard().needs_attention] == [old.order_id]

    newer = [
        make_order(created_at=now - timedelta(hours=hour), needs_attention=True, attention_reasons=["Paid late"])
        for hour in range(2)
    ]
    dashboard = staff_dashboard.dashboard()

    assert [order.order_id for order in dashboard.needs_attention] == [order.order_id for order in newer]
    assert dashboard.more_need_attention
    assert "More orders are flagged" in staff_client.get("/staff/").content.decode()
