"""Staff pages read a bounded number of items whatever the number of orders (issue 16).

The same pages as `make bench`'s staff-at-scale phase (bench/staff_scale.py), at a small size:
the DynamoDB calls of each page are the same with 50 and with 500 orders, none Scans, and each
stays within its budget. Counted, not timed.
"""

from django.utils import timezone

from bench import staff_scale

# DynamoDB calls per page. Every page starts with the staff session and the staff member (two
# GetItems); the rest is the page's own: one Query per shard (8) where every order may match.
BUDGETS = {
    # 8 Queries on the per-day counters (one per shard), one on the sparse attention index and one
    # on the outbox's sparse index of mails given up on, and one on the sparse index of attempts
    # with refunds Mollie has not paid out (shown as pending).
    "dashboard": 13,
    # One Query per shard for one more than a page, merged; one on the sparse index of attempts
    # with pending refunds, whose refunds are read only for orders on the page.
    "orders list": 11,
    "orders list, page 2": 11,
    "orders list, status paid": 11,
    "orders list, placed today": 11,
    "orders list, expired in 7 days": 11,
    # Searches list their orders like the orders list, with the one Query of pending refunds.
    # One Query on the e-mail index.
    "search: e-mail, any case": 4,
    # One Query: the first digit names the shard.
    "search: order number prefix": 4,
    # One BatchGetItem of the one order.
    "search: whole order number": 4,
    # The order, its attempts, refunds, timeline and e-mails, and whether SES reported the
    # customer's address as bouncing or complaining (one GetItem).
    "order detail": 8,
    "catalog": 3,
    # One Query on the sparse to-ship index (at most 100 orders, oldest first).
    "to ship": 3,
    # The order (its shipments only once it has some).
    "packing slip": 3,
}


def test_staff_pages_make_the_same_bounded_calls_at_every_size(client, catalog, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff_scale.log_in(client)
    loader = staff_scale.Loader(now=timezone.now())
    measured = {}
    for size in (50, 500):
        loader.load_up_to(size)
        measured[size] = staff_scale.measure(client, loader.orders[0].order_id)
    print()
    print(staff_scale.report(measured, dict.fromkeys(measured, 0.0)))

    assert staff_scale.differing(measured) == {}
    calls = measured[500]
    assert set(calls) == set(BUDGETS)
    over = {page: calls[page].describe() for page, budget in BUDGETS.items() if calls[page].dynamodb_total > budget}
    assert over == {}
    assert {page: counted.dynamodb["Scan"] for page, counted in calls.items() if counted.dynamodb["Scan"]} == {}
