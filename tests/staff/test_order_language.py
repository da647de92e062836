"""Staff see the language each order's shopper reads (Mollie's page, the order page, the mails), on
the order page and in the CSV export; the staff pages themselves stay English."""

import csv
import io

from payments.models import Order
from tests.fixtures.languages import buy_in


def export_row(staff_client, order):
    response = staff_client.get(f"/staff/orders/export.csv?q={order.order_id}")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return next(row for row in rows if row["order_number"] == order.order_id)


def test_staff_see_the_orders_language_in_english(shopper, staff_client):
    buy_in(shopper, "nl", country="BE")
    order = shopper.last_order()

    page = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()

    assert '<dt>Language</dt><dd id="order-language">Dutch (nl)</dd>' in page
    assert export_row(staff_client, order)["language"] == "nl"


def test_an_order_from_before_languages_shows_the_default_language(shopper, staff_client):
    shopper.buy()
    order = shopper.last_order()
    order.update(actions=[Order.language.remove()])

    page = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()

    assert '<dd id="order-language">English (en)</dd>' in page
    assert export_row(staff_client, order)["language"] == "en"
