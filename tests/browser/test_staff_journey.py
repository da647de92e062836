"""A staff member's journey in a real browser: find a customer's paid order, read its timeline,
refund part of it, and see the refund in the timeline and on the dashboard."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STAFF_USERNAME = "mia"
STAFF_PASSWORD = "a long walk to the roastery"
CUSTOMER_EMAIL = "margaret.hamilton@example.com"


@pytest.fixture
def staff_member(settings):
    from staff import services

    # Django's default hasher is slow on purpose; one login does not need that here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return services.create_staff_member(username=STAFF_USERNAME, password=STAFF_PASSWORD, display_name="Mia")


@pytest.fixture
def paid_order_id(shopper, page):
    """A customer buys two espresso cups (€25.00) in the shop and pays; returns the order id."""
    return shopper.buy_two_cups_and_pay(name="Margaret Hamilton", email=CUSTOMER_EMAIL)


def test_staff_find_the_order_read_its_timeline_and_refund_part(
    paid_order_id, staff_member, chromium, shop_url, screenshots, shopper, page
):
    staff = chromium.new_context(base_url=shop_url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        desk = staff.new_page()
        desk.goto("/staff/")
        expect(desk.get_by_role("heading", name="Log in")).to_be_visible()
        desk.get_by_label("Username").fill(STAFF_USERNAME)
        desk.get_by_label("Password").fill(STAFF_PASSWORD)
        screenshots(desk, "staff-login")
        desk.get_by_role("button", name="Log in").click()
        expect(desk.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

        desk.get_by_role("navigation", name="Staff").get_by_role("link", name="Orders").click()
        desk.get_by_role("searchbox", name="Search").fill(CUSTOMER_EMAIL)
        desk.get_by_role("button", name="Search", exact=True).click()
        result = desk.locator("#result_list tbody tr")
        expect(result).to_have_count(1)
        expect(result).to_contain_text(CUSTOMER_EMAIL)
        expect(result).to_contain_text("Paid")
        screenshots(desk, "staff-orders-search")
        result.get_by_role("link", name=paid_order_id).click()

        expect(desk.get_by_role("heading", level=1)).to_contain_text(f"Order {paid_order_id}")
        timeline = desk.locator("#timeline")
        expect(timeline.get_by_role("row").filter(has_text="Order placed")).to_contain_text("€25.00")
        expect(timeline.get_by_role("row").filter(has_text="pending_payment → paid")).to_have_count(1)
        screenshots(desk, "staff-order-timeline")

        desk.locator("#attempts").get_by_role("link", name="Refund…").click()
        desk.get_by_label("Amount").fill("10.00")
        desk.get_by_label("Note for the customer's bank statement").fill("One cup arrived chipped")
        desk.get_by_role("button", name="Review the refund…").click()
        expect(desk.get_by_role("heading", name="Confirm the refund")).to_be_visible()
        screenshots(desk, "staff-refund-confirm")
        desk.get_by_role("button", name=re.compile(r"^Yes, refund €10\.00")).click()

        expect(desk.get_by_role("heading", level=1)).to_contain_text("Partially refunded")
        expect(desk.locator("#refunds")).to_contain_text("€10.00")
        expect(desk.locator("#refunds")).to_contain_text("One cup arrived chipped")
        expect(timeline.get_by_role("row").filter(has_text="Refund created")).to_contain_text(STAFF_USERNAME)
        expect(timeline.get_by_role("row").filter(has_text="paid → partially_refunded")).to_have_count(1)
        screenshots(desk, "staff-order-refunded")

        desk.get_by_role("navigation", name="Staff").get_by_role("link", name="Dashboard").click()
        partly_refunded = desk.locator('tr[data-status="partially_refunded"]')
        expect(partly_refunded.locator("td.count").first).to_have_text("1")
        expect(partly_refunded.locator("td.amount").first).to_contain_text("25.00")
        screenshots(desk, "staff-dashboard")
    finally:
        staff.close()

    # The customer's own order page tells them about the refund.
    page.reload()
    expect(shopper.status_title()).to_have_text("Your order was paid.")
    expect(page.get_by_text("It has been partly refunded.")).to_be_visible()
    shopper.screenshot("shopper-sees-refund")
