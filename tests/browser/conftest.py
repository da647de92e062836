"""Browser journeys: Debian's Chromium, driven by Playwright, against the live Django server, moto
and the Mollie sandbox with its hosted checkout page. Every server listens on 127.0.0.1.

Without /usr/bin/chromium these tests are skipped with a reason; the rest of the suite runs as
usual. (The playwright package itself comes with requirements-dev.txt.)
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which floods a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Bounded waits: long enough for a slow CI machine, short enough to fail a journey quickly.
EXPECT_TIMEOUT_MS = 15_000
ACTION_TIMEOUT_MS = 15_000
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
# A Dutch phone: its first visit to "/" opens the Dutch shop (Accept-Language); journeys start at /en/.
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "nl-NL"}

# The live server must be reachable on loopback only, under a host that ALLOWED_HOSTS knows.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets the page fixture see whether the test failed, to keep a screenshot of the last page.
    report = yield
    if report.when == "call":
        item.journey_failed = report.failed
    return report


@pytest.fixture
def transactional_db():
    """pytest-django's live_server asks for a flushed SQL database after each test; we have none
    (DATABASES is empty), and every test already gets fresh DynamoDB tables."""


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def shop_url(live_server, sandbox, catalog, settings):
    """The live shop with the demo catalog, paying through the sandbox.

    Mollie's webhookUrl and redirectUrl are built from PUBLIC_BASE_URL: pointing it at the live
    server makes the sandbox deliver webhooks to it and send the shopper back to it.
    """
    settings.PUBLIC_BASE_URL = live_server.url
    # Without a webhook (a loopback shop sends none), the open page's poll pulls from Mollie, at
    # most once per interval and order: 1 s here, so a journey waits for the page's first poll
    # (2 s), not 10 s (tests/perf and tests/payments/test_contention.py hold the interval itself).
    settings.STATUS_PULL_INTERVAL_SECONDS = 1
    return live_server.url


@pytest.fixture
def screenshots(request):
    """`screenshots("cart")` saves artifacts/screenshots/<test>/NN-cart.png of the current page."""
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = []

    def take(page, name, *, full_page=True):
        taken.append(name)
        path = folder / f"{len(taken):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    take.folder = folder
    return take


def _open_page(chromium, request, shop_url, screenshots, device):
    context = chromium.new_context(base_url=shop_url, **device)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    # Whatever the Content-Security-Policy blocks, Chromium reports on the console.
    page.policy_violations = []
    page.on(
        "console",
        lambda message: (
            page.policy_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
        if getattr(request.node, "journey_failed", False):
            screenshots(page, "failure")
    finally:
        context.close()
    assert page.script_errors == [], "JavaScript errors on the page"
    assert page.policy_violations == [], "blocked by the Content-Security-Policy"


@pytest.fixture
def page(chromium, request, shop_url, screenshots):
    """A fresh desktop-sized browser tab (own cookies) on the live shop."""
    yield from _open_page(chromium, request, shop_url, screenshots, DESKTOP)


@pytest.fixture
def phone_page(chromium, request, shop_url, screenshots):
    """A fresh phone-sized tab (375 × 740, touch, Dutch) on the live shop."""
    yield from _open_page(chromium, request, shop_url, screenshots, PHONE)


@pytest.fixture
def shopper(page, sandbox, screenshots):
    return Shopper(page, sandbox, screenshots)


@pytest.fixture
def phone_shopper(phone_page, sandbox, screenshots):
    return Shopper(phone_page, sandbox, screenshots)


class Shopper:
    """What a person does in the shop, in their words; each step waits for what the page shows."""

    def __init__(self, page, sandbox, screenshots):
        self.page = page
        self.sandbox = sandbox
        self.screenshot = lambda name, **options: screenshots(page, name, **options)

    def open_shop(self):
        from playwright.sync_api import expect

        self.page.goto("/en/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Coffee gear, made to last")

    def buy_now(self, article):
        from playwright.sync_api import expect

        self.page.get_by_role("button", name=f"Buy {article}").click()
        expect(self.page.get_by_role("heading", name="Checkout", level=1)).to_be_visible()

    def add_to_cart(self, article):
        from playwright.sync_api import expect

        self.page.get_by_role("button", name=f"Add {article} to cart").click()
        expect(self.page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()

    def fill_checkout(self, *, name="Ada Lovelace", email="ada@example.com", phone="", page=None):
        """Name, e-mail and a Dutch delivery address, as browser autofill would (in `page`, another
        tab of the same browser, where given)."""
        page = page or self.page
        page.get_by_label("Full name").fill(name)
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Street and house number", exact=True).fill("Keizersgracht 1")
        page.get_by_label("Postal code", exact=True).fill("1015 AA")
        page.get_by_label("City", exact=True).fill("Amsterdam")
        page.get_by_label("Country", exact=True).select_option("NL")
        if phone:
            page.get_by_label("Phone number (optional)").fill(phone)

    def pay(self):
        """Submits the checkout form; lands on the sandbox's hosted checkout page."""
        from playwright.sync_api import expect

        self.page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        expect(self.page.get_by_role("heading", name="Test payment")).to_be_visible()

    def choose_at_mollie(self, outcome):
        """Picks the outcome on Mollie's (the sandbox's) page; Mollie sends the shopper back."""
        from playwright.sync_api import expect

        expect(self.page.get_by_role("button", name=outcome, exact=True)).to_be_visible()
        self.page.get_by_role("button", name=outcome, exact=True).click()
        self.page.wait_for_url(re.compile(r"/en/orders/SO-[0-9A-F-]+/[^/]+/$"))

    def buy_two_cups_and_pay(self, *, name="Ada Lovelace", email="ada@example.com"):
        """Two espresso cups (€25.00) through the cart, paid at Mollie; returns the order number."""
        from playwright.sync_api import expect

        self.open_shop()
        self.add_to_cart("Espresso cup")
        self.page.get_by_label("Quantity of Espresso cup").fill("2")
        self.page.get_by_role("button", name="Update quantity of Espresso cup").click()
        expect(self.cart_total()).to_have_text("€25.00")
        self.page.get_by_role("link", name="Checkout").click()
        self.fill_checkout(name=name, email=email)
        self.pay()
        self.choose_at_mollie("Paid")
        expect(self.status_title()).to_have_text("Thank you! Your payment was received.")
        heading = self.page.get_by_role("heading", name=re.compile(r"^Order SO-"))
        return heading.inner_text().removeprefix("Order ").strip()

    def status_title(self):
        """The thank-you page's headline: what the shopper is told about the payment."""
        return self.page.locator("#status-title")

    def cart_link(self):
        return self.page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Cart"))

    def cart_total(self):
        return self.page.locator("#cart-total")
