"""Staff answer a customer in the browser: find the address, ask to erase, confirm, read which order
is kept and until when. Every page passes axe-core (WCAG 2.1 AA)."""

import re

import pytest
from playwright.sync_api import expect

from payments.services import fulfilment
from tests.browser.test_shipping_journey import STAFF_PASSWORD, STAFF_USERNAME, packer  # noqa: F401
from tests.browser.test_shipping_pages_axe import STAFF_LAYOUT, assert_no_violations

pytestmark = pytest.mark.browser


def test_staff_erase_a_customers_data_and_see_what_the_law_keeps(shopper, page, shipping_zones, packer):  # noqa: F811
    shopper.open_shop()
    shopper.add_to_cart("Coffee beans, 250 g")
    page.get_by_role("link", name="Checkout").click()
    shopper.fill_checkout(email="Ada@Example.com")
    shopper.pay()
    shopper.choose_at_mollie("Paid")
    order_id = page.url.split("/en/orders/")[1].split("/")[0]
    fulfilment.ship(order_id=order_id, quantities=None, carrier="postnl", tracking_number="3S1", actor="mia")

    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Customers").click()
    assert_no_violations(page, "customer search", context=STAFF_LAYOUT)
    page.get_by_label("Customer's e-mail address").fill("ada@example.com")
    page.get_by_role("button", name="Show their orders").click()
    expect(page.get_by_role("table")).to_contain_text(order_id)
    assert_no_violations(page, "customer's orders", context=STAFF_LAYOUT)

    page.get_by_role("button", name="Erase their data…").click()
    expect(page.get_by_role("heading", name=re.compile("Erase the data of"))).to_be_visible()
    assert_no_violations(page, "erase confirmation", context=STAFF_LAYOUT)
    page.get_by_role("button", name="Yes, erase their data").click()
    kept = page.get_by_role("table")
    expect(kept).to_contain_text(order_id)
    expect(kept).to_contain_text("within its refund and chargeback window")
    assert_no_violations(page, "erasure result", context=STAFF_LAYOUT)
