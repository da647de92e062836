"""The shop's languages, where their catalogs are, and the language switcher's cookie (docs/i18n.md).

Constants, not read from the environment: a language needs its translations in the code. Shop
URLs carry the shopper's language (`/nl/…`, config/urls.py); staff pages, webhooks and healthz
stay English (config/locale.py). config/settings.py takes these as they are.
"""

from importlib.util import find_spec
from pathlib import Path

LANGUAGE_CODE = "en"  # the language the messages are written in, and the fallback
LANGUAGES = [("en", "English"), ("nl", "Dutch"), ("de", "German"), ("fr", "French")]

# The shop's catalogs (`make messages`), and django-countries' for country names: its folder is
# found without importing the package, which a cold start serving the shop page does not need.
_django_countries = find_spec("django_countries")
assert _django_countries is not None and _django_countries.origin is not None
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale", Path(_django_countries.origin).parent / "locale"]

# Django's `django_language` cookie holds the language code only (no personal data, no consent
# needed), for a year; Secure in deployed stages (config/settings.py).
COOKIE = {
    "LANGUAGE_COOKIE_AGE": 365 * 24 * 60 * 60,
    "LANGUAGE_COOKIE_HTTPONLY": True,
    "LANGUAGE_COOKIE_SAMESITE": "Lax",
}
