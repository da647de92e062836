"""`locale` on a payment: a locale of Mollie's list is accepted and kept, through both clients; one
outside it gets Mollie's 422 (specs.yaml, create-payment `locale`, enum `components.schemas.locale`;
the body as Mollie's plugins quote it: mollie/OpenCart#156, mollie/magento2#170).

The locales below are the ones a European shop sends for its shoppers' languages and countries. The
refused ones are what integrations got wrong: WordPress's `nl_NL_formal` (mollie/WooCommerce#57),
a language without its country, a BCP 47 tag instead of Mollie's underscore, and fr_CH, which the
enum does not list (the description's prose says "any xx_XX format ISO 15897 locale" may be sent:
run this against real Mollie, with MOLLIE_TEST_API_KEY, to see which of the two holds today).
"""

import pytest

from .clients import CLIENTS

ACCEPTED = ("nl_NL", "nl_BE", "fr_BE", "fr_FR", "de_DE", "de_AT", "de_CH", "en_GB", "en_NL")
REFUSED = ("nl_NL_formal", "fr_CH", "nl", "nl-NL", "xx_XX")


@pytest.mark.parametrize("locale", ACCEPTED)
def test_a_payment_keeps_the_locale_it_was_created_with(mollie, target, locale):
    created = mollie.create_payment(target.payment_body(locale=locale))

    assert created["locale"] == locale
    assert mollie.get_payment(created["id"])["locale"] == locale


@pytest.mark.parametrize("locale", REFUSED)
def test_a_locale_outside_mollies_list_is_refused_with_422(target, response_check, locale):
    # mollie-api-python only: the generated SDK refuses such a value itself, before sending it.
    classic = CLIENTS["classic"](target.base_url, target.api_key, response_check)

    refused = classic.create_payment(target.payment_body(locale=locale))

    assert refused["status"] == 422 and refused["title"] == "Unprocessable Entity"
    assert refused["field"] == "locale" and refused["detail"] == "The locale is invalid"
    assert refused["_links"]["documentation"]["type"] == "text/html"
    response_check.check_all()


# The Methods API takes the same `locale` (specs.yaml, paths./v2/methods.get.parameters: `$ref:
# '#/components/parameters/locale'`, schema components.schemas.locale): "Passing a locale will sort
# the payment methods in the preferred order for the country, and translate the payment method names
# in the corresponding language." What a shop shows its shoppers: each language's own names, never
# the English ones. Real Mollie's wording varies over time, so each language has the names it has
# used; the sandbox answers the first of each.
BANK_TRANSFER = {
    "nl_NL": ("Overboeking", "Bankoverboeking"),
    "nl_BE": ("Overboeking", "Bankoverschrijving", "Overschrijving"),
    "de_DE": ("Überweisung", "Banküberweisung"),
    "de_AT": ("Überweisung", "Banküberweisung"),
    "fr_FR": ("Virement bancaire",),
    "fr_BE": ("Virement bancaire", "Virement"),
    "en_GB": ("Bank transfer",),
}


def described(listed):
    return {method["id"]: method["description"] for method in listed["_embedded"]["methods"]}


@pytest.mark.parametrize("locale", sorted(BANK_TRANSFER))
def test_methods_are_named_in_the_locale_asked_for(mollie, target, locale):
    listed = mollie.list_methods(locale=locale)

    if "banktransfer" not in described(listed):
        pytest.skip("bank transfer is not enabled on this Mollie profile")
    assert described(listed)["banktransfer"] in BANK_TRANSFER[locale]
    assert mollie.get_method("banktransfer", locale=locale)["description"] in BANK_TRANSFER[locale]
    if target.is_sandbox:
        assert described(listed)["banktransfer"] == BANK_TRANSFER[locale][0]


@pytest.mark.parametrize("locale", REFUSED)
def test_the_methods_api_refuses_a_locale_outside_mollies_list_with_422(target, response_check, locale):
    # mollie-api-python only: the generated SDK refuses such a value itself, before sending it.
    classic = CLIENTS["classic"](target.base_url, target.api_key, response_check)

    refused = classic.list_methods(locale=locale)

    assert refused["status"] == 422 and refused["title"] == "Unprocessable Entity"
    assert refused["field"] == "locale" and refused["detail"] == "The locale is invalid"
    response_check.check_all()
