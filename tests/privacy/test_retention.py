"""The two clocks through the local stack: a shipped order's personal data goes everywhere once its
chargeback window and PERSONAL_DATA_RETENTION_DAYS have passed, the books still add up, and the
order itself goes after ACCOUNTING_RETENTION_YEARS. A second run changes nothing."""

from datetime import timedelta

import pytest

from payments.models import Order
from payments.services import counters, fulfilment
from privacy import retention
from staff.exports import order_lines
from tests.privacy.traces import empty_buckets, traces

ADA = ("ada@example.com", "Ada Lovelace", "Lovelace", "Keizersgracht 1", "1015 AA")
AMOUNT_COLUMNS = ("total", "refunded", "currency", "paid_at", "charged_back")


@pytest.fixture
def shipped_order(shopper, shipping_zones):
    empty_buckets()
    shopper.add("espresso-cup", 2)
    shopper.checkout(name="Ada Lovelace", email="ada@example.com")
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    fulfilment.ship(order_id=order.order_id, quantities=None, carrier="postnl", tracking_number="3SAB1", actor="grace")
    return Order.get(order.order_id, consistent_read=True)


def amounts_in_csv(order_ids):
    """The CSV export's lines of these orders, amounts and dates only (no name or e-mail)."""
    orders = [Order.get(order_id, consistent_read=True) for order_id in order_ids]
    header, *rows = [line.rstrip("\r\n").split(",") for line in order_lines(orders)]
    picked = [header.index(name) for name in header if name.lower().replace(" ", "_") in AMOUNT_COLUMNS]
    assert len(picked) >= 3, header
    return [[row[index] for index in picked] for row in rows]


def test_after_both_clocks_the_personal_data_is_gone_everywhere_and_the_books_still_add_up(
    shipped_order, shopper, staff_client
):
    shopper.add("espresso-cup", 1)  # another shopper at the same address (an office), later
    shopper.checkout(name="Bob Lovelace", email="bob@example.com")
    shopper.webhook(shopper.pay_at_mollie("paid"))
    unshipped = shopper.last_order()  # paid, never shipped: the shop still owes the parcel
    counts_before, csv_before = counters.stored_counts(), amounts_in_csv([shipped_order.order_id])
    assert traces(ADA, skip_orders={unshipped.order_id})  # the shipped order holds them today

    too_early = retention.run(now=shipped_order.created_at + timedelta(days=730))
    assert too_early.anonymised == 0  # within its chargeback window plus two years

    later = shipped_order.created_at + timedelta(days=730 + 121)
    dry = retention.run(now=later, dry_run=True)
    assert (dry.anonymised, dry.deleted) == (1, 0) and dry.items_changed > 0
    assert traces(ADA, skip_orders={unshipped.order_id})  # a dry run changes nothing

    report = retention.run(now=later)
    assert (report.anonymised, report.errors) == (1, [])
    assert traces(ADA, skip_orders={unshipped.order_id}) == []
    assert traces(ADA)  # the unshipped order keeps its address
    assert counters.stored_counts() == counts_before and counters.differences() == {}
    assert amounts_in_csv([shipped_order.order_id]) == csv_before
    kept = Order.get(shipped_order.order_id, consistent_read=True)
    assert (kept.total_cents, kept.status, kept.shipping_address.country) == (shipped_order.total_cents, "paid", "NL")
    assert kept.latest_mollie_payment_id == shipped_order.latest_mollie_payment_id

    staff_page = staff_client.get(f"/staff/orders/{kept.order_id}/")
    assert staff_page.status_code == 200 and "Lovelace" not in staff_page.content.decode()
    assert shopper.order_page(kept).status_code == 200  # the shopper's old link still shows the order

    again = retention.run(now=later)
    assert (again.anonymised, again.deleted, again.items_changed) == (0, 0, 0)

    books_end = retention.run(
        now=shipped_order.created_at.replace(year=shipped_order.created_at.year + 8, month=1, day=2)
    )
    assert books_end.deleted == 1
    with pytest.raises(Order.DoesNotExist):
        Order.get(shipped_order.order_id, consistent_read=True)
    assert counters.stored_counts() == counts_before  # the per-day sums of past years stay


def test_a_run_cut_short_goes_on_next_time(shipped_order):
    later = shipped_order.created_at + timedelta(days=730 + 121)
    out_of_time = retention.run(now=later, time_limit_seconds=0)  # Lambda's time was up at once
    assert out_of_time.stopped_early and out_of_time.anonymised == 0
    assert retention.run(now=later, limit=0).stopped_early
    assert retention.run(now=later).anonymised == 1


def test_a_listing_throttled_past_its_retries_stops_the_run_and_the_next_goes_on(shipped_order, monkeypatch):
    from pynamodb.exceptions import QueryError

    real_listing = retention.orders_in_status

    def throttled(*args, **kwargs):
        raise QueryError("ThrottlingException: Rate of requests exceeds the allowed throughput")
        yield  # a generator, as the real listing

    later = shipped_order.created_at + timedelta(days=730 + 121)
    monkeypatch.setattr(retention, "orders_in_status", throttled)
    cut_short = retention.run(now=later)  # the schedule's run ends with a report, not a crash
    assert cut_short.stopped_early and cut_short.errors == ["listing orders: QueryError"]

    monkeypatch.setattr(retention, "orders_in_status", real_listing)
    assert retention.run(now=later).anonymised == 1


def test_the_command_counts_in_a_dry_run_and_the_schedule_does_the_rest(shipped_order, settings):
    from io import StringIO

    from django.core.management import call_command

    from privacy.scheduled import run_retention

    settings.PERSONAL_DATA_RETENTION_DAYS, settings.CHARGEBACK_LOOKBACK_DAYS = -200, -200  # all due today
    out = StringIO()
    call_command("run_retention", "--dry-run", stdout=out)
    assert "1 would be anonymised, 0 would be deleted" in out.getvalue()
    assert Order.get(shipped_order.order_id).customer_email == "ada@example.com"
    assert run_retention({"detail-type": "Scheduled Event"}, None)["anonymised"] == 1
    assert Order.get(shipped_order.order_id).customer_email.endswith("@erased.invalid")


def test_a_run_stopped_between_an_orders_items_and_the_order_finishes_it_next_time(shipped_order, monkeypatch):
    from config.deadline import DeadlineExceeded

    real_commit = retention.commit

    def time_runs_out_at_the_order(**changes):
        if any(isinstance(item, Order) for item in changes.get("saves", ())):
            raise DeadlineExceeded("Lambda's time is up")
        return real_commit(**changes)

    later = shipped_order.created_at + timedelta(days=730 + 121)
    monkeypatch.setattr(retention, "commit", time_runs_out_at_the_order)
    cut_short = retention.run(now=later)
    assert cut_short.stopped_early and Order.get(shipped_order.order_id).customer_email == "ada@example.com"

    monkeypatch.setattr(retention, "commit", real_commit)
    assert retention.run(now=later).anonymised == 1
    assert traces(ADA) == []
    assert retention.run(now=later).items_changed == 0
