"""The staff article form with its translations, in Chromium: each language is a group whose name
says what it still lacks (what a screen reader announces), a description without its name is
refused with the error linked, and axe-core (WCAG 2.1 AA) finds nothing on the catalog or the form."""

import re

import pytest
from playwright.sync_api import expect

from shop.models import Article
from tests.browser.test_shipping_journey import STAFF_PASSWORD, STAFF_USERNAME, packer  # noqa: F401
from tests.browser.test_shipping_pages_axe import STAFF_LAYOUT, assert_no_violations

pytestmark = pytest.mark.browser


def test_staff_translate_an_article_and_the_form_passes_axe(page, packer, screenshots):  # noqa: F811
    Article.get("espresso-cup").update(
        actions=[Article.translations.set({"nl": {"name": "Espressokopje", "description": ""}})]
    )
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto("/staff/articles/")
    cup_row = page.get_by_role("row", name=re.compile("Espresso cup"))
    expect(cup_row).to_contain_text("Missing: Dutch: description; German: name and description")
    assert_no_violations(page, "catalog with missing translations", context=STAFF_LAYOUT)

    cup_row.get_by_role("link", name="Espresso cup").click()
    expect(page.get_by_role("group", name="Dutch: missing description")).to_be_visible()
    expect(page.get_by_role("group", name="German: missing name and description")).to_be_visible()
    screenshots(page, "article-translations-missing")
    assert_no_violations(page, "article form with missing translations", context=STAFF_LAYOUT)

    page.get_by_label("Description (German)").fill("Tasse aus Steinzeug.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-summary")).to_contain_text("Name (German): Enter the German name too")
    assert_no_violations(page, "article form with a German description but no name", context=STAFF_LAYOUT)

    page.get_by_role("link", name=re.compile(r"^Name \(German\)")).click()  # the summary leads to the field
    expect(page.get_by_label("Name (German)")).to_be_focused()
    page.get_by_label("Name (German)").fill("Espressotasse")
    page.get_by_label("Description (Dutch)").fill("Kopje van steengoed.")
    page.get_by_label("Name (French)").fill("Tasse à expresso")
    page.get_by_label("Description (French)").fill("Tasse en grès.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Espresso cup” was changed.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Espresso cup"))).to_contain_text("complete")

    page.get_by_role("link", name="Espresso cup").click()
    expect(page.get_by_role("group", name="French: complete")).to_be_visible()
    expect(page.locator("#translations-summary")).to_have_text("Every language has its name and description.")
    assert Article.get("espresso-cup").text_in("de").name == "Espressotasse"
