"""Prices for people: cents and a currency code, shown the way the shopper's language writes them."""
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
# Languages that write "12,50 €" rather than "€12.50".
COMMA_DECIMAL_LANGUAGES = {"nl", "de", "fr", "es", "it", "pt", "fi", "sv", "da", "nb", "pl", "cs", "be"}


def preferred_language(accept_language: str) -> str:
    first = (accept_language or "").split(",")[0].strip().lower()
    return first.split("-")[0].split(";")[0] if first else "en"


def format_money(cents, currency, *, accept_language="") -> str:
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    symbol = SYMBOLS.get(currency, currency + " ")
    if preferred_language(accept_language) in COMMA_DECIMAL_LANGUAGES:
        grouped = f"{whole:,}".replace(",", ".")
        return f"{sign}{grouped},{fraction:02d}\u00a0{symbol.strip()}"
    return f"{sign}{symbol}{whole:,}.{fraction:02d}"
