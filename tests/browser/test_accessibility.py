"""Every shop and staff page passes axe-core (WCAG 2.1 A/AA and best practice) on a desktop and a
phone, with their forms' errors shown and the orders in each state a person meets (issue 27).

The orders are made as shoppers make them (the test client, the sandbox and its webhook), then
looked at in Chromium. Screenshots of every page are kept under artifacts/screenshots/.
"""

import re
import secrets

import pytest
import requests
from django.test import Client
from playwright.sync_api import expect

from payments import services as payment_services
from payments.models import Order, PaymentAttempt
from tests.browser.accessibility import AccessibilityAudit
from tests.fixtures.shopper import Shopper as HttpShopper

pytestmark = pytest.mark.browser

STAFF_USERNAME = "ally"
STAFF_PASSWORD = "a screen reader and a phone"


@pytest.fixture(params=["desktop", "phone"])
def device_page(request):
    """The same pages on a desktop and on a phone (375 px, touch)."""
    return request.getfixturevalue("page" if request.param == "desktop" else "phone_page")


@pytest.fixture
def audit(device_page, screenshots):
    return AccessibilityAudit(device_page, screenshots)


def order_path(order):
    return f"/en/orders/{order.order_id}/{order.public_token}/"


def reload(order):
    return Order.get(order.order_id, consistent_read=True)


def new_order(sandbox, outcome=None, *, slug="espresso-cup", quantity=1, email="ada@example.com"):
    """An order placed by a shopper of its own (a fresh session), paid or not at Mollie."""
    shopper = HttpShopper(Client(), sandbox)
    shopper.buy(slug, quantity, email=email)
    if outcome:
        shopper.webhook(shopper.pay_at_mollie(outcome))
    return shopper.last_order()


def bank_transfer(sandbox):
    # A shopper of their own: one e-mail address holds one open transfer at most (transfer_limits).
    order = new_order(sandbox, email="transfer@example.com")
    requests.post(
        order.latest_checkout_url, data={"status": "open", "method": "banktransfer"}, allow_redirects=False, timeout=5
    ).raise_for_status()
    payment_services.sync_attempt(attempt=PaymentAttempt.get(order.order_id, 1), source="staff")
    return reload(order)


def refund(order, cents):
    payment_services.refund_payment(
        order_id=order.order_id, amount_cents=cents, refund_key=secrets.token_hex(16), actor="ally"
    )
    return reload(order)


def charge_back(sandbox, order):
    sandbox.chargeback(order.latest_mollie_payment_id)
    HttpShopper(Client(), sandbox).webhook(order.latest_mollie_payment_id)
    return reload(order)


# --- The shop -----------------------------------------------------------------------------------


def test_shop_pages_have_no_accessibility_violations(audit, device_page, sandbox):
    page = audit.page
    audit.visit("home", "/en/")
    audit.visit("article", "/en/articles/espresso-cup/")
    audit.visit("cart-empty", "/en/cart/")
    audit.visit("article-again", "/en/articles/espresso-cup/")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()
    audit.check("cart")

    page.goto("/en/checkout/")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.check("checkout-empty")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("E-mail address").fill("ada@example")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.check("checkout-wrong-email")

    for outcome in ("paid", "canceled", "failed", "expired", None):
        audit.visit(f"order-{outcome or 'open'}", order_path(new_order(sandbox, outcome)))
    audit.visit("order-awaiting-transfer", order_path(bank_transfer(sandbox)))
    audit.visit("order-partly-refunded", order_path(refund(new_order(sandbox, "paid", quantity=2), 500)))
    audit.visit("not-found", "/en/articles/no-such-thing/", status=404)
    audit.assert_clean()


# --- The staff pages ----------------------------------------------------------------------------


@pytest.fixture
def staff_member(settings):
    from staff import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return services.create_staff_member(username=STAFF_USERNAME, password=STAFF_PASSWORD, display_name="Ally")


@pytest.fixture
def orders_in_every_state(sandbox, pending_refunds):
    """What a shop's order list holds on a busy day."""
    paid = new_order(sandbox, "paid", quantity=2)
    partly_refunded = refund(new_order(sandbox, "paid", quantity=2), 200)  # still pending at Mollie
    charged_back = charge_back(sandbox, refund(new_order(sandbox, "paid", quantity=2), 1000))
    transfer = bank_transfer(sandbox)
    open_order = new_order(sandbox)
    canceled = new_order(sandbox, "canceled")
    return {
        "paid": paid,
        "partly-refunded": partly_refunded,
        "charged-back": charged_back,
        "bank-transfer": transfer,
        "open": open_order,
        "canceled-payment": canceled,
    }


def test_staff_pages_have_no_accessibility_violations(audit, staff_member, orders_in_every_state, settings):
    page = audit.page
    audit.visit("login", "/staff/login/")
    page.get_by_role("button", name="Log in").click()
    audit.check("login-empty")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check("login-wrong-password")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    audit.check("dashboard")

    audit.visit("orders", "/staff/orders/")
    audit.visit("orders-paid", "/staff/orders/?status=paid")
    audit.visit(
        "orders-wrong-filters", "/staff/orders/?created_from=2026-02-02&created_to=2026-02-01&q=what", status=400
    )
    for state, order in orders_in_every_state.items():
        audit.visit(f"order-{state}", f"/staff/orders/{order.order_id}/")

    paid = orders_in_every_state["paid"]
    refund_path = f"/staff/orders/{paid.order_id}/payments/1/refund/"
    audit.visit("refund", refund_path)
    page.get_by_label("Amount").fill("")
    page.get_by_role("button", name="Review the refund…").click()
    audit.check("refund-empty")
    page.get_by_label("Amount").fill("99999")
    page.get_by_role("button", name="Review the refund…").click()
    audit.check("refund-too-much")
    page.get_by_label("Amount").fill("2.00")
    page.get_by_role("button", name="Review the refund…").click()
    expect(page.get_by_role("heading", name="Confirm the refund")).to_be_visible()
    audit.check("refund-confirm")
    page.get_by_role("button", name="No, change it").click()
    expect(page.get_by_label("Amount")).to_have_value("2.00")
    audit.check("refund-changed")
    page.get_by_role("button", name="Review the refund…").click()
    page.get_by_role("button", name=re.compile(r"^Yes, refund")).click()
    expect(page.get_by_text(re.compile(r"^Refund re_\w+ .* was made"))).to_be_visible()
    audit.check("order-after-refund-message")

    open_order = orders_in_every_state["open"]
    audit.visit("order-cancel", f"/staff/orders/{open_order.order_id}/cancel/")
    transfer = orders_in_every_state["bank-transfer"]
    audit.visit("payment-cancel", f"/staff/orders/{transfer.order_id}/payments/1/cancel/")
    charged_back = orders_in_every_state["charged-back"]
    [chargeback] = PaymentAttempt.get(charged_back.order_id, 1).chargebacks
    audit.visit(
        "chargeback-handled",
        f"/staff/orders/{charged_back.order_id}/payments/1/chargebacks/{chargeback.chargeback_id}/handled/",
    )

    audit.visit("catalog", "/staff/articles/")
    audit.visit("article-add", "/staff/articles/add/")
    page.get_by_role("button", name="Save").click()
    audit.check("article-add-empty")
    audit.visit("article-edit", "/staff/articles/espresso-cup/")
    page.get_by_label("Price").fill("lots")
    page.get_by_role("button", name="Save").click()
    audit.check("article-edit-wrong-price")

    settings.EXPORT_DIRECT_MAX_ORDERS = 1
    audit.visit("export-start", "/staff/orders/export.csv")
    page.get_by_role("button", name="Prepare the export").click()
    expect(page.get_by_role("heading", name="Export of orders")).to_be_visible()
    audit.check("export-progress")

    audit.visit("password", "/staff/password/")
    page.get_by_role("button", name="Change my password").click()
    audit.check("password-empty")
    page.locator("#id_current_password").fill(STAFF_PASSWORD)
    page.locator("#id_new_password").fill("short")
    page.locator("#id_new_password_again").fill("shorter")
    page.get_by_role("button", name="Change my password").click()
    audit.check("password-wrong")
    audit.assert_clean()


# --- What axe does not check: the focus ring, wrapping, labels beside their fields ---------------

FOCUS_RING = """() => {
  const element = document.activeElement;
  if (element === document.body) return null;  // past the last link, before the first
  const style = getComputedStyle(element);
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const offset = parseFloat(style.outlineOffset) || 0;
  return {
    element: element.outerHTML.slice(0, 80),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth) || 0,
    ring: style.outlineColor,
    // Drawn outside the element (offset >= 0): against what is behind it; inside: its own colour.
    behind: background(offset >= 0 ? element.parentElement : element),
  };
}"""


def contrast(first, second):
    def luminance(colour):
        red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def log_in(page):
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def test_every_focus_ring_stands_out_by_three_to_one(page, staff_member, sandbox):
    order = charge_back(sandbox, new_order(sandbox, "paid"))
    log_in(page)
    weak = []
    for path in ("/staff/orders/", f"/staff/orders/{order.order_id}/"):
        page.goto(path)
        for _ in range(30):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring and (ring["style"] == "none" or ring["width"] < 2 or contrast(ring["ring"], ring["behind"]) < 3):
                weak.append(ring)
    assert weak == [], "focus rings under 2 px or 3:1"


def test_order_numbers_and_dates_stay_on_one_line(device_page, staff_member, sandbox):
    new_order(sandbox, "paid")
    log_in(device_page)
    device_page.goto("/staff/orders/")
    cells = device_page.locator("#result_list tbody th a, #result_list tbody time")
    expect(cells).to_have_count(2)
    lines = cells.evaluate_all("elements => elements.map(element => element.getClientRects().length)")
    assert lines == [1, 1]


def test_on_a_phone_each_filter_label_sits_above_its_own_field(phone_page, staff_member):
    log_in(phone_page)
    phone_page.goto("/staff/orders/")
    for label in ("Status", "Placed from", "Placed until"):
        caption = phone_page.locator("#changelist-search label", has_text=re.compile(f"^{label}$")).bounding_box()
        field = phone_page.get_by_label(label, exact=True).bounding_box()
        assert caption and field
        assert field["y"] >= caption["y"] + caption["height"] - 1, f"{label}: the field is not below its label"
        assert abs(field["x"] - caption["x"]) <= 2, f"{label}: the field does not start under its label"
