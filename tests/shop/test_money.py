"""Prices in the shopper's language: shop/money.py."""

import pytest

from shop.money import format_money, preferred_language

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    "accept_language, expected",
    [
        ("", "€1,234.50"),
        ("en-GB,en;q=0.9", "€1,234.50"),
        ("nl-NL,nl;q=0.9,en;q=0.8", "€\u00a01.234,50"),
        ("de-DE", "1.234,50\u00a0€"),
        ("fr-FR,fr;q=0.9", "1\u202f234,50\u00a0€"),
        ("sv", "1\u00a0234,50\u00a0€"),
        ("ja", "€1,234.50"),  # a language we have no style for reads the English way
    ],
)
def test_amount_is_written_the_shoppers_way(accept_language, expected):
    assert format_money(123450, "EUR", accept_language=accept_language) == expected


def test_negative_amounts_and_unknown_currencies():
    assert format_money(-1250, "EUR", accept_language="en") == "-€12.50"
    assert format_money(-1250, "EUR", accept_language="nl") == "€\u00a0-12,50"
    assert format_money(-1250, "EUR", accept_language="de") == "-12,50\u00a0€"
    assert format_money(1250, "CHF", accept_language="en") == "CHF\u00a012.50"
    assert format_money(1250, "CHF", accept_language="de") == "12,50\u00a0CHF"
    assert format_money(5, "EUR") == "€0.05"


@pytest.mark.parametrize(
    "accept_language, expected",
    [
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5, nl;q=0.9", "nl"),  # ranked by q, not by position
        ("*", "en"),
        ("de;q=0", "en"),  # q=0 means "not acceptable"
        ("de;q=abc, fr", "fr"),
        ("nl-BE, fr-BE;q=0.8", "nl"),
        ("x" * 1000, "en"),
    ],
)
def test_preferred_language(accept_language, expected):
    assert preferred_language(accept_language) == expected
