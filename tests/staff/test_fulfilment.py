"""Fulfilment as staff and shoppers meet it: a paid order is to ship; staff ship one line, then the
rest; each shipment mails the shopper a tracking link; canceled or refunded orders never ship."""

import pytest

from notifications.models import MailKind
from notifications.selectors import mails_of_order
from payments.errors import ActionRefused
from payments.models import Order
from payments.services import fulfilment


@pytest.fixture
def paid_order_of_cups_and_beans(shopper, shipping_zones):
    shopper.add("espresso-cup", 2)
    shopper.add("coffee-beans", 1)
    shopper.checkout()
    shopper.webhook(shopper.pay_at_mollie("paid"))
    return shopper.last_order()


def to_ship_ids():
    return [order.order_id for order in fulfilment.orders_to_ship()]


def test_a_paid_order_is_to_ship_until_every_line_went_out(shopper, paid_order_of_cups_and_beans, staff_client):
    assert to_ship_ids() == [paid_order_of_cups_and_beans.order_id]
    detail = staff_client.get(f"/staff/orders/{paid_order_of_cups_and_beans.order_id}/").content.decode()
    assert "1015 AA Amsterdam" in detail and "To ship" in detail and "SKU BC-ESPRESSO-CUP" in detail
    slip = f"/staff/orders/{paid_order_of_cups_and_beans.order_id}/packing-slip/"
    assert "Keizersgracht 1" in staff_client.get(slip).content.decode()

    first = staff_client.post(
        slip, {"carrier": "postnl", "tracking_number": "3SABCD123", "ship_espresso-cup": 2, "ship_coffee-beans": 0}
    )
    assert first.status_code == 302
    assert to_ship_ids() == [paid_order_of_cups_and_beans.order_id]  # partly shipped: the beans are still to ship
    staff_client.post(slip, {"carrier": "dhl", "tracking_number": "JD0001", "ship_coffee-beans": 1})

    order = Order.get(paid_order_of_cups_and_beans.order_id, consistent_read=True)
    assert to_ship_ids() == [] and not order.is_to_ship and order.shipment_count == 2
    page = shopper.order_page(order).content.decode()
    assert "Shipped" in page and "3SABCD123" in page and "JD0001" in page
    mails = [mail for mail in mails_of_order(order.order_id) if mail.kind == MailKind.ORDER_SHIPPED]
    assert len(mails) == 2 and all(mail.status == "sent" for mail in mails)
    assert any("https://jouw.postnl.nl/track-and-trace/3SABCD123-NL-1015AA" in mail.text_body for mail in mails)


def test_shipping_more_than_is_left_is_refused_and_nothing_changes(paid_order_of_cups_and_beans):
    with pytest.raises(ActionRefused):
        fulfilment.ship(
            order_id=paid_order_of_cups_and_beans.order_id,
            quantities={"espresso-cup": 3},
            carrier="ups",
            tracking_number="1Z",
            actor="t",
        )
    fulfilment.ship(
        order_id=paid_order_of_cups_and_beans.order_id, quantities=None, carrier="ups", tracking_number="1Z", actor="t"
    )
    with pytest.raises(ActionRefused):  # a second tab: nothing left
        fulfilment.ship(
            order_id=paid_order_of_cups_and_beans.order_id,
            quantities=None,
            carrier="ups",
            tracking_number="1Z",
            actor="t",
        )
    assert Order.get(paid_order_of_cups_and_beans.order_id).shipment_count == 1


def test_an_unpaid_order_is_never_to_ship(shopper, shipping_zones):
    shopper.buy("espresso-cup")

    assert to_ship_ids() == []


def test_the_csv_export_carries_addresses_vat_shipping_and_fulfilment(paid_order_of_cups_and_beans, staff_client):
    from tests.staff.test_orders_list import csv_rows

    fulfilment.ship(
        order_id=paid_order_of_cups_and_beans.order_id,
        quantities={"espresso-cup": 1},
        carrier="dpd",
        tracking_number="0123",
        actor="t",
    )

    (row,) = csv_rows(staff_client.get("/staff/orders/export.csv"))

    assert row["shipping"] == "4.95" and row["total"] == "38.90"
    assert row["vat_by_rate"] == "21.00%: 5.20; 9.00%: 0.74" and row["vat"] == "5.94"
    assert row["shipping_postal_code"] == "1015 AA" and row["billing_city"] == "Amsterdam"
    assert row["fulfilment"] == "partly shipped"


def test_staff_change_a_zone_and_the_cart_shows_the_new_price(shopper, staff_client, shipping_zones):
    answer = staff_client.post(
        "/staff/shipping-zones/",
        {"zone_id": "nl", "name": "Netherlands", "countries": "NL", "price": "6.50", "vat_rate": "21.00"},
    )
    assert answer.status_code == 302
    refused = staff_client.post(
        "/staff/shipping-zones/", {"zone_id": "x", "name": "X", "countries": "XX", "price": "1", "vat_rate": "21"}
    )
    assert refused.status_code == 422 and "two-letter country codes" in refused.content.decode()

    shopper.add("espresso-cup")
    assert "€6.50" in shopper.client.get("/en/cart/").content.decode()


def test_staff_give_an_article_its_vat_rate_sku_and_weight(staff_client, catalog):
    from shop.selectors import article_by_slug

    page = staff_client.get("/staff/articles/linen-apron/").content.decode()
    form = {
        "name": "Linen apron",
        "description": "",
        "price": "38.00",
        "currency": "EUR",
        "stock": "8",
        "stock_shown": "8",
        "active": "on",
        "picture": "shop/articles/linen-apron.svg",
        "vat_rate": "9.00",
        "sku": "AP-1",
        "weight_grams": "350",
    }
    assert 'name="vat_rate"' in page
    assert staff_client.post("/staff/articles/linen-apron/", form).status_code == 302

    article = article_by_slug("linen-apron")
    assert (article.vat_rate, article.sku, article.weight_grams) == ("9.00", "AP-1", 350)
