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
