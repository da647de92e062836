"""Staff pages at scale, counted: `python -m bench.staff_scale [SIZE ...]` (default 1,000 and 20,000).

Bulk-loads orders spread over 60 days straight into the local stack (BatchWriteItem, with the
per-day counters they make), then opens each staff page with Django's test client and counts
its DynamoDB calls and the read units they would consume (bench/call_counts.py). A staff page
must read a bounded number of items whatever the number of orders, so the counts must be the
same at every size; the run fails when they are not. Writes artifacts/staff-scale.json.
tests/perf/test_staff_scale.py checks the same at a small size.
"""

import json
import random
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.call_counts import counting

SIZES = (1_000, 20_000)
DAYS = 60
# The bulk load stops with an error past this: the bench must end.
LOAD_TIME_LIMIT_SECONDS = 900
STAFF_USERNAME, STAFF_PASSWORD = "bench-staff", "bench staff password, not for production"
# Status mix of the loaded orders (weights), and one order in this many flagged for staff.
STATUS_WEIGHTS = {
    "paid": 60,
    "pending_payment": 5,
    "expired": 20,
    "canceled": 5,
    "refunded": 5,
    "partially_refunded": 5,
}
FLAGGED_ONE_IN = 100
ARTIFACT = Path(__file__).resolve().parent.parent / "artifacts" / "staff-scale.json"


class Loader:
    """Orders made up from a seeded random source, written in batches; remembers what it wrote
    so the counters can be written for all of them."""

    def __init__(self, *, now, seed=16):
        self.now = now
        self.rng = random.Random(seed)
        self.orders = []

    def load_up_to(self, total, *, time_limit=LOAD_TIME_LIMIT_SECONDS):
        from payments.models import Order, OrderDayCount
        from payments.services import counters

        started = time.monotonic()
        new = [self._order(number) for number in range(len(self.orders), total)]
        with Order.batch_write() as batch:
            for done, order in enumerate(new):
                batch.save(order)
                if done % 500 == 0 and time.monotonic() - started > time_limit:
                    raise TimeoutError(f"bulk load passed {time_limit} s after {done} orders")
        self.orders += new
        # The counters as the workflow would have added them up, written whole.
        with OrderDayCount.batch_write() as batch:
            for (shard, day_currency), values in counters.tally(self.orders).items():
                batch.save(OrderDayCount(shard, day_currency, **values))
        return time.monotonic() - started

    def _order(self, number):
        from payments.models import Address, Order, OrderLine

        rng = self.rng
        digits = f"{rng.getrandbits(40):010X}"
        created = self.now - timedelta(seconds=rng.uniform(60, DAYS * 86400))
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        total = rng.randrange(500, 20_000)
        paid = status in ("paid", "refunded", "partially_refunded")
        flagged = number % FLAGGED_ONE_IN == 0
        # About four orders per customer, whatever the size: customers grow with the orders.
        customer = rng.randrange(max(number // 4, 1) + 1)
        return Order(
            f"SO-{digits[:5]}-{digits[5:]}",
            public_token=f"bench{number:08d}",
            status=status,
            customer_name=f"Customer {customer}",
            customer_email=f"customer{customer}@example.com",
            lines=[OrderLine(slug="espresso-cup", name="Espresso cup", unit_price_cents=total, quantity=1)],
            total_cents=total,
            currency="EUR",
            created_at=created,
            updated_at=created,
            expires_at=created + timedelta(hours=2),
            paid_at=created + timedelta(minutes=3) if paid else None,
            amount_refunded_cents=total
            if status == "refunded"
            else total // 2
            if status == "partially_refunded"
            else 0,
            attempt_count=1,
            latest_attempt_status="paid" if paid else "expired",
            needs_attention=flagged,
            attention_reasons=["Possible duplicate (bench)"] if flagged else [],
            # Paid ones are to ship (the sparse to_ship_index): the "to ship" page reads them.
            shipping_address=Address(
                given_name="Customer",
                family_name=str(customer),
                street_and_number="Keizersgracht 1",
                postal_code="1015 AA",
                city="Amsterdam",
                country="NL",
            ),
            shipping_cents=0,
        )


def staff_pages(sample_order_id):
    """(name, URL) of every staff page measured; `sample_order_id` was loaded at every size."""
    today = _days_ago(0)
    return [
        ("dashboard", "/staff/"),
        ("orders list", "/staff/orders/"),
        ("orders list, page 2", None),  # the first page's next link
        ("orders list, status paid", "/staff/orders/?status=paid"),
        ("orders list, placed today", f"/staff/orders/?created_from={today}&created_to={today}"),
        ("orders list, expired in 7 days", "/staff/orders/?status=expired&created_from=" + _days_ago(6)),
        ("search: e-mail, any case", "/staff/orders/?q=Customer0%40Example.COM"),
        ("search: order number prefix", f"/staff/orders/?q={sample_order_id[:4]}"),
        ("search: whole order number", f"/staff/orders/?q={sample_order_id}"),
        ("order detail", f"/staff/orders/{sample_order_id}/"),
        ("catalog", "/staff/articles/"),
        ("to ship", "/staff/to-ship/"),
        ("packing slip", f"/staff/orders/{sample_order_id}/packing-slip/"),
    ]


def _days_ago(days):
    from django.utils import timezone

    return f"{timezone.localdate() - timedelta(days=days):%Y-%m-%d}"


def measure(client, sample_order_id):
    """{page: Calls} for every staff page, with the logged-in staff `client`."""
    results = {}
    for name, url in staff_pages(sample_order_id):
        if url is None:
            first = client.get("/staff/orders/").content.decode()
            url = "/staff/orders/" + re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
        with counting() as calls:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        results[name] = calls
    return results


def differing(by_size):
    """Pages whose DynamoDB calls are not the same at every size: {page: {size: calls}}."""
    sizes = list(by_size)
    return {
        page: {size: dict(by_size[size][page].dynamodb) for size in sizes}
        for page in by_size[sizes[0]]
        if len({tuple(sorted(by_size[size][page].dynamodb.items())) for size in sizes}) > 1
    }


def report(by_size, load_seconds):
    sizes = list(by_size)
    lines = ["Staff pages: DynamoDB calls (read units) per page, by number of orders:"]
    lines.append(f"  {'page':<34}" + "".join(f"{f'{size:,} orders':>26}" for size in sizes))
    for page in by_size[sizes[0]]:
        cells = "".join(
            f"{f'{by_size[size][page].dynamodb_total} ({by_size[size][page].read_units:g} RU)':>26}" for size in sizes
        )
        lines.append(f"  {page:<34}{cells}")
    lines.append("  bulk load: " + ", ".join(f"{size:,} in {load_seconds[size]:.0f} s" for size in sizes))
    return "\n".join(lines)


def as_json(by_size, load_seconds):
    return {
        "staff_scale": {
            "days": DAYS,
            "sizes": list(by_size),
            "load_seconds": {str(size): round(load_seconds[size], 1) for size in by_size},
            "pages": {
                page: {
                    str(size): {
                        "dynamodb_calls": by_size[size][page].dynamodb_total,
                        "by_operation": dict(by_size[size][page].dynamodb),
                        "read_units": by_size[size][page].read_units,
                    }
                    for size in by_size
                }
                for page in by_size[next(iter(by_size))]
            },
            "equal_at_every_size": not differing(by_size),
        }
    }


def log_in(client):
    from staff import services

    services.create_staff_member(username=STAFF_USERNAME, password=STAFF_PASSWORD, display_name="Bench")
    response = client.post("/staff/login/", {"username": STAFF_USERNAME, "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.status_code


def main(argv=None):
    """Standalone: its own moto in this process, fresh tables, the demo catalog."""
    import argparse
    import logging
    import os
    import uuid

    parser = argparse.ArgumentParser(prog="python -m bench.staff_scale")
    parser.add_argument("sizes", nargs="*", type=int, help=f"order counts to load and measure (default {SIZES})")
    parser.add_argument("--json", type=Path, default=ARTIFACT, help="where to write the figures")
    options = parser.parse_args(argv)
    sizes, artifact = options.sizes or list(SIZES), options.json
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret-key-not-for-production-" + "x" * 20)
    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from config import dynamodb
    from config.tables import ensure_tables
    from devstack.moto_server import SerialMotoServer
    from shop.services import seed_catalog

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # one login; not measured
    moto = SerialMotoServer().start()
    try:
        dynamodb.configure(host=moto.url, prefix=f"scale{uuid.uuid4().hex[:6]}-")
        ensure_tables()
        seed_catalog()
        client = Client()
        log_in(client)
        loader = Loader(now=timezone.now())
        by_size, load_seconds = {}, {}
        for size in sizes:
            load_seconds[size] = loader.load_up_to(size)
            by_size[size] = measure(client, loader.orders[0].order_id)
            print(f"({size:,} orders loaded in {load_seconds[size]:.0f} s and measured)", flush=True)
    finally:
        moto.stop()
    print(report(by_size, load_seconds))
    artifact.parent.mkdir(parents=True, exist_ok=True)
    artifact.write_text(json.dumps(as_json(by_size, load_seconds), indent=2) + "\n")
    print(f"Written to {artifact}")
    grown = differing(by_size)
    if grown:
        print(f"FAILED: calls differ between sizes: {grown}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
