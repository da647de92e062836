"""The back button from Mollie's page and a second tab, in a real browser: one cart, one payment.

Every step waits for what the page shows (Playwright's `expect`), never for a fixed time.
"""

import re

import pytest
from playwright.sync_api import expect

from shop.models import Article
from tests.browser.test_shopper_journeys import PAID_TITLE

pytestmark = pytest.mark.browser


def test_back_from_mollie_and_pay_again_reaches_the_same_payment(shopper, page, sandbox):
    shopper.open_shop()
    shopper.buy_now("Hand grinder (last one)")  # the last one in stock: no "Not enough stock" for its buyer
    shopper.fill_checkout()
    shopper.pay()
    first_payment = page.url

    page.go_back()  # Back on Mollie's page: the checkout form again
    expect(page.get_by_role("heading", name="Checkout", level=1)).to_be_visible()
    shopper.fill_checkout()
    shopper.pay()

    assert page.url == first_payment
    assert len(sandbox.payments()) == 1
    shopper.choose_at_mollie("Paid")
    expect(shopper.status_title()).to_have_text(PAID_TITLE)


def test_two_tabs_pay_one_payment(shopper, page, sandbox):
    shopper.open_shop()
    shopper.add_to_cart("Espresso cup")
    second_tab = page.context.new_page()  # the same browser: the same cart
    for tab in (page, second_tab):
        tab.goto("/en/checkout/")
        shopper.fill_checkout(page=tab)
        tab.get_by_role("button", name=re.compile(r"^Pay ")).click()
        expect(tab.get_by_role("heading", name="Test payment")).to_be_visible()

    assert page.url == second_tab.url  # both tabs show the one Mollie payment
    shopper.choose_at_mollie("Paid")
    expect(shopper.status_title()).to_have_text(PAID_TITLE)
    second_tab.reload()  # the other tab: the payment is done, nothing left to pay
    expect(second_tab.get_by_role("button", name="Paid", exact=True)).to_have_count(0)
    assert [payment["status"] for payment in sandbox.payments()] == ["paid"]


def test_a_changed_cart_with_a_payment_mollie_will_not_cancel_replaces_the_earlier_order(shopper, page, sandbox):
    """Never a form that can only fail (issue 27): the changed cart is bought, the earlier order
    replaced (its stock back), and its payment, if paid after all, flagged for a refund."""
    shopper.open_shop()
    shopper.buy_now("Linen apron")
    shopper.fill_checkout()
    shopper.pay()
    payment_id = page.url.rsplit("/", 1)[-1]
    # A card or iDEAL payment: real Mollie refuses to cancel it while it is open.
    sandbox.set_cancelable(payment_id, False)

    page.goto("/en/")
    shopper.add_to_cart("Espresso cup")
    expect(
        page.get_by_role("status").filter(has_text="When you check out this cart, it replaces that order")
    ).to_be_visible()
    page.get_by_role("link", name="Checkout").click()
    shopper.fill_checkout()
    shopper.pay()  # Mollie's page for the changed cart: €50.50

    expect(page.get_by_text("€\u00a050.50")).to_be_visible()
    assert sorted(payment["status"] for payment in sandbox.payments()) == ["open", "open"]
    assert Article.get("linen-apron").stock == 7  # the replaced order's apron came back, the new one holds 1
