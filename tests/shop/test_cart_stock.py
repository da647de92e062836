"""The cart says what is left before the shopper types their details (issue 27, "Stock is checked
only after Pay"): through the test client against moto and the Mollie sandbox."""

import re

from django.test import Client

from shop.models import Article
from tests.fixtures.shopper import checkout_form


def page(response):
    return response.content.decode()


def quantity_box_max(html, slug):
    return int(re.search(rf'id="qty-{slug}"[^>]* max="(\d+)"', html).group(1))


def test_the_cart_does_not_take_more_than_is_left(shopper):
    response = shopper.client.post("/en/cart/add/", {"slug": "last-one-grinder", "quantity": 2}, follow=True)

    assert "Only 1 Hand grinder (last one) left: your cart now holds 1." in page(response)
    assert shopper.client.session["cart"] == {"last-one-grinder": 1}
    assert quantity_box_max(page(response), "last-one-grinder") == 1


def test_the_quantity_boxes_go_only_as_high_as_the_stock(shopper):
    article_page = page(shopper.client.get("/en/articles/linen-apron/"))
    shopper.add("linen-apron", 1)
    shopper.add("espresso-cup", 1)

    cart_page = page(shopper.client.get("/en/cart/"))

    assert re.search(r'id="quantity"[^>]* max="8"', article_page)
    assert quantity_box_max(cart_page, "linen-apron") == 8
    assert quantity_box_max(cart_page, "espresso-cup") == 20  # 40 in stock, 20 a line at most
    assert "8 available" in cart_page


def test_raising_the_quantity_past_the_stock_says_how_many_are_left(shopper):
    shopper.add("linen-apron", 1)

    response = shopper.client.post("/en/cart/update/", {"slug": "linen-apron", "quantity": 12}, follow=True)

    assert "Only 8 Linen apron left: your cart now holds 8." in page(response)
    assert shopper.client.session["cart"] == {"linen-apron": 8}


def test_sold_out_meanwhile_the_cart_says_so_and_checkout_refuses_before_the_details(shopper):
    shopper.add("last-one-grinder", 1)
    rival = Client()
    rival.post("/en/cart/add/", {"slug": "last-one-grinder", "quantity": 1})
    rival_checkout_id = re.search(r'name="checkout_id" value="(\w+)"', page(rival.get("/en/checkout/"))).group(1)
    rival.post("/en/checkout/", checkout_form(rival_checkout_id, name="Rival Shopper", email="rival@example.com"))
    assert Article.get("last-one-grinder").stock == 0  # the rival's order took it

    cart_page = page(shopper.client.get("/en/cart/"))
    checkout = shopper.client.get("/en/checkout/")

    assert "Hand grinder (last one) is sold out. Please change your cart before you check out." in cart_page
    assert 'href="/en/checkout/"' not in cart_page.split("<main")[-1]
    assert checkout.status_code == 302 and checkout["Location"] == "/en/cart/"
    assert "is sold out" in page(shopper.client.get("/en/cart/"))


def test_back_from_mollie_the_cart_still_counts_what_its_own_order_holds(shopper):
    shopper.buy("last-one-grinder", 1)
    assert Article.get("last-one-grinder").stock == 0

    cart_page = page(shopper.client.get("/en/cart/"))
    again = shopper.checkout()

    assert "sold out" not in cart_page.lower()
    assert quantity_box_max(cart_page, "last-one-grinder") == 1
    assert again.status_code == 303  # the same order and payment, not refused
