"""Reconciliation on Lambda: a run ends before Lambda stops it, expires overdue orders first, and
leaves what it could not reach to the next run, which goes on where this one stopped."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from payments import services
from payments.models import Order, OrderStatus, PaymentAttempt
from payments.scheduled import reconcile_payments
from shop.models import Article

# More than a 25-s run can sync with Mollie answering in 1.5 s, RECONCILE_WORKERS at once (60 x 1.5 s
# / 4 = 22.5 s, against the ~13 s left once each item's writes are reserved): the run must stop in
# time. Sixty, not hundreds: each is placed and paid through the sandbox first.
OPEN_ATTEMPTS = 60


class LambdaContext:
    """The part of Lambda's context object a handler reads: the time this invocation has left."""

    def __init__(self, seconds):
        self._ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self):
        return int((self._ends - time.monotonic()) * 1000)


def place(slug, *, age, pay):
    placed_at = timezone.now() - age
    order = services.place_order(
        checkout_id=uuid.uuid4().hex,
        quantities={slug: 1},
        customer_name="Bank Transfer",
        customer_email="slow@example.com",
        now=placed_at,
    )
    if pay:
        services.pay_order(order_id=order.order_id, order=order)  # an open payment at Mollie
        # ... registered back then, and not heard of since.
        PaymentAttempt.get(order.order_id, 1).update(actions=[PaymentAttempt.last_synced_at.set(placed_at)])
    return order.order_id


@pytest.mark.slow
def test_more_open_attempts_than_a_run_can_sync_under_a_deadline(catalog, sandbox):
    overdue = [place("linen-apron", age=timedelta(hours=3), pay=False) for _ in range(3)]
    assert Article.get("linen-apron").stock == 5
    for _ in range(OPEN_ATTEMPTS):
        place("coffee-beans", age=timedelta(minutes=30), pay=True)
    # A slow Mollie: syncing all of them, RECONCILE_WORKERS at once, takes longer than the run may.
    sandbox.faults(api_latency_ms=1500)
    context = LambdaContext(25)

    first = reconcile_payments({"detail-type": "Scheduled Event"}, context)

    assert context.get_remaining_time_in_millis() > 0, "the run outlived its Lambda invocation"
    assert [Order.get(order_id).status for order_id in overdue] == [OrderStatus.EXPIRED] * 3
    assert Article.get("linen-apron").stock == 8  # their stock is back although syncing did not finish
    assert first["errors"] == []
    # How many it synced depends on the machine (none on one loaded by parallel suites); that it
    # stopped in time and left the rest, counted, does not.
    assert first["left_for_next_run"] > 0, first
    assert first["synced"] + first["left_for_next_run"] == OPEN_ATTEMPTS

    sandbox.clear_faults()
    second = services.reconcile()

    # The next run syncs what was left, and leaves the ones just synced alone (back-off).
    assert (second.synced, second.not_due, second.left_for_next_run) == (first["left_for_next_run"], first["synced"], 0)
    third = services.reconcile()
    assert (third.synced, third.not_due) == (0, OPEN_ATTEMPTS)
