"""Payment methods named in the shopper's language (issue 31): the shop asks Mollie's Methods API
with the page's `locale`, which "translate[s] the payment method names in the corresponding
language" (github.com/mollie/openapi specs.yaml, paths./v2/methods.get.parameters:
`$ref: '#/components/parameters/locale'`), and keeps one list per locale."""

import re

import pytest

from payments import mollie
from payments.services import forget_methods, methods_for


def names(methods):
    return {method.id: method.description for method in methods}


def methods_requests(sandbox):
    return [call for call in sandbox.requests() if call["path"] == "/v2/methods"]


def method_labels(page):
    """The method names a shopper reads in the checkout's (or order page's) method choice."""
    return re.findall(
        r'<label class="method"><input type="radio" name="method"[^>]* value="[a-z0-9]+".*?<span>([^<]*)</span>', page
    )


@pytest.mark.parametrize(
    "locale, card, transfer, klarna",
    [
        ("nl_NL", "Creditcard", "Overboeking", "Achteraf betalen met Klarna"),
        ("nl_BE", "Creditcard", "Overboeking", "Achteraf betalen met Klarna"),
        ("de_DE", "Kreditkarte", "Überweisung", "Später bezahlen mit Klarna"),
        ("de_AT", "Kreditkarte", "Überweisung", "Später bezahlen mit Klarna"),
        ("fr_FR", "Carte bancaire", "Virement bancaire", "Payer plus tard avec Klarna"),
        ("fr_BE", "Carte bancaire", "Virement bancaire", "Payer plus tard avec Klarna"),
        ("en_GB", "Credit card", "Bank transfer", "Pay later with Klarna"),
        (None, "Credit card", "Bank transfer", "Pay later with Klarna"),  # no locale: Mollie's English
    ],
)
def test_mollie_names_the_methods_in_the_locale_the_shop_asks_for(sandbox, locale, card, transfer, klarna):
    listed = mollie.list_methods(amount_cents=2500, currency="EUR", billing_country="NL", locale=locale)

    described = names(listed)
    assert (described["creditcard"], described["banktransfer"], described["klarna"]) == (card, transfer, klarna)
    assert described["ideal"] == "iDEAL" and described["paypal"] == "PayPal"  # brands stay as they are


def test_two_languages_get_two_lists_not_one_shared_english_one(sandbox):
    dutch = methods_for(amount_cents=2500, currency="EUR", billing_country="NL", locale="nl_NL")
    german = methods_for(amount_cents=2500, currency="EUR", billing_country="NL", locale="de_DE")
    dutch_again = methods_for(amount_cents=2500, currency="EUR", billing_country="NL", locale="nl_NL")

    assert names(dutch)["banktransfer"] == "Overboeking" and names(german)["banktransfer"] == "Überweisung"
    assert dutch_again == dutch
    assert len(methods_requests(sandbox)) == 2  # one per locale; the second Dutch one from the cache

    forget_methods(amount_cents=2500, currency="EUR")  # Mollie refused a listed method: every locale's list goes
    methods_for(amount_cents=2500, currency="EUR", billing_country="NL", locale="de_DE")
    assert len(methods_requests(sandbox)) == 3


@pytest.mark.parametrize(
    "language, expected",
    [
        ("nl", ["iDEAL", "Creditcard", "Bancontact", "Overboeking", "PayPal"]),
        ("de", ["iDEAL", "Kreditkarte", "Bancontact", "Überweisung", "PayPal"]),
        ("fr", ["iDEAL", "Carte bancaire", "Bancontact", "Virement bancaire", "PayPal"]),
        ("en", ["iDEAL", "Credit card", "Bancontact", "Bank transfer", "PayPal"]),
    ],
)
def test_the_checkout_page_names_the_methods_in_its_language(shopper, language, expected):
    shopper.add("espresso-cup")

    page = shopper.client.get(f"/{language}/checkout/").content.decode()

    assert method_labels(page)[:5] == expected


def test_a_shopper_switching_language_gets_the_names_in_the_new_one(shopper):
    shopper.add("espresso-cup")
    english = shopper.client.get("/en/checkout/").content.decode()
    shopper.client.get("/en/checkout/")  # a reload: the list from the cache

    dutch = shopper.client.get("/nl/checkout/").content.decode()

    assert "Bank transfer" in method_labels(english) and "Overboeking" not in method_labels(english)
    assert "Overboeking" in method_labels(dutch) and "Bank transfer" not in method_labels(dutch)
    assert len(methods_requests(shopper.sandbox)) == 2


def test_pay_again_names_the_methods_in_the_pages_language(shopper):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("failed"))
    order = shopper.last_order()

    page = shopper.client.get(f"/de/orders/{order.order_id}/{order.public_token}/").content.decode()

    assert "Überweisung" in method_labels(page) and "Bank transfer" not in method_labels(page)
