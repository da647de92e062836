"""Payment methods, bank transfers and chargebacks in a real browser (issue 19): the shopper
chooses how to pay at checkout, reads a transfer's instructions, and staff see the method and a
chargeback. Webhooks reach the live server (MOLLIE_WEBHOOK_BASE_URL), as through a tunnel."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STAFF_USERNAME = "noor"
STAFF_PASSWORD = "beans before breakfast, always"


@pytest.fixture
def webhooks_to_the_shop(settings, shop_url):
    settings.MOLLIE_WEBHOOK_BASE_URL = shop_url


@pytest.fixture
def staff_desk(settings, chromium, shop_url):
    """A staff member logged in, in a browser of their own."""
    from staff import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    services.create_staff_member(username=STAFF_USERNAME, password=STAFF_PASSWORD, display_name="Noor")
    context = chromium.new_context(base_url=shop_url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    desk = context.new_page()
    desk.goto("/staff/")
    desk.get_by_label("Username").fill(STAFF_USERNAME)
    desk.get_by_label("Password").fill(STAFF_PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    expect(desk.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    yield desk
    context.close()


def order_id_on(page):
    return page.get_by_role("heading", name=re.compile(r"^Order SO-")).inner_text().removeprefix("Order ").strip()


def checkout_with(shopper, method):
    shopper.open_shop()
    shopper.buy_now("Espresso cup")
    shopper.fill_checkout()
    methods = shopper.page.get_by_role("group", name="How would you like to pay?")
    # Mollie's page, or one of five methods, Klarna, Riverty; Billie too, disabled without a company name.
    expect(methods.get_by_role("radio")).to_have_count(9)
    expect(methods.get_by_role("radio", name="Pay by invoice for businesses with Billie")).to_be_disabled()
    expect(methods.get_by_role("img")).to_have_count(0)  # pictures are decoration (alt="")
    methods.get_by_role("radio", name=method).check()
    shopper.screenshot("checkout-method-chosen", full_page=False)
    shopper.pay()


def test_pay_with_a_chosen_method_and_staff_see_it(shopper, webhooks_to_the_shop, staff_desk, screenshots):
    checkout_with(shopper, "iDEAL")
    expect(shopper.page.get_by_role("group", name="Payment method")).to_have_count(0)  # chosen already
    shopper.choose_at_mollie("Paid")

    expect(shopper.status_title()).to_have_text("Thank you! Your payment was received.")
    expect(shopper.page.locator("#paid-with")).to_have_text("Paid with iDEAL (ING)")
    order_id = order_id_on(shopper.page)

    staff_desk.goto("/staff/orders/")
    row = staff_desk.locator("#result_list tbody tr").filter(has_text=order_id)
    expect(row).to_contain_text("iDEAL")
    row.get_by_role("link", name=order_id).click()
    expect(staff_desk.locator("#attempts")).to_contain_text("iDEAL")
    expect(staff_desk.locator("#attempts")).to_contain_text("NL69INGB0123456789")
    screenshots(staff_desk, "staff-order-paid-with-ideal")


def test_pay_by_bank_transfer_read_the_instructions_and_the_order_is_paid_days_later(
    shopper, webhooks_to_the_shop, screenshots
):
    checkout_with(shopper, "Bank transfer")
    expect(shopper.page.get_by_role("heading", name="Bank transfer instructions")).to_be_visible()
    shopper.choose_at_mollie("Back to the shop")

    expect(shopper.status_title()).to_have_text("Please transfer the amount to complete your order.")
    instructions = shopper.page.get_by_role("region", name="Bank transfer instructions")
    expect(instructions).to_contain_text("Stichting Mollie Payments")
    expect(instructions).to_contain_text(re.compile(r"RF\d\d-\d{4}-\d{4}-\d{4}"))
    expect(instructions).to_contain_text("€12.50")
    shopper.screenshot("bank-transfer-instructions")

    payment = next(p for p in shopper.sandbox.payments() if p["method"] == "banktransfer")
    shopper.sandbox.advance_clock(3 * 24 * 3600)  # three days later the money arrives
    shopper.sandbox.set_status(payment["id"], "paid")  # Mollie calls the webhook

    from payments.models import Order
    from tests.concurrency import wait_until

    order_id = order_id_on(shopper.page)
    wait_until(lambda: Order.get(order_id, consistent_read=True).status == "paid", timeout=10)
    shopper.page.reload()
    expect(shopper.status_title()).to_have_text("Thank you! Your payment was received.")
    expect(shopper.page.locator("#paid-with")).to_have_text("Paid with bank transfer")
    expect(shopper.page.get_by_role("region", name="Bank transfer instructions")).to_have_count(0)
    shopper.screenshot("bank-transfer-paid")


def test_a_chargeback_flags_the_order_for_staff(shopper, webhooks_to_the_shop, staff_desk, screenshots):
    shopper.open_shop()
    shopper.buy_now("Espresso cup")
    shopper.fill_checkout()
    shopper.pay()
    shopper.choose_at_mollie("Paid")
    expect(shopper.status_title()).to_have_text("Thank you! Your payment was received.")
    order_id = order_id_on(shopper.page)
    payment = shopper.sandbox.payments()[-1]

    shopper.sandbox.chargeback(payment["id"], reason="MD06")  # weeks later; Mollie calls the webhook

    from payments.models import Order
    from tests.concurrency import wait_until

    wait_until(lambda: Order.get(order_id, consistent_read=True).needs_attention, timeout=10)
    staff_desk.goto("/staff/")
    expect(staff_desk.locator('tr[data-status="charged_back"] td.count').first).to_have_text("1")
    staff_desk.get_by_role("link", name=order_id).click()
    expect(staff_desk.get_by_role("alert")).to_contain_text("Charged back: €12.50")
    expect(staff_desk.locator("#chargebacks")).to_contain_text("MD06")
    expect(staff_desk.locator("#timeline").get_by_role("row").filter(has_text="Chargeback")).to_have_count(1)
    screenshots(staff_desk, "staff-order-charged-back")

    # Noor called the shopper and shipped nothing: the matter is handled.
    staff_desk.locator("#chargebacks").get_by_role("link", name="Mark handled…").click()
    staff_desk.get_by_label("Note for the timeline").fill("Called the shopper; nothing was shipped")
    staff_desk.get_by_role("button", name="Mark as handled").click()
    expect(staff_desk.locator("#chargebacks")).to_contain_text("by noor")
    expect(staff_desk.get_by_role("alert")).to_have_count(0)
    handled = staff_desk.locator("#timeline").get_by_role("row").filter(has_text="Chargeback handled")
    expect(handled).to_contain_text("Called the shopper")
    staff_desk.goto("/staff/")
    expect(staff_desk.get_by_text("Nothing needs attention.")).to_be_visible()
    screenshots(staff_desk, "staff-chargeback-handled")


def test_pay_again_with_another_method_after_a_failed_payment(shopper, webhooks_to_the_shop, screenshots):
    checkout_with(shopper, "iDEAL")
    shopper.choose_at_mollie("Failed")
    expect(shopper.status_title()).to_have_text("Your payment did not succeed.")

    methods = shopper.page.get_by_role("group", name="How would you like to pay?")
    methods.get_by_role("radio", name="PayPal").check()
    shopper.screenshot("pay-again-method-chosen", full_page=False)
    shopper.page.get_by_role("button", name="Pay again").click()

    expect(shopper.page.get_by_role("heading", name="Test payment")).to_be_visible()
    assert shopper.sandbox.payments()[-1]["method"] == "paypal"
    shopper.choose_at_mollie("Paid")
    expect(shopper.status_title()).to_have_text("Thank you! Your payment was received.")
