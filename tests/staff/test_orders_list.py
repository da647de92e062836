"""The orders list: newest first, filters, search, cursor paging, and the CSV export."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from payments.models import OrderStatus
from tests.fixtures.orders import make_order

DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def order_numbers(response):
    """The order numbers in the results table, top to bottom."""
    table = re.search(r'<table id="result_list">.*?</table>', response.content.decode(), re.S).group(0)
    return re.findall(r">(SO-[0-9A-F]{5}-[0-9A-F]{5})</a>", table)


def next_page_link(response):
    match = re.search(r'<a href="([^"]+)" rel="next">', response.content.decode())
    # {% querystring %} makes links relative to the list's own path.
    return "/staff/orders/" + match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture
def orders():
    """Five orders on five days, with different statuses and customers."""
    return {
        "paid_old": make_order(created_at=DAY - timedelta(days=4), status=OrderStatus.PAID, email="ada@example.com"),
        "expired": make_order(created_at=DAY - timedelta(days=3), status=OrderStatus.EXPIRED, email="bob@example.com"),
        "paid_ada": make_order(
            created_at=DAY - timedelta(days=2),
            status=OrderStatus.PAID,
            email="Ada@Example.com",
            mollie_payment_id="tr_adaPaid1",
        ),
        "refunded": make_order(
            created_at=DAY - timedelta(days=1), status=OrderStatus.REFUNDED, email="bob@example.com"
        ),
        "pending": make_order(
            created_at=DAY, status=OrderStatus.PENDING_PAYMENT, email="ada@example.com", mollie_payment_id="tr_adaOpen2"
        ),
    }


def ids(orders, *names):
    return [orders[name].order_id for name in names]


def test_newest_first(staff_client, orders):
    response = staff_client.get("/staff/orders/")

    assert response.status_code == 200
    assert order_numbers(response) == ids(orders, "pending", "refunded", "paid_ada", "expired", "paid_old")


def test_filter_by_status(staff_client, orders):
    assert order_numbers(staff_client.get("/staff/orders/?status=paid")) == ids(orders, "paid_ada", "paid_old")
    assert order_numbers(staff_client.get("/staff/orders/?status=expired")) == ids(orders, "expired")
    assert order_numbers(staff_client.get("/staff/orders/?status=canceled")) == []


def test_unknown_status_is_a_form_error(staff_client, orders):
    response = staff_client.get("/staff/orders/?status=stolen")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("created_from=2026-03-08", ["pending", "refunded", "paid_ada"]),
        ("created_to=2026-03-08", ["paid_ada", "expired", "paid_old"]),  # the whole last day counts
        ("created_from=2026-03-07&created_to=2026-03-09", ["refunded", "paid_ada", "expired"]),
        ("created_from=2026-03-08&created_to=2026-03-08", ["paid_ada"]),
        ("created_from=2026-03-07&created_to=2026-03-09&status=paid", ["paid_ada"]),
    ],
)
def test_filter_by_date_range(staff_client, orders, query, expected):
    assert order_numbers(staff_client.get(f"/staff/orders/?{query}")) == ids(orders, *expected)


def test_date_range_ending_before_it_starts_is_refused(staff_client, orders):
    response = staff_client.get("/staff/orders/?created_from=2026-03-09&created_to=2026-03-01")

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    assert order_numbers(response) == []


def test_search_by_order_number(staff_client, orders):
    order_id = orders["expired"].order_id

    assert order_numbers(staff_client.get(f"/staff/orders/?q={order_id}")) == [order_id]
    assert order_numbers(staff_client.get(f"/staff/orders/?q=+{order_id.lower()}+")) == [order_id]
    assert order_numbers(staff_client.get("/staff/orders/?q=SO-00000-00000")) == []


def test_search_by_customer_email_ignores_case(staff_client, orders):
    response = staff_client.get("/staff/orders/?q=ADA@example.COM")

    assert order_numbers(response) == ids(orders, "pending", "paid_ada", "paid_old")


def test_search_by_email_with_status_and_dates(staff_client, orders):
    assert order_numbers(staff_client.get("/staff/orders/?q=ada@example.com&status=paid")) == ids(
        orders, "paid_ada", "paid_old"
    )
    assert order_numbers(staff_client.get("/staff/orders/?q=bob@example.com&created_from=2026-03-08")) == ids(
        orders, "refunded"
    )


def test_search_by_mollie_payment_id(staff_client, orders):
    assert order_numbers(staff_client.get("/staff/orders/?q=tr_adaPaid1")) == ids(orders, "paid_ada")
    assert order_numbers(staff_client.get("/staff/orders/?q=tr_adaPaid1&status=refunded")) == []
    assert order_numbers(staff_client.get("/staff/orders/?q=tr_unknown")) == []


def test_search_for_something_that_is_not_a_key_explains_what_works(staff_client, orders):
    response = staff_client.get("/staff/orders/?q=Lovelace")

    assert response.status_code == 400
    assert "Search for an order number or its beginning" in response.content.decode()


def test_paging_walks_every_order_once_in_order(staff_client, settings):
    settings.STAFF_ORDERS_PER_PAGE = 3
    created = [make_order(created_at=DAY - timedelta(hours=hour)) for hour in range(8)]
    seen, pages, url = [], [], "/staff/orders/"

    while url:
        response = staff_client.get(url)
        assert response.status_code == 200
        pages.append(order_numbers(response))
        seen += pages[-1]
        url = next_page_link(response)

    assert [len(page) for page in pages] == [3, 3, 2]
    assert seen == [order.order_id for order in created]


def test_paging_keeps_the_filters(staff_client, settings):
    settings.STAFF_ORDERS_PER_PAGE = 2
    paid = [
        make_order(created_at=DAY - timedelta(hours=hour), status=OrderStatus.PAID, email="ada@example.com")
        for hour in range(5)
    ]
    for hour in range(3):
        make_order(
            created_at=DAY - timedelta(hours=hour, minutes=30), status=OrderStatus.EXPIRED, email="ada@example.com"
        )

    for query in ("status=paid", "q=ada@example.com&status=paid"):
        seen, url = [], f"/staff/orders/?{query}"
        while url:
            response = staff_client.get(url)
            seen += order_numbers(response)
            url = next_page_link(response)
        assert seen == [order.order_id for order in paid], query


def test_page_exactly_full_has_no_next_link(staff_client, settings):
    settings.STAFF_ORDERS_PER_PAGE = 2
    make_order(created_at=DAY)
    make_order(created_at=DAY - timedelta(hours=1))

    assert next_page_link(staff_client.get("/staff/orders/")) is None


def test_a_tampered_cursor_is_refused(staff_client, settings):
    settings.STAFF_ORDERS_PER_PAGE = 1
    make_order(created_at=DAY)
    make_order(created_at=DAY - timedelta(hours=1))
    link = next_page_link(staff_client.get("/staff/orders/"))
    cursor = re.search(r"cursor=([^&]+)", link).group(1)

    tampered = staff_client.get(f"/staff/orders/?cursor={cursor[:-3]}abc")
    other_filter = staff_client.get(f"/staff/orders/?cursor={cursor}&status=paid")

    for response in (tampered, other_filter):
        assert response.status_code == 400
        assert "This page link does not belong to these filters." in response.content.decode()


# --- CSV export ---------------------------------------------------------------------------------


def csv_rows(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_has_the_filtered_orders_in_list_order(staff_client, orders):
    response = staff_client.get("/staff/orders/export.csv?status=paid")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = csv_rows(response)
    assert [row["order_number"] for row in rows] == ids(orders, "paid_ada", "paid_old")
    first = rows[0]
    assert first["status"] == "paid" and first["total"] == "10.00" and first["currency"] == "EUR"
    assert first["customer_email"] == "ada@example.com" and first["customer_name"] == "Ada Lovelace"
    assert first["placed_at"] == (DAY - timedelta(days=2)).isoformat()
    assert first["latest_mollie_payment_id"] == "tr_adaPaid1"


def test_export_covers_every_page_of_the_list(staff_client, settings):
    settings.STAFF_ORDERS_PER_PAGE = 2
    created = [make_order(created_at=DAY - timedelta(hours=hour)) for hour in range(5)]

    rows = csv_rows(staff_client.get("/staff/orders/export.csv"))

    assert [row["order_number"] for row in rows] == [order.order_id for order in created]


def test_export_defuses_spreadsheet_formulas_in_customer_data(staff_client):
    make_order(created_at=DAY, name='=HYPERLINK("http://evil.example","click")', email="eve@example.com")

    rows = csv_rows(staff_client.get("/staff/orders/export.csv"))

    assert rows[0]["customer_name"] == '\'=HYPERLINK("http://evil.example","click")'


def test_export_with_invalid_filters_goes_back_to_the_list(staff_client):
    response = staff_client.get("/staff/orders/export.csv?status=stolen")

    assert response.status_code == 302
    assert response["Location"] == "/staff/orders/?status=stolen"


def test_export_link_carries_the_filters_but_not_the_page(staff_client, settings):
    settings.STAFF_ORDERS_PER_PAGE = 1
    make_order(created_at=DAY, status=OrderStatus.PAID)
    make_order(created_at=DAY - timedelta(hours=1), status=OrderStatus.PAID)
    second_page = staff_client.get(next_page_link(staff_client.get("/staff/orders/?status=paid")))

    link = re.search(r'href="(/staff/orders/export.csv[^"]*)"', second_page.content.decode()).group(1)

    assert "status=paid" in link and "cursor" not in link


def test_search_by_the_beginning_of_an_order_number_as_read_out(staff_client, orders):
    order_id = orders["expired"].order_id  # SO-XXXXX-XXXXX
    heard = order_id[3:6].lower()  # "so" left off, lower case: "7f3"
    expected = sorted(
        (order for order in orders.values() if order.order_id.startswith(order_id[:6])),
        key=lambda order: order.created_at,
        reverse=True,
    )

    for query in (heard, f"so {heard}", order_id[:6], order_id[:11].replace("-", "")):
        found = order_numbers(staff_client.get("/staff/orders/", {"q": query}))
        assert order_id in found, query
        assert all(number.startswith(order_id[:6]) for number in found), query
    assert order_numbers(staff_client.get("/staff/orders/", {"q": heard})) == [o.order_id for o in expected]


def test_search_by_prefix_shows_a_bounded_page_and_says_more_match(staff_client, settings):
    settings.STAFF_ORDERS_PER_PAGE = 2
    sevens = [
        make_order(created_at=DAY - timedelta(hours=hour), order_id=f"SO-7F3{hour:02d}-00000") for hour in range(3)
    ]
    make_order(created_at=DAY, order_id="SO-8F300-00000")

    many = staff_client.get("/staff/orders/", {"q": "7F3"})
    one = staff_client.get("/staff/orders/", {"q": "7F302"})

    assert order_numbers(many) == [order.order_id for order in sevens[:2]]
    assert "More orders start with this number" in many.content.decode()
    assert order_numbers(one) == [sevens[2].order_id]
    assert "More orders start with this number" not in one.content.decode()
