"""An article's name and description in the shop's languages (shop/models.py): what is stored,
what a shopper in each language reads, and that the default language fills every gap. Pure: the
items are serialized as DynamoDB would store them, without DynamoDB."""

from datetime import UTC, datetime

import pytest

from shop.models import Article, ArticleText, DisplayCopyNotSaved, missing_parts
from shop.services import DEMO_ARTICLES, DEMO_TRANSLATIONS, merged_translations

pytestmark = pytest.mark.pure

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def cup(translations=None):
    return Article(
        "espresso-cup",
        name="Espresso cup",
        description="Stoneware cup for a double espresso.",
        price_cents=1250,
        position="000000",
        created_at=NOW,
        updated_at=NOW,
        translations=translations,
    )


def stored_and_read(article):
    """The article through DynamoDB's item format and back, as a GetItem would return it."""
    return Article.from_raw_data(article.serialize())


def test_translations_survive_being_stored_and_read_back():
    dutch = {"nl": {"name": "Espressokopje", "description": "Kopje van steengoed."}}

    article = stored_and_read(cup(dutch))

    assert article.stored_translations() == dutch
    assert article.text_in("nl") == ArticleText("Espressokopje", "Kopje van steengoed.")
    assert article.slug == "espresso-cup"  # one slug in every language


def test_an_article_stored_before_translations_reads_the_same_in_every_language():
    old_item = {
        "slug": {"S": "espresso-cup"},
        "name": {"S": "Espresso cup"},
        "description": {"S": "Stoneware cup."},
        "price_cents": {"N": "1250"},
        "position": {"S": "000000"},
    }

    article = Article.from_raw_data(old_item)

    assert article.stored_translations() == {}
    for language in ("en", "nl", "de", "fr", None):
        assert article.text_in(language) == ArticleText("Espresso cup", "Stoneware cup.")
        assert article.in_language(language) is article  # nothing differs: no copy


@pytest.mark.parametrize(
    "language, expected",
    [
        ("nl", ArticleText("Espressokopje", "Stoneware cup for a double espresso.")),  # no Dutch description
        ("nl-be", ArticleText("Espressokopje", "Stoneware cup for a double espresso.")),  # a variant: its language
        ("de", ArticleText("Espressotasse", "Tasse aus Steinzeug.")),
        ("fr", ArticleText("Espresso cup", "Stoneware cup for a double espresso.")),  # no French at all
        ("en", ArticleText("Espresso cup", "Stoneware cup for a double espresso.")),
    ],
)
def test_each_part_falls_back_to_the_default_language_on_its_own(language, expected):
    article = stored_and_read(
        cup(
            {
                "nl": {"name": "Espressokopje", "description": ""},
                "de": {"name": "Espressotasse", "description": "Tasse aus Steinzeug."},
            }
        )
    )

    assert article.text_in(language) == expected


def test_the_copy_a_shopper_sees_is_never_written_over_the_stored_article():
    article = cup({"nl": {"name": "Espressokopje", "description": "Kopje van steengoed."}})

    dutch = article.in_language("nl")

    assert (dutch.name, dutch.description, dutch.price_cents) == ("Espressokopje", "Kopje van steengoed.", 1250)
    assert (article.name, article.shown_in) == ("Espresso cup", None)  # the stored one is unchanged
    with pytest.raises(DisplayCopyNotSaved):
        dutch.save()
    with pytest.raises(DisplayCopyNotSaved):
        dutch.update(actions=[Article.name.set("Espressokopje")])


def test_missing_translations_name_each_language_and_what_it_lacks():
    article = cup({"nl": {"name": "Espressokopje", "description": ""}, "de": {"name": "Tasse", "description": "Eine."}})

    assert article.missing_translations() == {"nl": ["description"], "fr": ["name", "description"]}


def test_a_description_is_missing_only_when_the_default_language_has_one():
    assert missing_parts({"name": "Kopje"}, default_description="") == []
    assert missing_parts({}, default_description="") == ["name"]
    assert missing_parts({"name": "Kopje"}, default_description="A cup.") == ["description"]


def test_merging_keeps_languages_not_given_removes_those_given_as_none_and_drops_nameless_ones():
    stored = {"nl": {"name": "Kopje", "description": ""}, "de": {"name": "Tasse", "description": ""}}

    merged = merged_translations(stored, {"de": None, "fr": {"name": "Tasse", "description": "Une."}, "nl": {}})

    assert merged == {"fr": {"name": "Tasse", "description": "Une."}}
    assert merged_translations(stored, None) == stored


def test_every_demo_article_has_dutch_german_and_french_names_and_descriptions():
    for slug, *_ in DEMO_ARTICLES:
        assert set(DEMO_TRANSLATIONS[slug]) == {"nl", "de", "fr"}
        assert all(name and description for name, description in DEMO_TRANSLATIONS[slug].values())
