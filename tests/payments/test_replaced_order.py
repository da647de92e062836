"""A shopper can always buy the cart they have (issue 27, "An unfinished payment blocks the next
order"): back from Mollie's card page, they change the cart and check out; the earlier order is
replaced (stock back, closed), and a late payment of it is flagged for a refund, never missed.
Through the test client against moto and the Mollie sandbox."""

import functools

from django.test import Client

from payments.models import Order, OrderStatus
from shop.models import Article
from staff import services as staff_services
from tests.concurrency import run_concurrently
from tests.fixtures.shopper import checkout_form


def page(response):
    return response.content.decode()


def back_from_a_card_payment_with_a_changed_cart(shopper):
    """Pays by card, chooses "Back to the shop" on Mollie's page (the card payment stays open and
    Mollie will not cancel it), adds something. Returns the earlier order and the cart page."""
    shopper.buy("linen-apron", 1)
    earlier = shopper.last_order()
    shopper.sandbox.set_cancelable(earlier.latest_mollie_payment_id, False)  # card: isCancelable false
    cart_page = shopper.client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": 1}, follow=True)
    return earlier, cart_page


def test_a_changed_cart_goes_ahead_while_the_earlier_card_payment_is_open(shopper):
    earlier, cart_page = back_from_a_card_payment_with_a_changed_cart(shopper)

    assert "When you check out this cart, it replaces that order" in page(cart_page)
    assert 'href="/en/checkout/"' in page(cart_page)
    response = shopper.checkout()

    assert response.status_code == 303 and response["Location"].startswith(shopper.sandbox.url + "/checkout/tr_")
    replaced = Order.get(earlier.order_id)
    new = shopper.last_order()
    assert replaced.status == OrderStatus.CANCELED and replaced.replaced_by == new.order_id
    assert sorted((line.slug, line.quantity) for line in new.lines) == [("espresso-cup", 1), ("linen-apron", 1)]
    assert Article.get("linen-apron").stock == 7  # the earlier order's unit came back, the new one holds 1


def test_the_replaced_payment_paid_after_all_is_flagged_for_a_refund(shopper, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    earlier, _ = back_from_a_card_payment_with_a_changed_cart(shopper)
    shopper.checkout()

    # The first tab was still on Mollie's card page: the shopper pays there too.
    shopper.webhook(shopper.pay_at_mollie("paid", order=earlier))

    replaced = Order.get(earlier.order_id)
    assert replaced.needs_attention
    assert any(
        f"Paid after the shopper replaced this order by {replaced.replaced_by}" in reason
        and "Refund this payment" in reason
        for reason in replaced.attention_reasons
    )
    staff = Client()
    staff_services.create_staff_member(username="grace", password="a long staff password 27", display_name="Grace")
    staff.post("/staff/login/", {"username": "grace", "password": "a long staff password 27"})
    staff_page = page(staff.get(f"/staff/orders/{earlier.order_id}/"))
    assert "Needs attention" in staff_page and "Refund this payment" in staff_page


def test_two_tabs_submit_the_changed_cart_at_once_one_new_order_stock_back_once(shopper):
    earlier, _ = back_from_a_card_payment_with_a_changed_cart(shopper)
    checkout_id = shopper.checkout_id()
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.cookies = shopper.client.cookies

    def submit(tab):
        form = checkout_form(checkout_id)
        return tab.post("/en/checkout/", form)["Location"]

    locations = run_concurrently(*(functools.partial(submit, tab) for tab in tabs))

    assert locations[0] == locations[1] and locations[0].startswith(shopper.sandbox.url + "/checkout/tr_")
    statuses = sorted(order.status for order in Order.scan())
    assert statuses == [OrderStatus.CANCELED, OrderStatus.PENDING_PAYMENT]
    assert Article.get("linen-apron").stock == 7  # given back once, reserved once
    assert Order.get(earlier.order_id).stock_released


def test_both_orders_paid_are_flagged_as_possible_duplicates_of_each_other(shopper):
    earlier, _ = back_from_a_card_payment_with_a_changed_cart(shopper)
    shopper.checkout()
    new = shopper.last_order()

    shopper.webhook(shopper.pay_at_mollie("paid", order=earlier))  # the first tab
    shopper.webhook(shopper.pay_at_mollie("paid", order=new))

    assert Order.get(new.order_id).possible_duplicate_of == [earlier.order_id]
    assert Order.get(earlier.order_id).possible_duplicate_of == [new.order_id]


def test_mollies_repeat_of_a_webhook_finishes_a_duplicate_flag_that_failed(shopper):
    earlier, _ = back_from_a_card_payment_with_a_changed_cart(shopper)
    shopper.checkout()
    new = shopper.last_order()
    shopper.webhook(shopper.pay_at_mollie("paid", order=earlier))
    shopper.webhook(shopper.pay_at_mollie("paid", order=new))
    # As if the second flag's write had been throttled: that webhook was answered 503.
    Order.get(earlier.order_id).update(actions=[Order.possible_duplicate_of.set([])])

    assert (
        shopper.webhook(new.latest_mollie_payment_id or shopper.last_order().latest_mollie_payment_id).status_code
        == 200
    )

    assert Order.get(earlier.order_id).possible_duplicate_of == [new.order_id]
