"""Dashboard figures against a known set of orders, and the chart drawn from them."""

import re
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from payments.models import OrderStatus
from staff import dashboard as staff_dashboard
from tests.fixtures.orders import make_order

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def known_orders(now):
    """Placed today, 3 days ago, 10 days ago and 40 days ago (the last one outside every period)."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    make_order(created_at=today + timedelta(minutes=1), status=OrderStatus.PAID, total_cents=1000)
    make_order(created_at=today + timedelta(minutes=2), status=OrderStatus.PAID, total_cents=500)
    make_order(created_at=today + timedelta(minutes=3), status=OrderStatus.PENDING_PAYMENT, total_cents=700)
    make_order(
        created_at=today - timedelta(days=3), status=OrderStatus.REFUNDED, total_cents=2000, amount_refunded_cents=2000
    )
    make_order(created_at=today - timedelta(days=3), status=OrderStatus.CANCELED, total_cents=400)
    make_order(created_at=today - timedelta(days=10), status=OrderStatus.PAID, total_cents=3000)
    make_order(created_at=today - timedelta(days=40), status=OrderStatus.PAID, total_cents=9900)
    # Placed late yesterday, paid after midnight: counted as placed yesterday, paid today.
    make_order(
        created_at=today - timedelta(minutes=30),
        status=OrderStatus.PARTIALLY_REFUNDED,
        total_cents=1200,
        paid_at=today + timedelta(minutes=10),
        amount_refunded_cents=200,
    )


def figures(dashboard, status):
    row = dashboard.total if status == "all" else next(row for row in dashboard.rows if row.status == status)
    return [(figure.count, dict(figure.amounts)) for figure in row.figures]


def test_counts_and_amounts_per_status_and_period():
    known_orders(NOW)

    dashboard = staff_dashboard.dashboard(now=NOW)

    assert [label for _, label, _ in dashboard.periods] == ["Today", "Last 7 days", "Last 30 days"]
    assert figures(dashboard, "paid") == [(2, {"EUR": 1500}), (2, {"EUR": 1500}), (3, {"EUR": 4500})]
    assert figures(dashboard, "pending_payment") == [(1, {"EUR": 700})] * 3
    assert figures(dashboard, "refunded") == [(0, {}), (1, {"EUR": 2000}), (1, {"EUR": 2000})]
    assert figures(dashboard, "partially_refunded") == [(0, {}), (1, {"EUR": 1200}), (1, {"EUR": 1200})]
    assert figures(dashboard, "canceled") == [(0, {}), (1, {"EUR": 400}), (1, {"EUR": 400})]
    assert figures(dashboard, "expired") == [(0, {})] * 3
    assert figures(dashboard, "all") == [(3, {"EUR": 2200}), (6, {"EUR": 5800}), (7, {"EUR": 8800})]


def test_paid_per_day_counts_the_day_of_payment():
    known_orders(NOW)

    dashboard = staff_dashboard.dashboard(now=NOW)

    paid = dashboard.paid_per_day["EUR"]
    today = NOW.date()
    assert len(dashboard.days) == 30 and dashboard.days[-1] == today
    assert paid[today] == 1000 + 500 + 1200
    assert paid[today - timedelta(days=3)] == 2000  # refunded later, but paid that day
    assert paid[today - timedelta(days=10)] == 3000
    assert sum(paid.values()) == 7700


def test_orders_in_other_currencies_are_summed_apart():
    make_order(created_at=NOW - timedelta(hours=1), status=OrderStatus.PAID, total_cents=1000, currency="EUR")
    make_order(created_at=NOW - timedelta(hours=1), status=OrderStatus.PAID, total_cents=2000, currency="GBP")

    dashboard = staff_dashboard.dashboard(now=NOW)

    assert figures(dashboard, "paid")[0] == (2, {"EUR": 1000, "GBP": 2000})
    assert set(dashboard.paid_per_day) == {"EUR", "GBP"}


def test_dashboard_page_shows_the_figures_and_a_chart(staff_client):
    now = timezone.now()
    known_orders(now)

    page = staff_client.get("/staff/").content.decode()

    paid_row = re.search(r'<tr data-status="paid">(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", paid_row, re.S)]
    assert cells == ["2", "€15.00", "2", "€15.00", "3", "€45.00"]
    total_row = re.search(r'<tr data-status="all">(.*?)</tr>', page, re.S).group(1)
    assert "€88.00" in total_row
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert len(re.findall(r'<rect [^>]*class="bar"', svg)) == 30
    assert f"{now:%a} {now.day} {now:%b}: €27.00</title>" in svg
    assert "Paid per day, last 30 days (EUR): €77.00" in page


def test_bars_are_scaled_to_the_largest_day(staff_client):
    now = timezone.now()
    make_order(created_at=now - timedelta(days=1), status=OrderStatus.PAID, total_cents=4000)
    make_order(created_at=now, status=OrderStatus.PAID, total_cents=10000)

    svg = re.search(r"<svg.*?</svg>", staff_client.get("/staff/").content.decode(), re.S).group(0)

    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)" class="bar"', svg)]
    assert heights[-1] == 180.0 and heights[-2] == 72.0  # €100 fills the axis, €40 is 40% of it
    assert heights.count(0.0) == 28


def test_empty_dashboard_still_draws(staff_client):
    page = staff_client.get("/staff/").content.decode()

    assert "Nothing needs attention." in page
    assert "Paid per day, last 30 days (EUR): €0.00" in page
