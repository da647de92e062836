"""Prices for people: cents and a currency code, shown the way the shopper's language writes them."""

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
# A browser sends a handful of languages; anything longer is not worth reading.
MAX_HEADER_LENGTH = 500


def preferred_language(accept_language: str) -> str:
    """The primary language the shopper ranks highest (q-values honoured), "en" when none is usable."""
    best, best_q = "en", 0.0
    for entry in (accept_language or "")[:MAX_HEADER_LENGTH].split(","):
        tag, _, params = entry.strip().partition(";")
        language = tag.strip().split("-")[0].lower()
        if not (language.isascii() and language.isalpha() and len(language) <= 8):
            continue
        q = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                continue
        if q > best_q:  # strictly greater: the first of equal rank wins, as listed
            best, best_q = language, q
    return best


def format_money(cents, currency, *, accept_language="") -> str:
    cents = int(cents)
    whole, fraction = divmod(abs(cents), 100)
    decimal_mark, group_mark, pattern = _STYLES.get(preferred_language(accept_language), ENGLISH)
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
