"""Pay later in a real browser (issue 30): Klarna authorized, shipped in two parcels (each
captured), paid, one line refunded; Riverty canceled before shipping (released, stock back); in3
not offered below its minimum; Billie chosen once a company name is typed, authorized, shipped and
captured. Webhooks reach the live server (MOLLIE_WEBHOOK_BASE_URL)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import test_payment_method_journeys as method_journeys
from tests.concurrency import wait_until

pytestmark = pytest.mark.browser

# The staff member logged in and webhooks reaching the live shop, as in the methods journeys.
staff_desk, webhooks_to_the_shop = method_journeys.staff_desk, method_journeys.webhooks_to_the_shop
order_id_on = method_journeys.order_id_on


def order_later_with(shopper, method, cups=2):
    """The shopper orders `cups` espresso cups and chooses `method`, authorized on Mollie's page."""
    shopper.open_shop()
    shopper.add_to_cart("Espresso cup")
    shopper.page.get_by_label("Quantity of Espresso cup").fill(str(cups))
    shopper.page.get_by_role("button", name="Update quantity of Espresso cup").click()
    shopper.page.get_by_role("link", name="Checkout").click()
    shopper.fill_checkout()
    methods = shopper.page.get_by_role("group", name="How would you like to pay?")
    methods.get_by_role("radio", name=method).check()
    shopper.pay()
    shopper.choose_at_mollie("Authorized")
    return order_id_on(shopper.page)


def ship(desk, order_id, cups, tracking):
    desk.goto(f"/staff/orders/{order_id}/packing-slip/")
    desk.get_by_label(re.compile(r"^Espresso cup")).fill(str(cups))
    desk.get_by_label("Carrier").select_option(label="PostNL")
    desk.get_by_label("Tracking number").fill(tracking)
    desk.get_by_role("button", name="Mark shipped and e-mail the customer").click()
    expect(desk.get_by_role("status")).to_be_visible()


def settle_captures(shopper, order_id, status):
    from payments.models import Order

    shopper.sandbox.advance_clock(5)  # the capture settles; Mollie calls the webhook
    wait_until(lambda: Order.get(order_id, consistent_read=True).status == status, timeout=10)


def test_klarna_ship_half_then_the_rest_then_refund_a_line(shopper, webhooks_to_the_shop, staff_desk, screenshots):
    order_id = order_later_with(shopper, "Pay later with Klarna", cups=4)
    expect(shopper.status_title()).to_have_text("Ordered — you pay later via Klarna.")
    shopper.screenshot("pay-later-ordered")

    staff_desk.goto(f"/staff/orders/{order_id}/")
    expect(staff_desk.get_by_role("heading", level=1)).to_contain_text("Authorized, capture before")
    ship(staff_desk, order_id, 2, "3SHALF1")
    settle_captures(shopper, order_id, "authorized")
    ship(staff_desk, order_id, 2, "3SREST2")
    settle_captures(shopper, order_id, "paid")

    staff_desk.goto(f"/staff/orders/{order_id}/")
    expect(staff_desk.get_by_role("heading", level=1)).to_contain_text("Paid")
    staff_desk.locator("#attempts").get_by_role("link", name="Refund…").click()
    staff_desk.get_by_label("Amount").fill("12.50")
    staff_desk.get_by_role("button", name="Review the refund…").click()
    staff_desk.get_by_role("button", name=re.compile(r"^Yes, refund €12\.50")).click()
    expect(staff_desk.get_by_role("heading", level=1)).to_contain_text("Partially refunded")
    screenshots(staff_desk, "pay-later-refunded")


def test_riverty_canceled_before_shipping_releases_and_returns_the_stock(
    shopper, webhooks_to_the_shop, staff_desk, screenshots
):
    from shop.models import Article

    before = Article.get("espresso-cup", consistent_read=True).stock
    order_id = order_later_with(shopper, "Pay in 30 days with Riverty")
    assert Article.get("espresso-cup", consistent_read=True).stock == before - 2

    staff_desk.goto(f"/staff/orders/{order_id}/")
    staff_desk.get_by_role("link", name="Cancel order…").click()
    staff_desk.get_by_role("button", name="Yes, cancel the order").click()
    expect(staff_desk.get_by_role("heading", level=1)).to_contain_text("Canceled")
    assert Article.get("espresso-cup", consistent_read=True).stock == before
    screenshots(staff_desk, "pay-later-released")


def test_klarna_half_shipped_then_the_rest_released(shopper, webhooks_to_the_shop, staff_desk, screenshots):
    """The rest will never ship: staff release it. The confirmation and the order page pass axe."""
    from shop.models import Article
    from tests.browser.test_shipping_pages_axe import STAFF_LAYOUT, assert_no_violations

    order_id = order_later_with(shopper, "Pay later with Klarna", cups=3)
    ship(staff_desk, order_id, 2, "3SHALF9")
    settle_captures(shopper, order_id, "authorized")
    before = Article.get("espresso-cup", consistent_read=True).stock

    staff_desk.goto(f"/staff/orders/{order_id}/")
    expect(staff_desk.get_by_role("link", name="Cancel order…")).to_have_count(0)  # part shipped
    staff_desk.get_by_role("link", name="Release the rest…").click()
    expect(staff_desk.get_by_role("heading", level=1)).to_have_text(f"Release the rest of order {order_id}")
    expect(staff_desk.get_by_text("1 × Espresso cup")).to_be_visible()
    assert_no_violations(staff_desk, "release the rest: confirmation", context=STAFF_LAYOUT)
    screenshots(staff_desk, "pay-later-release-rest-confirm")
    staff_desk.get_by_role("button", name="Yes, release the rest").click()

    expect(staff_desk.get_by_role("status")).to_contain_text("The rest was released")
    expect(staff_desk.get_by_role("heading", level=1)).to_contain_text("Paid")
    expect(staff_desk.get_by_role("link", name="Release the rest…")).to_have_count(0)
    assert Article.get("espresso-cup", consistent_read=True).stock == before + 1
    assert_no_violations(staff_desk, "order page after the release", context=STAFF_LAYOUT)
    screenshots(staff_desk, "pay-later-rest-released")


def test_in3_is_not_offered_below_its_minimum(shopper, screenshots):
    shopper.open_shop()
    shopper.buy_now("Espresso cup")
    shopper.fill_checkout()
    methods = shopper.page.get_by_role("group", name="How would you like to pay?")
    expect(methods.get_by_role("radio", name="Pay later with Klarna")).to_have_count(1)
    expect(methods.get_by_text(re.compile("in3"))).to_have_count(0)  # EUR 12.50, in3 starts at EUR 100.00


def test_billie_for_a_business_authorized_then_shipped_is_captured(
    shopper, webhooks_to_the_shop, staff_desk, screenshots
):
    shopper.open_shop()
    shopper.add_to_cart("Espresso cup")
    shopper.page.get_by_role("link", name="Checkout").click()
    shopper.fill_checkout()
    methods = shopper.page.get_by_role("group", name="How would you like to pay?")
    billie = methods.get_by_role("radio", name="Pay by invoice for businesses with Billie")
    expect(billie).to_be_disabled()  # for businesses: a company name first
    expect(shopper.page.get_by_text("enter your company name above")).to_be_visible()

    shopper.page.get_by_label("Company name (optional)").fill("\u200b-\u00ad")
    expect(billie).to_be_disabled()  # a dash or invisible characters name no company
    shopper.page.get_by_label("Company name (optional)").fill("Brew Bar B.V.")
    expect(billie).to_be_enabled()
    expect(shopper.page.get_by_text("enter your company name above")).to_be_hidden()
    billie.check()
    shopper.screenshot("pay-later-billie-chosen")
    shopper.pay()
    shopper.choose_at_mollie("Authorized")
    order_id = order_id_on(shopper.page)
    expect(shopper.status_title()).to_have_text("Ordered — you pay later via Billie.")

    ship(staff_desk, order_id, 1, "3SBILLIE")
    settle_captures(shopper, order_id, "paid")
    staff_desk.goto(f"/staff/orders/{order_id}/")
    expect(staff_desk.get_by_role("heading", level=1)).to_contain_text("Paid")
