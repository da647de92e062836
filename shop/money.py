"""Prices for people: cents and a currency code, shown the way the page's language writes them.

The styles are CLDR's (what Babel's format_currency gives), kept as a table: Babel itself, with its
33 MB of locale data and ~60 ms to import and load a locale, would not fit the Lambda's cold start
and package (docs/adr/0007-shop-urls-carry-the-language.md).
"""

from django.utils import translation

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
NBSP, NARROW_NBSP = "\u00a0", "\u202f"

# How a language writes an amount (after CLDR): decimal mark, thousands separator, and a pattern
# placing sign, number and symbol. A language that is not listed is written the English way.
ENGLISH = (".", ",", "{sign}{symbol}{number}")  # -€1,234.50
_STYLES = {
    "en": ENGLISH,
    "nl": (",", ".", "{symbol}" + NBSP + "{sign}{number}"),  # € -1.234,50
    "de": (",", ".", "{sign}{number}" + NBSP + "{symbol}"),  # -1.234,50 €
    "es": (",", ".", "{sign}{number}" + NBSP + "{symbol}"),
    "it": (",", ".", "{sign}{number}" + NBSP + "{symbol}"),
    "pt": (",", ".", "{sign}{number}" + NBSP + "{symbol}"),
    "da": (",", ".", "{sign}{number}" + NBSP + "{symbol}"),
    "fr": (",", NARROW_NBSP, "{sign}{number}" + NBSP + "{symbol}"),  # -1 234,50 €
    "fi": (",", NBSP, "{sign}{number}" + NBSP + "{symbol}"),
    "sv": (",", NBSP, "{sign}{number}" + NBSP + "{symbol}"),
    "nb": (",", NBSP, "{sign}{number}" + NBSP + "{symbol}"),
    "no": (",", NBSP, "{sign}{number}" + NBSP + "{symbol}"),
    "pl": (",", NBSP, "{sign}{number}" + NBSP + "{symbol}"),
    "cs": (",", NBSP, "{sign}{number}" + NBSP + "{symbol}"),
}


def format_money(cents, currency, *, language: str | None = None) -> str:
    """€12.50 in English, € 12,50 in Dutch, 12,50 € in German and French: in `language`, by default
    the active one (a shop page's, a mail's under translation.override; English on staff pages)."""
    cents = int(cents)
    whole, fraction = divmod(abs(cents), 100)
    language = (language or translation.get_language() or "en").split("-")[0].lower()
    decimal_mark, group_mark, pattern = _STYLES.get(language, ENGLISH)
    number = f"{whole:,}".replace(",", group_mark) + f"{decimal_mark}{fraction:02d}"
    symbol = SYMBOLS.get(currency)
    if symbol is None:  # an ISO code is a word: it needs a space next to the number
        symbol = currency
        pattern = pattern.replace("{symbol}{number}", "{symbol}" + NBSP + "{number}")
        pattern = pattern.replace("{symbol}{sign}", "{symbol}" + NBSP + "{sign}")
    return pattern.format(sign="-" if cents < 0 else "", symbol=symbol, number=number)


def decimal_amount(cents: int) -> str:
    """12.50 for 1250: the one plain notation, for Mollie's API, staff forms and CSV (people read format_money)."""
    return f"{cents // 100}.{cents % 100:02d}"
