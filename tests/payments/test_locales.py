"""The order's language and the `locale` its Mollie payment gets (payments/locales.py): every shop
language for every country the shop ships to, and whatever else reaches it, is a locale Mollie takes."""

import itertools

import pytest
from django.utils import translation

from payments.locales import (
    LANGUAGE_LOCALES,
    MOLLIE_LOCALES,
    SHOP_LANGUAGES,
    active_language,
    mollie_locale,
    shop_language,
)
from shop.shipping import DEFAULT_ZONES

pytestmark = pytest.mark.pure

# The shop's default zones, and Switzerland, where staff may add a zone.
SHIPPED_TO = sorted({country for zone in DEFAULT_ZONES for country in zone["countries"]} | {"CH"})

EXPECTED = {
    "en": {"NL": "en_NL", "BE": "en_BE", "DE": "en_GB", "FR": "en_GB", "AT": "en_GB", "LU": "en_GB", "CH": "en_GB"},
    "nl": {"NL": "nl_NL", "BE": "nl_BE", "DE": "nl_NL", "FR": "nl_NL", "AT": "nl_NL", "LU": "nl_NL", "CH": "nl_NL"},
    "de": {"NL": "de_DE", "BE": "de_DE", "DE": "de_DE", "FR": "de_DE", "AT": "de_AT", "LU": "de_LU", "CH": "de_CH"},
    # Mollie has no fr_CH (specs.yaml, components.schemas.locale): French in Switzerland is fr_FR.
    "fr": {"NL": "fr_FR", "BE": "fr_BE", "DE": "fr_FR", "FR": "fr_FR", "AT": "fr_FR", "LU": "fr_LU", "CH": "fr_FR"},
}


def test_the_table_covers_every_language_and_every_country_shipped_to():
    assert sorted(EXPECTED) == sorted(SHOP_LANGUAGES)
    assert all(sorted(row) == SHIPPED_TO for row in EXPECTED.values())


@pytest.mark.parametrize("language, country", list(itertools.product(SHOP_LANGUAGES, SHIPPED_TO)))
def test_each_language_in_each_country_gets_its_locale(language, country):
    assert mollie_locale(language, country) == EXPECTED[language][country]
    assert mollie_locale(language, country) in MOLLIE_LOCALES


def test_a_belgian_shopper_gets_belgian_french_or_belgian_dutch():
    assert mollie_locale("fr", "BE") == "fr_BE"
    assert mollie_locale("nl", "BE") == "nl_BE"


@pytest.mark.parametrize(
    "language, country",
    [
        ("nl", None),  # an order from before addresses
        ("fr", ""),
        ("en", "US"),
        ("de", "PL"),
        ("nl", "nl"),  # lower case, as nobody stores it, still Dutch in the Netherlands
        ("es", "ES"),  # a language the shop does not speak: the default language's locale
        (None, "BE"),
        ("nl_NL_formal", "NL"),  # what broke Mollie's WooCommerce plugin (mollie/WooCommerce#57)
        ("x" * 200, "X" * 200),
    ],
)
def test_anything_else_still_gets_a_locale_mollie_accepts(language, country):
    assert mollie_locale(language, country) in MOLLIE_LOCALES


def test_every_fallback_locale_is_one_mollie_accepts():
    assert set(LANGUAGE_LOCALES) == set(SHOP_LANGUAGES)
    assert set(LANGUAGE_LOCALES.values()) <= MOLLIE_LOCALES


def test_the_list_is_within_what_the_sandbox_accepts():
    from mollie_sandbox.validation import LOCALES

    assert MOLLIE_LOCALES <= LOCALES


@pytest.mark.parametrize(
    "code, expected",
    [
        ("nl", "nl"),
        ("nl-be", "nl"),
        ("de_AT", "de"),
        ("FR", "fr"),
        ("en-us", "en"),
        ("es", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_a_language_code_becomes_one_the_shop_speaks(code, expected):
    assert shop_language(code) == expected


def test_the_active_language_is_the_one_the_request_runs_in():
    with translation.override("nl-be"):
        assert active_language() == "nl"
    with translation.override("pt"):
        assert active_language() == "en"


def test_the_default_language_follows_language_code(settings):
    settings.LANGUAGE_CODE = "de"
    assert shop_language("es") == "de"
    assert mollie_locale("es", "AT") == "de_AT"
