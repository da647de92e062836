"""Checkout with a delivery address: shipping cost and VAT per line reach Mollie, bad input gets a
clear error and never reaches Mollie, and orders from before addresses still render."""

import pytest

from payments.models import Order
from tests.fixtures.shopper import checkout_form


def test_a_dutch_order_pays_shipping_and_mollie_gets_its_lines_and_addresses(shopper, shipping_zones):
    shopper.add("espresso-cup", 1)  # 21%
    shopper.add("coffee-beans", 2)  # 9%: food
    response = shopper.client.post(
        "/en/checkout/", checkout_form(shopper.checkout_id(), postal_code="1015aa", phone="06 12345678")
    )

    assert response.status_code == 303
    order = shopper.last_order()
    assert order.shipping_cents == 495 and order.total_cents == 1250 + 2 * 895 + 495
    assert order.shipping_address.postal_code == "1015 AA" and order.shipping_address.phone == "+31612345678"
    payment = shopper.sandbox.payments()[-1]
    assert [(line["type"], line["vatRate"], line["vatAmount"]["value"]) for line in payment["lines"]] == [
        ("physical", "21.00", "2.17"),
        ("physical", "9.00", "1.48"),
        ("shipping_fee", "21.00", "0.86"),
    ]
    assert payment["shippingAddress"]["postalCode"] == "1015 AA"
    assert payment["billingAddress"]["email"] == "ada@example.com"


def test_shipping_is_free_above_the_zones_amount(shopper, shipping_zones):
    shopper.buy("pour-over-kettle", 2)  # 99.90, free in NL from 50.00

    order = shopper.last_order()
    assert order.shipping_cents == 0 and order.total_cents == 2 * 4995
    assert [line["type"] for line in shopper.sandbox.payments()[-1]["lines"]] == ["physical"]


@pytest.mark.parametrize(
    "fields, field_id, message",
    [
        ({"postal_code": "1234"}, "id_postal_code", "valid postal code for Netherlands, like 1234 AB"),
        ({"country": "DE", "postal_code": "1015 AA"}, "id_postal_code", "like 10115"),
        ({"phone": "12"}, "id_phone", "phone number we can call"),
        ({"country": "US"}, "id_country", "We do not ship to that country"),
        ({"street_and_number": ""}, "id_street_and_number", "Please enter your street and house number."),
        ({"billing_differs": "on"}, "id_billing_name", "billing address"),
    ],
)
def test_a_wrong_address_gets_a_clear_error_and_nothing_reaches_mollie(
    shopper, shipping_zones, fields, field_id, message
):
    shopper.add("espresso-cup")

    response = shopper.client.post("/en/checkout/", checkout_form(shopper.checkout_id(), **fields))

    assert response.status_code == 422
    body = response.content.decode()
    assert message in body and f'href="#{field_id}"' in body and f'aria-describedby="{field_id}_error"' in body
    assert shopper.sandbox.payments() == []


def test_the_cart_shows_shipping_for_the_chosen_country(shopper, shipping_zones):
    shopper.add("espresso-cup")

    dutch = shopper.client.get("/en/cart/").content.decode()
    shopper.client.post("/en/cart/country/", {"country": "BE"})
    belgian = shopper.client.get("/en/cart/").content.decode()

    assert "Shipping to Netherlands" in dutch and "€4.95" in dutch and "€17.45" in dutch
    assert "Shipping to Belgium" in belgian and "€9.95" in belgian and "€22.45" in belgian
    assert "Of which VAT 21%" in belgian
    assert "shipping_country" not in shopper.client.cookies.get("sessionid", "")  # a signed value, no address


def test_an_order_from_before_addresses_still_renders(shopper):
    shopper.add("espresso-cup")
    shopper.client.post("/en/checkout/", {"name": "Ada", "email": "ada@example.com"})  # refused: no address
    from payments import services

    order = services.place_order(
        checkout_id="f" * 32, quantities={"espresso-cup": 1}, customer_name="Old", customer_email="old@example.com"
    )

    page = shopper.client.get(f"/en/orders/{order.order_id}/{order.public_token}/")

    assert page.status_code == 200 and order.shipping_address is None


def test_back_from_mollie_with_another_country_places_a_new_order_at_the_new_price(shopper, shipping_zones):
    shopper.add("espresso-cup")
    checkout_id = shopper.checkout_id()
    # A bank transfer: Mollie lets an open one be canceled, so the first order can be replaced.
    shopper.client.post("/en/checkout/", checkout_form(checkout_id, method="banktransfer"))
    first = shopper.last_order()

    answer = shopper.client.post(
        "/en/checkout/", checkout_form(checkout_id, country="BE", postal_code="1000", method="banktransfer")
    )

    second = shopper.last_order()
    assert answer.status_code == 303 and second.order_id != first.order_id
    assert second.shipping_address.country == "BE" and second.total_cents == 1250 + 995
    assert shopper.sandbox.payments()[-1]["amount"]["value"] == "22.45"
    assert Order.get(first.order_id).status == "canceled"  # its stock is back


def test_a_double_submit_with_the_same_address_continues_the_one_order(shopper, shipping_zones):
    shopper.add("espresso-cup")
    form = checkout_form(shopper.checkout_id())

    first, second = shopper.client.post("/en/checkout/", form), shopper.client.post("/en/checkout/", form)

    assert first["Location"] == second["Location"] and len(shopper.sandbox.payments()) == 1


def test_the_confirmation_mail_shows_the_delivery_address_shipping_and_vat(shopper, shipping_zones):
    from notifications.models import MailKind
    from notifications.selectors import mails_of_order

    shopper.add("coffee-beans", 1)
    shopper.checkout()
    shopper.webhook(shopper.pay_at_mollie("paid"))

    (mail,) = [m for m in mails_of_order(shopper.last_order().order_id) if m.kind == MailKind.ORDER_CONFIRMATION]
    assert "Keizersgracht 1\n1015 AA Amsterdam" in mail.text_body
    assert "Shipping: €4.95" in mail.text_body and "of which VAT 9.00%: €0.74" in mail.text_body
    assert "Keizersgracht 1<br>1015 AA Amsterdam" in mail.html_body


def test_a_cart_when_staff_moved_every_country_out_of_the_zones_still_renders(shopper, catalog):
    from tests.fixtures.shopper import store_zones

    store_zones([{"zone_id": "none", "name": "Nowhere", "countries": [], "price_cents": 0}])
    shopper.add("espresso-cup")

    page = shopper.client.get("/en/cart/")
    checkout = shopper.client.post("/en/checkout/", checkout_form(shopper.checkout_id()))

    assert page.status_code == 200 and "We do not ship there" in page.content.decode()
    assert checkout.status_code == 422 and shopper.sandbox.payments() == []


def test_a_tampered_country_choice_in_the_cart_is_a_clear_no_op(shopper, shipping_zones):
    shopper.add("espresso-cup")

    answer = shopper.client.post("/en/cart/country/", {"country": "<script>"}, follow=True)

    assert answer.status_code == 200 and "We do not ship to that country" in answer.content.decode()
    assert "Shipping to Netherlands" in answer.content.decode()
