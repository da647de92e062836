"""One cart has at most one payable Mollie payment: the back button, two tabs and a changed cart,
as a shopper meets them, through the test client against moto and the Mollie sandbox."""

import functools

from django.test import Client

from payments.models import Order, OrderStatus
from shop.models import Article
from tests.concurrency import run_concurrently
from tests.fixtures.shopper import checkout_form


def orders():
    return list(Order.scan())


def checkout_in_both_tabs_at_once(tabs, checkout_id):
    """Both tabs submit the checkout form at the same moment; returns where each was sent."""

    def submit(tab):
        response = tab.post("/en/checkout/", checkout_form(checkout_id))
        return response["Location"]

    return run_concurrently(*(functools.partial(submit, tab) for tab in tabs))


def messages_on(page):
    return page.content.decode()


def test_back_from_mollie_then_checkout_again_continues_the_same_payment(shopper):
    first = shopper.buy("espresso-cup", 2)

    # On Mollie's page the shopper presses Back, sees the checkout page and submits it again.
    again = shopper.checkout()

    assert again.status_code == 303
    assert again["Location"] == first["Location"]
    assert len(orders()) == 1
    assert len(shopper.sandbox.payments()) == 1
    assert Article.get("espresso-cup").stock == 38  # reserved once


def test_back_button_with_the_last_article_in_stock_is_not_refused(shopper):
    first = shopper.buy("last-one-grinder", 1)

    again = shopper.checkout()

    assert again.status_code == 303, shopper.client.get("/en/cart/").content.decode()
    assert again["Location"] == first["Location"]
    assert Article.get("last-one-grinder").stock == 0


def test_back_button_after_a_failed_payment_makes_a_new_attempt_on_the_same_order(shopper):
    shopper.buy("espresso-cup", 1)
    shopper.webhook(shopper.pay_at_mollie("failed"))

    again = shopper.checkout()

    order = shopper.last_order()
    assert again.status_code == 303
    assert len(orders()) == 1 and order.attempt_count == 2
    assert [p["status"] for p in shopper.sandbox.payments()].count("open") == 1


def test_two_tabs_checking_out_the_same_cart_get_one_order_and_one_payment(shopper):
    shopper.add("espresso-cup", 1)
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.cookies = shopper.client.cookies  # one browser: both tabs send the same cookies
    pages = [tab.get("/en/checkout/").content.decode() for tab in tabs]
    checkout_id = shopper.checkout_id()
    assert all(checkout_id in page for page in pages)

    locations = checkout_in_both_tabs_at_once(tabs, checkout_id)

    assert len(locations) == 2 and locations[0] == locations[1]
    assert locations[0].startswith(shopper.sandbox.url + "/checkout/tr_")
    assert len(orders()) == 1
    assert len(shopper.sandbox.payments()) == 1
    assert Article.get("espresso-cup").stock == 39


def test_paying_in_both_tabs_pays_one_order_once(shopper):
    """The second tab continues the first tab's payment: the shopper cannot pay the cart twice."""
    shopper.buy("espresso-cup", 1)
    shopper.checkout()  # the other tab
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)

    second_tab = shopper.checkout()

    order = shopper.last_order()
    assert order.status == OrderStatus.PAID
    assert (
        second_tab.status_code == 302 and second_tab["Location"] == f"/en/orders/{order.order_id}/{order.public_token}/"
    )
    assert "This order has been paid already." in messages_on(shopper.client.get(second_tab["Location"]))
    assert len(shopper.sandbox.payments()) == 1


def test_a_changed_cart_gives_the_earlier_orders_stock_back_at_once(shopper):
    shopper.buy("linen-apron", 2)
    earlier = shopper.last_order()
    shopper.sandbox.set_cancelable(earlier.latest_mollie_payment_id, True)  # e.g. a bank transfer
    assert Article.get("linen-apron").stock == 6

    shopper.add("espresso-cup", 1)  # back from Mollie, the shopper adds something

    assert Article.get("linen-apron").stock == 8
    assert Order.get(earlier.order_id).status == OrderStatus.CANCELED
    assert {p["id"]: p["status"] for p in shopper.sandbox.payments()} == {earlier.latest_mollie_payment_id: "canceled"}

    response = shopper.checkout()

    assert response.status_code == 303
    order = shopper.last_order()
    assert order.order_id != earlier.order_id
    assert sorted((line.slug, line.quantity) for line in order.lines) == [("espresso-cup", 1), ("linen-apron", 2)]
    assert [p["status"] for p in shopper.sandbox.payments()].count("open") == 1
    assert Article.get("linen-apron").stock == 6


def test_an_earlier_payment_paid_meanwhile_stops_the_new_order(shopper):
    shopper.buy("linen-apron", 1)
    earlier = shopper.last_order()
    shopper.sandbox.set_cancelable(earlier.latest_mollie_payment_id, False)
    shopper.add("espresso-cup", 1)
    shopper.pay_at_mollie("paid", order=earlier)  # the first tab was still on Mollie's page

    response = shopper.checkout()

    assert response.status_code == 302 and response["Location"] == "/en/cart/"
    assert "has been paid" in messages_on(shopper.client.get("/en/cart/"))
    assert Order.get(earlier.order_id).status == OrderStatus.PAID
    assert len(orders()) == 1


def test_a_changed_cart_submitted_twice_at_once_gets_one_new_payment(shopper):
    """Both submits stop the earlier payment; the one that finds it canceled already goes on too."""
    shopper.buy("linen-apron", 1)
    shopper.sandbox.set_cancelable(shopper.last_order().latest_mollie_payment_id, True)  # e.g. a bank transfer
    shopper.sandbox.faults(api_error_rate=1.0, seed=1)  # the cart change could not stop it yet
    shopper.add("espresso-cup", 1)
    shopper.sandbox.clear_faults()
    shopper.sandbox.faults(api_latency_ms=300, seed=1)
    checkout_id = shopper.checkout_id()
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.cookies = shopper.client.cookies

    locations = checkout_in_both_tabs_at_once(tabs, checkout_id)

    assert len(locations) == 2 and locations[0] == locations[1], locations
    assert locations[0].startswith(shopper.sandbox.url + "/checkout/tr_")
    assert sorted(order.status for order in orders()) == [OrderStatus.CANCELED, OrderStatus.PENDING_PAYMENT]
    assert [p["status"] for p in shopper.sandbox.payments()].count("open") == 1
