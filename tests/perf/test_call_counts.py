"""DynamoDB and Mollie calls per request: no request path may Scan or grow beyond its budget.

Counted, not timed (see bench/call_counts.py). A budget is what the request does today, per
operation; the comment says what of it the workflow needs and what it could drop. When a change
makes a request cheaper, lower its budget here in the same commit.
"""

import pytest

from bench.call_counts import measure, report

BUDGETS = {
    # One Query on the catalog index (`catalog` partition, sorted by position). Minimum.
    "shop page (GET /), first in the process": {"dynamodb": {"Query": 1}, "mollie": 0},
    # The common case: the process read the catalog less than CATALOG_CACHE_SECONDS ago. None.
    "shop page (GET /), again": {"dynamodb": {}, "mollie": 0},
    # The cart's articles (BatchGetItem, in the view), the cart's order (GetItem: none yet),
    # the articles' current prices and stock read by the service (BatchGetItem; the service does
    # not trust what the view read), one transaction for order + attempt + stock + event, the
    # attempt to register (GetItem), one Mollie create, and one transaction storing Mollie's id
    # and checkout URL. 6 DynamoDB + 1 Mollie.
    "checkout POST": {"dynamodb": {"BatchGetItem": 2, "GetItem": 2, "TransactWriteItems": 2}, "mollie": 1},
    # Same form again (or the back button, or a second tab): the cart (BatchGetItem) and the cart's
    # order (GetItem), which carries the open attempt's checkout URL. No write, no Mollie call.
    "checkout POST, double submit": {"dynamodb": {"BatchGetItem": 1, "GetItem": 1}, "mollie": 0},
    # The order (GetItem), the rate-limit claim (conditional UpdateItem), Mollie's payment, and
    # order + attempt in one TransactGetItems to compare with. Writes only when something changed.
    "status poll, open order, pull due": {
        "dynamodb": {"GetItem": 1, "UpdateItem": 1, "TransactGetItems": 1},
        "mollie": 1,
    },
    # Pulled less than STATUS_PULL_INTERVAL_SECONDS ago: the one read of the order. Minimum.
    "status poll, open order, pulled recently": {"dynamodb": {"GetItem": 1}, "mollie": 0},
    # One Mollie fetch (we never trust the body), order + attempt in one TransactGetItems, one
    # transaction: attempt + order + events; and, as the order becomes paid, one Query on the
    # e-mail index for another paid order of the same shopper (a possible duplicate). The same
    # transaction queues the confirmation; sending it is a claim (conditional UpdateItem, no read:
    # the item was just written), the recipient's suppression (GetItem: an address SES reported as
    # bouncing or complaining gets no more mail, notifications/bounces.py) and `sent` (UpdateItem)
    # around SES's SendEmail. Minimum.
    "webhook, first (paid)": {
        "dynamodb": {"TransactGetItems": 1, "TransactWriteItems": 1, "Query": 1, "UpdateItem": 2, "GetItem": 1},
        "mollie": 1,
    },
    # Same fetch and read; nothing changes, so nothing is written (anyone can post webhooks: repeats
    # must not grow the timeline). Minimum.
    "webhook, duplicate": {"dynamodb": {"TransactGetItems": 1}, "mollie": 1},
    # A finished order is the one read its status needs: the order carries the latest attempt's
    # status. Minimum.
    "status poll, finished order": {"dynamodb": {"GetItem": 1}, "mollie": 0},
    "order page, finished order": {"dynamodb": {"GetItem": 1}, "mollie": 0},
}


@pytest.fixture
def calls(client, catalog, sandbox):
    results = measure(client, sandbox)
    print()
    print(report(results, BUDGETS))
    return results


def test_every_request_measured_has_a_budget(calls):
    assert set(calls) == set(BUDGETS)


def test_no_request_path_scans(calls):
    scanning = {name: counted.dynamodb["Scan"] for name, counted in calls.items() if counted.dynamodb["Scan"]}
    assert scanning == {}


def test_dynamodb_calls_stay_within_budget(calls):
    over = {}
    for name, budget in BUDGETS.items():
        counted = calls[name].dynamodb
        excess = {
            operation: count for operation, count in counted.items() if count > budget["dynamodb"].get(operation, 0)
        }
        if excess:
            over[name] = f"{calls[name].describe()}; budget {budget['dynamodb']}"
    assert over == {}


def test_mollie_calls_stay_within_budget(calls):
    over = {
        name: calls[name].describe() for name, budget in BUDGETS.items() if calls[name].mollie_total > budget["mollie"]
    }
    assert over == {}
