"""Prices in the page's language: shop/money.py."""

import pytest
from django.utils import translation

from shop.money import format_money

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "€1,234.50"),
        ("nl", "€\u00a01.234,50"),
        ("de", "1.234,50\u00a0€"),
        ("fr", "1\u202f234,50\u00a0€"),
        ("sv", "1\u00a0234,50\u00a0€"),
        ("ja", "€1,234.50"),  # a language we have no style for reads the English way
    ],
)
def test_amount_follows_the_active_language(language, expected):
    with translation.override(language):
        assert format_money(123450, "EUR") == expected
    assert format_money(123450, "EUR", language=language) == expected


def test_amounts_as_cldr_writes_them_in_the_shops_languages():
    # The table is CLDR's: Babel (a development dependency) formats the same, sign and all.
    babel_numbers = pytest.importorskip("babel.numbers")
    for language in ("en", "nl", "de", "fr"):
        for cents in (5, 1250, 123450, -1250, 100_000_000):
            expected = babel_numbers.format_currency(cents / 100, "EUR", locale=language)
            assert format_money(cents, "EUR", language=language) == expected, language


def test_negative_amounts_and_unknown_currencies():
    assert format_money(-1250, "EUR", language="en") == "-€12.50"
    assert format_money(-1250, "EUR", language="nl") == "€\u00a0-12,50"
    assert format_money(-1250, "EUR", language="de") == "-12,50\u00a0€"
    assert format_money(1250, "CHF", language="en") == "CHF\u00a012.50"
    assert format_money(1250, "CHF", language="de") == "12,50\u00a0CHF"
    with translation.override("en"):
        assert format_money(5, "EUR") == "€0.05"
