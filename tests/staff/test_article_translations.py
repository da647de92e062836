"""Staff translate an article on its form (issue 31): a name and description per language, the
default language required and the others optional, and what is still missing said in words on
the form and in the catalog."""

import re

import pytest

from shop.models import Article

NEW_ARTICLE = {
    "slug": "travel-mug",
    "name": "Travel mug",
    "description": "Keeps coffee hot.",
    "price": "19.95",
    "currency": "EUR",
    "stock": "30",
    "active": "on",
    "picture": "shop/articles/espresso-cup.svg",
}
NO_TRANSLATIONS = {f"{part}_{code}": "" for code in ("nl", "de", "fr") for part in ("name", "description")}


def legend(page, language):
    """The text of a language's group on the form, as a screen reader announces it."""
    found = re.search(rf"<legend>{language}: <span[^>]*>([^<]*)</span></legend>", page)
    assert found, f"no group for {language}"
    return found.group(1)


def catalog_row(page, name):
    row = next(row for row in page.split("<tr") if f">{name}</a>" in row)
    return re.sub(r"<[^>]+>", " ", row)


def test_add_an_article_with_a_dutch_translation_only(staff_client, catalog):
    response = staff_client.post(
        "/staff/articles/add/",
        {**NEW_ARTICLE, **NO_TRANSLATIONS, "name_nl": "Reisbeker", "description_nl": "Houdt je koffie warm."},
    )

    assert response.status_code == 302
    article = Article.get("travel-mug")
    assert article.stored_translations() == {"nl": {"name": "Reisbeker", "description": "Houdt je koffie warm."}}
    assert article.missing_translations() == {"de": ["name", "description"], "fr": ["name", "description"]}


def test_the_edit_form_shows_each_translation_and_what_is_missing(staff_client, catalog):
    Article.get("espresso-cup").update(
        actions=[Article.translations.set({"nl": {"name": "Espressokopje", "description": ""}})]
    )

    page = staff_client.get("/staff/articles/espresso-cup/").content.decode()

    assert '<label for="id_name_nl">Name (Dutch):</label>' in page
    assert 'name="name_nl"' in page and 'value="Espressokopje"' in page
    assert legend(page, "Dutch") == "missing description"
    assert legend(page, "German") == "missing name and description"
    assert (
        "Missing translations:</strong> Dutch: description; German: name and description; French: name and description."
        in page
    )


def test_a_fully_translated_article_says_so(staff_client, catalog):
    page = staff_client.get("/staff/articles/coffee-beans/").content.decode()  # seeded with every language

    assert [legend(page, language) for language in ("Dutch", "German", "French")] == ["complete"] * 3
    assert "Every language has its name and description." in page
    assert "Koffiebonen, 250 g" in page and "Café en grains, 250 g" in page


def test_the_catalog_lists_the_missing_translations_in_words(staff_client, catalog):
    Article.get("linen-apron").update(
        actions=[Article.translations.set({"de": {"name": "Leinenschürze", "description": ""}})]
    )

    page = staff_client.get("/staff/articles/").content.decode()

    assert '<th scope="col">Translations</th>' in page
    assert "Missing: Dutch: name and description; German: description; French: name and description" in catalog_row(
        page, "Linen apron"
    )
    assert "complete" in catalog_row(page, "Espresso cup")


def test_editing_changes_adds_and_removes_translations(staff_client, catalog):
    form = {
        **NEW_ARTICLE,
        "slug": "espresso-cup",
        "name": "Espresso cup",
        "stock": "40",
        "stock_shown": "40",
        "name_nl": "Espressokopje, blauw",
        "description_nl": "Blauw geglazuurd.",
        "name_de": "",
        "description_de": "",
        "name_fr": "Tasse à expresso",
        "description_fr": "",
    }

    response = staff_client.post("/staff/articles/espresso-cup/", form)

    assert response.status_code == 302
    stored = Article.get("espresso-cup").stored_translations()
    assert stored == {
        "nl": {"name": "Espressokopje, blauw", "description": "Blauw geglazuurd."},
        "fr": {"name": "Tasse à expresso", "description": ""},
    }
    assert Article.get("espresso-cup").name == "Espresso cup"  # the default language's name is its own


def test_a_form_opened_before_translations_existed_keeps_them(staff_client, catalog):
    """An edit posted without the language fields (a page opened before the release) changes the
    price and leaves the translations as they are."""
    form = {**NEW_ARTICLE, "name": "Espresso cup", "price": "13.00", "stock": "40", "stock_shown": "40"}

    assert staff_client.post("/staff/articles/espresso-cup/", form).status_code == 302

    article = Article.get("espresso-cup")
    assert article.price_cents == 1300
    assert article.text_in("nl").name == "Espressokopje"


@pytest.mark.parametrize(
    "changes, field, error",
    [
        (
            {"description_de": "Eine Tasse."},
            "name_de",
            "Enter the German name too, or leave the German description empty",
        ),
        ({"name_fr": "x" * 101}, "name_fr", "Ensure this value has at most 100 characters (it has 101)."),
        ({"name_nl": "Reisbeker\nGRATIS"}, "name_nl", "Please keep this on one line"),
        ({"description_nl": "Warm\x1b[2J"}, "description_nl", "Please remove the special control characters"),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_translations_are_refused_with_an_error_linked_to_the_field(staff_client, catalog, changes, field, error):
    response = staff_client.post("/staff/articles/add/", {**NEW_ARTICLE, **NO_TRANSLATIONS, **changes})

    page = response.content.decode()
    assert response.status_code == 422
    assert error in page
    assert f'<a href="#id_{field}">' in page  # the error summary leads to the field
    assert Article.count("travel-mug") == 0


def test_staff_pages_show_the_stored_article_whatever_the_browsers_language(staff_client, catalog):
    page = staff_client.get("/staff/articles/espresso-cup/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert '<input type="text" name="name" value="Espresso cup"' in page
    assert '<input type="text" name="name_nl" value="Espressokopje"' in page
    assert "<h1>Change article</h1>" in page
