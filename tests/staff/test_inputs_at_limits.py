"""Dates and numbers staff type, at and past every limit: a clear error, never a 500."""

import html

import pytest

from shop.models import Article
from tests.staff.test_order_actions import refund_key_from, refund_url

DATES_PAST_THE_LIMITS = ["9999-12-31", "0001-01-01", "0999-06-01", "2026-02-30", "-2026-01-01", "20260-01-01"]


def page_text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("day", DATES_PAST_THE_LIMITS)
@pytest.mark.parametrize("field", ["created_from", "created_to"])
def test_the_orders_list_answers_a_date_past_the_limits_with_an_error(staff_client, field, day):
    response = staff_client.get(f"/staff/orders/?{field}={day}")

    assert response.status_code == 400
    assert "Enter a date like 2026-03-10" in page_text(response) or "Choose a day between" in page_text(response)


@pytest.mark.parametrize("day", DATES_PAST_THE_LIMITS)
def test_the_export_refuses_a_date_past_the_limits_and_says_so(staff_client, day):
    response = staff_client.get(f"/staff/orders/export.csv?created_to={day}", follow=True)

    assert response.status_code == 400
    assert "Please correct the filters before exporting." in page_text(response)


def test_a_far_but_sensible_range_still_lists_and_exports(staff_client):
    assert staff_client.get("/staff/orders/?created_from=2000-01-01&created_to=2099-12-31").status_code == 200
    export = staff_client.get("/staff/orders/export.csv?created_from=2000-01-01&created_to=2099-12-31")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert b"".join(export.streaming_content).startswith(b"order")


@pytest.mark.parametrize(
    "stock_shown", ["99999999999999999999999999999999999999999", "-99999999999999999999999", "١٢", "1e3", "-1"]
)
def test_the_article_form_answers_a_tampered_stock_shown_without_a_500(staff_client, catalog, stock_shown):
    response = staff_client.post(
        "/staff/articles/espresso-cup/",
        {"name": "Espresso cup", "price": "12.50", "currency": "EUR", "stock": "40", "stock_shown": stock_shown},
    )

    assert response.status_code in (302, 422)
    assert 0 <= Article.get("espresso-cup").stock <= 1_000_000


@pytest.mark.parametrize("stock", ["1000001", "-1", "99999999999999999999999", "١٢", "1.5"])
def test_the_article_form_refuses_a_stock_past_the_limits(staff_client, catalog, stock):
    response = staff_client.post(
        "/staff/articles/espresso-cup/",
        {"name": "Espresso cup", "price": "12.50", "currency": "EUR", "stock": stock, "stock_shown": "40"},
    )

    assert response.status_code in (302, 422)
    assert Article.get("espresso-cup").stock in (40, 12)


@pytest.mark.parametrize("price", ["9999999999", "0", "-1", "１２.50", "1e3", "99999999999999999999999"])
def test_the_article_form_refuses_a_price_past_the_limits(staff_client, catalog, price):
    response = staff_client.post(
        "/staff/articles/espresso-cup/",
        {"name": "Espresso cup", "price": price, "currency": "EUR", "stock": "40", "stock_shown": "40"},
    )

    assert response.status_code == 422
    assert Article.get("espresso-cup").price_cents == 1250


@pytest.mark.parametrize("amount", ["99999999999999999999", "999999999.99", "-0.01", "٣", "1e2", "0.001"])
def test_a_refund_past_the_limits_is_refused_before_mollie(staff_client, paid_order_of_two_cups, sandbox, amount):
    form = staff_client.get(refund_url(paid_order_of_two_cups))

    response = staff_client.post(
        refund_url(paid_order_of_two_cups), {"amount": amount, "refund_key": refund_key_from(form)}
    )

    assert response.status_code == 422
