"""The language an order remembers, and the `locale` its Mollie payment is created with. Pure.

The shop speaks four languages (issue 31). An order stores the one its shopper checked out in, so
that everything said to them later (Mollie's payment page, the order page, every mail, days later
too) is in that language; staff pages and staff alerts stay English.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation

from config.languages import LANGUAGES

if TYPE_CHECKING:
    from payments.models import Order

SHOP_LANGUAGES = tuple(code for code, _ in LANGUAGES)  # the one list, config/languages.py
# Staff read the shop in English (issue 31), and so their alert mails.
STAFF_LANGUAGE = "en"

# Every `locale` Mollie accepts on a payment: the enum of `components.schemas.locale` in Mollie's
# OpenAPI description (github.com/mollie/openapi, specs.yaml at cfbba47, 2026-08-21; the same list
# in docs.mollie.com, "Create payment"). Mollie answers anything else with 422 "The locale is
# invalid" (field `locale`; mollie/OpenCart#156, mollie/magento2#170, mollie/WooCommerce#57 with
# WordPress's `nl_NL_formal`). Newer descriptions add el_GR, sl_SI and tr_TR (mollie-api-py 1.10.20);
# the shop never sends those, so it keeps to the list both agree on.
MOLLIE_LOCALES = frozenset(
    {
        "ca_ES",
        "cs_CZ",
        "da_DK",
        "de_AT",
        "de_CH",
        "de_DE",
        "de_LU",
        "en_BE",
        "en_GB",
        "en_NL",
        "en_US",
        "es_ES",
        "fi_FI",
        "fr_BE",
        "fr_FR",
        "fr_LU",
        "hu_HU",
        "is_IS",
        "it_IT",
        "lt_LT",
        "lv_LV",
        "nb_NO",
        "nl_BE",
        "nl_NL",
        "pl_PL",
        "pt_PT",
        "sk_SK",
        "sv_SE",
    }
)
# A language's locale where Mollie has none for the delivery country (Dutch shipped to Germany,
# French to Switzerland: Mollie has no fr_CH). English is en_GB, not en_US: the shop sells in euros
# to Europe, and en_GB writes dates and amounts as Europeans read them (en_US would show a
# month-first date). Dutch and Belgian English shoppers get en_NL and en_BE, which Mollie has.
LANGUAGE_LOCALES = {"en": "en_GB", "nl": "nl_NL", "de": "de_DE", "fr": "fr_FR"}


def shop_language(code: str | None) -> str:
    """One of SHOP_LANGUAGES for a language code ("nl", "nl-be", "de_AT", None): its first part
    when the shop speaks it, else the shop's default language."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    if base in SHOP_LANGUAGES:
        return base
    return default_language()


def default_language() -> str:
    base = settings.LANGUAGE_CODE.replace("_", "-").split("-")[0].lower()
    return base if base in SHOP_LANGUAGES else SHOP_LANGUAGES[0]


def active_language() -> str:
    """The language of the request being served (LocaleMiddleware activates it), as an order keeps it."""
    return shop_language(translation.get_language())


def order_language(order: "Order") -> str:
    """The order's language; orders from before it was stored are in the default language."""
    return shop_language(order.language)


def mollie_locale(language: str | None, country: str | None) -> str:
    """The `locale` for a payment: the language as spoken in the delivery country where Mollie has
    that pair (nl+BE: nl_BE, fr+BE: fr_BE, de+AT: de_AT), else the language's own (LANGUAGE_LOCALES).
    Always one of MOLLIE_LOCALES, whatever the inputs. For a bank transfer the locale also picks the
    account the shopper pays into (a Belgian, German or Dutch one: specs.yaml, `locale`), so the
    country counts too, not the language alone."""
    language = shop_language(language)
    pair = f"{language}_{(country or '').upper()}"
    return pair if pair in MOLLIE_LOCALES else LANGUAGE_LOCALES[language]


def page_locale(country: str | None) -> str:
    """The `locale` Mollie names its payment methods in on the page being served (checkout, "Pay
    again"): the page's language in the delivery country, as its payment would be created
    (mollie_locale); before a country is known, the language's own (LANGUAGE_LOCALES)."""
    return mollie_locale(active_language(), country)


def language_label(code: str) -> str:
    """A shop language as staff read it, in English whatever the page's language: "Dutch (nl)"."""
    return f"{translation.get_language_info(code)['name']} ({code})"


def in_order_language(order: "Order") -> translation.override:
    """`with in_order_language(order):` renders and reverses as the order's shopper reads it (the
    `/nl/…` URLs of i18n_patterns), whoever acts: a webhook, reconciliation days later, staff."""
    return translation.override(order_language(order))
