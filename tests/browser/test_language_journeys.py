"""The shop in the shopper's language, in Chromium (docs/i18n.md): a Dutch browser lands in the
Dutch shop and buys there through to the paid page; the language switcher changes the page and
the choice sticks; every Dutch page passes axe-core on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from shop.services import DEMO_ARTICLES
from tests.browser.accessibility import AccessibilityAudit
from tests.shop.test_languages import ENGLISH_WORDS, OWN_WORDS

pytestmark = pytest.mark.browser


def english_on(page, language):
    text = page.locator("body").inner_text()
    # The demo articles' names and descriptions are staff's data, the same in every language.
    same = [row[1] for row in DEMO_ARTICLES] + [row[2] for row in DEMO_ARTICLES]
    same += ["Brew & Co.", "Keizersgracht 1", "Ada Lovelace", "ada@example.com"]
    for value in sorted(same, key=len, reverse=True):
        text = text.replace(value, " ")
    return sorted(set(re.findall(r"[^\W\d_]+", text.lower())) & (ENGLISH_WORDS - OWN_WORDS[language]))


def test_a_dutch_phone_buys_in_dutch_from_the_shop_page_to_the_paid_page(phone_page, sandbox, screenshots):
    page = phone_page  # its browser asks for Dutch
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/nl/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Koffiespullen die lang meegaan")
    assert english_on(page, "nl") == []

    page.get_by_role("button", name="Espressokopje In winkelwagen").click()  # the article in Dutch too
    expect(page.get_by_role("heading", name="Uw winkelwagen", level=1)).to_be_visible()
    expect(page.locator("#cart-total")).to_contain_text("€\u00a0")
    assert english_on(page, "nl") == []
    page.get_by_role("link", name="Afrekenen").click()
    page.get_by_role("button", name=re.compile(r"^€\s?[\d,]+ betalen$")).click()
    expect(page.locator("#error-summary")).to_contain_text("Vul uw volledige naam in.")
    assert english_on(page, "nl") == []
    page.get_by_label("Volledige naam").fill("Ada Lovelace")
    page.get_by_label("E-mailadres").fill("ada@example.com")
    page.get_by_label("Straat en huisnummer", exact=True).fill("Keizersgracht 1")
    page.get_by_label("Postcode", exact=True).fill("1015 AA")
    page.get_by_label("Plaats", exact=True).fill("Amsterdam")
    page.get_by_label("Land", exact=True).select_option("NL")
    page.get_by_role("button", name=re.compile(r" betalen$")).click()

    page.locator('button[name="status"][value="paid"]').click()  # the sandbox's hosted checkout
    page.wait_for_url(re.compile(r"/nl/orders/SO-[0-9A-F-]+/[^/]+/$"))
    expect(page.locator("#status-title")).to_have_text("Hartelijk dank! Uw betaling is ontvangen.")
    assert english_on(page, "nl") == []
    screenshots(page, "paid-in-dutch")


def test_the_switcher_changes_the_page_and_the_choice_sticks(page):
    page.goto("/en/articles/espresso-cup/")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change").click()

    expect(page).to_have_url(re.compile(r"/de/articles/espresso-cup/$"))
    expect(page.get_by_role("button", name="In den Warenkorb")).to_be_visible()
    expect(page.get_by_label("Sprache")).to_have_value("de")
    page.goto("/cart/")  # an address without a language: the cookie decides
    expect(page).to_have_url(re.compile(r"/de/cart/$"))
    expect(page.get_by_role("heading", name="Ihr Warenkorb", level=1)).to_be_visible()


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_dutch_and_french_pages_have_no_accessibility_violations(request, device, screenshots):
    audit = AccessibilityAudit(request.getfixturevalue(device), screenshots)
    for language in ("nl", "fr"):
        audit.visit(f"{language}-home", f"/{language}/")
        audit.visit(f"{language}-article", f"/{language}/articles/espresso-cup/")
        audit.visit(f"{language}-cart-empty", f"/{language}/cart/")
        audit.visit(f"{language}-privacy", f"/{language}/pages/privacy/")
        audit.visit(f"{language}-not-found", f"/{language}/articles/no-such-thing/", status=404)
    audit.assert_clean()
