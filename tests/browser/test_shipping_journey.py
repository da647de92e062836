"""A parcel's journey in a real browser, on a desktop and on a phone: a Dutch shopper buys a cup
(21% VAT) and coffee beans (9%), sees the shipping cost, pays; Mollie (the sandbox) holds the
payment's lines and addresses; staff ship the cup, then the beans; the shopper gets two mails,
each with a tracking link, and the order page says "Shipped"."""

import re

import pytest
from playwright.sync_api import expect

from devstack.mailbox import sent_mails
from tests.browser.test_staff_journey import STAFF_PASSWORD, STAFF_USERNAME
from tests.concurrency import wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def packer(settings):
    """The staff member who packs and ships."""
    from staff import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return services.create_staff_member(username=STAFF_USERNAME, password=STAFF_PASSWORD, display_name="Mia")


@pytest.fixture(params=["desktop", "phone"])
def buyer(request, shipping_zones):
    page = request.getfixturevalue("page" if request.param == "desktop" else "phone_page")
    return request.getfixturevalue("shopper" if request.param == "desktop" else "phone_shopper"), page


def ship(desk, order_id, *, cups, beans, carrier, tracking):
    desk.get_by_role("navigation", name="Staff").get_by_role("link", name="To ship").click()
    desk.get_by_role("link", name=f"Packing slip for {order_id}").click()
    expect(desk.locator("#ship-to")).to_contain_text("1015 AA Amsterdam")
    if cups is not None:
        desk.get_by_label(re.compile(r"^Espresso cup")).fill(str(cups))
    if beans is not None:
        desk.get_by_label(re.compile(r"^Coffee beans")).fill(str(beans))
    desk.get_by_label("Carrier").select_option(label=carrier)
    desk.get_by_label("Tracking number").fill(tracking)
    desk.get_by_role("button", name="Mark shipped and e-mail the customer").click()
    expect(desk.get_by_role("status")).to_contain_text("the customer was e-mailed")


def test_a_dutch_order_ships_in_two_parcels_with_two_tracking_mails(
    buyer,
    sandbox,
    packer,
    chromium,
    shop_url,
    local_aws,
    screenshots,
):
    shopper, page = buyer
    shopper.open_shop()
    shopper.add_to_cart("Espresso cup")
    shopper.open_shop()
    shopper.add_to_cart("Coffee beans, 250 g")
    expect(page.locator("#shipping-cost")).to_contain_text(re.compile(r"4[.,]95"))  # € 4,95 on the Dutch phone
    page.get_by_role("link", name="Checkout").click()
    shopper.fill_checkout(phone="06 12345678")
    expect(page.locator("#cart-totals")).to_contain_text("VAT 9%")
    screenshots(page, "checkout-with-address")
    shopper.pay()

    payment = sandbox.payments()[-1]
    assert [(line["type"], line["vatRate"]) for line in payment["lines"]] == [
        ("physical", "21.00"),
        ("physical", "9.00"),
        ("shipping_fee", "21.00"),
    ]
    assert payment["shippingAddress"]["postalCode"] == "1015 AA"
    assert payment["billingAddress"]["phone"] == "+31612345678"
    assert payment["amount"]["value"] == "26.40"  # 12.50 + 8.95 + 4.95

    shopper.choose_at_mollie("Paid")
    expect(page.locator("#delivery-address")).to_contain_text("Keizersgracht 1")
    order_id = page.get_by_role("heading", name=re.compile(r"^Order SO-")).inner_text().removeprefix("Order ").strip()

    staff = chromium.new_context(base_url=shop_url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        desk = staff.new_page()
        desk.goto("/staff/login/")
        desk.get_by_label("Username").fill(STAFF_USERNAME)
        desk.get_by_label("Password").fill(STAFF_PASSWORD)
        desk.get_by_role("button", name="Log in").click()
        ship(desk, order_id, cups=1, beans=0, carrier="PostNL", tracking="3SBREW0001")
        screenshots(desk, "packing-slip-partly-shipped")
        ship(desk, order_id, cups=None, beans=1, carrier="DHL", tracking="JJD0002")
        expect(desk.get_by_role("button", name="Mark shipped and e-mail the customer")).to_have_count(0)
    finally:
        staff.close()

    subject = f"Your order {order_id} is on its way"
    mails = wait_until(
        lambda: (
            (found := [m for m in sent_mails(local_aws.endpoint_url, subject_contains=subject) if m.subject == subject])
            and len(found) == 2
            and found
        ),
        timeout=15,
        what="two shipping mails",
    )
    texts = " ".join(mail.text for mail in mails)
    assert "https://jouw.postnl.nl/track-and-trace/3SBREW0001-NL-1015AA" in texts
    assert "tracking-id=JJD0002" in texts

    page.reload()
    expect(page.locator("#shipments-heading")).to_have_text("Shipped")
    expect(page.locator("#shipments")).to_contain_text("3SBREW0001")
    screenshots(page, "order-shipped")
