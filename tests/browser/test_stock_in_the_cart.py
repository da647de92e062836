"""The cart says what is left, in a real browser (issue 27, "Stock is checked only after Pay"): the
quantity box stops at the stock, and a cart holding more than is left offers no checkout."""

import pytest
from playwright.sync_api import expect

from shop.models import Article

pytestmark = pytest.mark.browser


def test_the_quantity_box_stops_at_what_is_left(shopper, page):
    page.goto("/en/articles/linen-apron/")
    quantity = page.get_by_label("Quantity")
    quantity.fill("7")
    quantity.press("ArrowUp")
    quantity.press("ArrowUp")  # a person keeps pressing: the box stops at the 8 in stock

    expect(quantity).to_have_value("8")
    page.get_by_role("button", name="Add to cart").click()

    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    expect(page.get_by_text("8 available")).to_be_visible()
    expect(page.get_by_label("Quantity of Linen apron")).to_have_attribute("max", "8")


def test_a_cart_holding_more_than_is_left_says_so_and_offers_no_checkout(shopper, page):
    page.goto("/en/articles/linen-apron/")
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    Article.get("linen-apron").update(actions=[Article.stock.set(2)])  # others bought 6 meanwhile

    page.reload()

    expect(page.get_by_text("Only 2 left: please lower the quantity")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Only 2 Linen apron left")).to_be_visible()
    expect(page.get_by_role("link", name="Checkout")).to_have_count(0)
    page.goto("/en/checkout/")  # a bookmarked checkout: back to the cart before any details are typed
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_count(0)
