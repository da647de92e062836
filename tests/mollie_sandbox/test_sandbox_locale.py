"""`locale` on a payment: only the values Mollie accepts, refused otherwise with Mollie's own 422;
and the hosted checkout page in the payment's language, or the browser's when no locale was sent
(specs.yaml, create-payment `locale`: "When this parameter is omitted the browser language will be
used instead")."""

import re

import pytest
import requests
from mollie.api.error import UnprocessableEntityError

# What a shopper reading only Dutch, German or French must not meet on the page.
ENGLISH = ["Test payment", "Paid", "Failed", "Canceled", "Expired", "Pending", "Amount", "Beneficiary"]
ENGLISH += ["Payment method", "Choose the outcome", "no money is moved", "Credit card", "Bank transfer"]


def page_of(payment, **headers):
    response = requests.get(payment.checkout_url, headers=headers, timeout=30)
    assert response.status_code == 200
    return response


def visible_text(page):
    body = re.sub(r"<(style|title)>.*?</\1>", "", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def buttons(page):
    return re.findall(r'<button type="submit" name="status" value="\w+">([^<]+)</button>', page)


@pytest.mark.parametrize(
    "locale, lang, heading, paid",
    [
        ("nl_NL", "nl-NL", "Testbetaling", "Betaald"),
        ("nl_BE", "nl-BE", "Testbetaling", "Betaald"),
        ("de_DE", "de-DE", "Testzahlung", "Bezahlt"),
        ("de_AT", "de-AT", "Testzahlung", "Bezahlt"),
        ("fr_BE", "fr-BE", "Paiement test", "Payé"),
        ("fr_FR", "fr-FR", "Paiement test", "Payé"),
        ("en_GB", "en-GB", "Test payment", "Paid"),
        ("en_NL", "en-NL", "Test payment", "Paid"),
    ],
)
def test_the_checkout_page_speaks_the_payments_locale(sandbox, client, payment_data, locale, lang, heading, paid):
    payment = client.payments.create(payment_data(locale=locale))
    assert payment.locale == locale

    response = page_of(payment, **{"Accept-Language": "en-US,en;q=0.9"})  # the locale wins over the browser

    page = response.text
    assert f'<html lang="{lang}">' in page and response.headers["Content-Language"] == lang
    assert f"<h1>{heading}</h1>" in page and buttons(page)[0] == paid
    if not locale.startswith("en"):
        text = visible_text(page)
        assert [word for word in ENGLISH if word in text] == []


def test_the_dutch_page_says_everything_in_dutch(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(locale="nl_BE"))

    page = page_of(payment).text

    assert buttons(page) == ["Betaald", "Mislukt", "Geannuleerd", "Verlopen", "In behandeling", "Terug naar de winkel"]
    assert "<legend>Betaalmethode</legend>" in page and "Creditcard" in page and "Overboeking" in page
    assert "<dt>Bedrag</dt>" in page and "<dd>open</dd>" in page


@pytest.mark.parametrize(
    "accept_language, lang",
    [
        ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        ("de-CH", "de"),
        ("fr-CH,fr;q=0.9", "fr"),
        ("es-ES,es;q=0.9", "en"),  # a language the sandbox's page does not speak
        ("", "en"),
    ],
)
def test_without_a_locale_the_page_follows_the_browser(sandbox, client, payment_data, accept_language, lang):
    payment = client.payments.create(payment_data())

    page = page_of(payment, **({"Accept-Language": accept_language} if accept_language else {})).text

    assert f'<html lang="{lang}">' in page


def test_a_locale_in_a_language_the_page_does_not_speak_gets_english(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(locale="es_ES"))

    page = page_of(payment, **{"Accept-Language": "nl"}).text

    assert '<html lang="en">' in page and "<h1>Test payment</h1>" in page


def test_bank_transfer_instructions_in_german(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(locale="de_DE", method="banktransfer"))

    page = page_of(payment).text

    assert "Angaben für Ihre Überweisung" in page and "<dt>Verwendungszweck</dt>" in page
    assert "<dt>Empfänger</dt>" in page and "Bank transfer instructions" not in page


def test_a_failure_inside_a_method_is_told_in_french(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(locale="fr_BE"))

    answer = requests.post(payment.checkout_url, data={"status": "failed", "method": "creditcard"}, timeout=30)

    assert "Votre paiement par carte bancaire n’a pas abouti. Choisissez un moyen de paiement pour réessayer." in (
        answer.text
    )


def test_the_page_of_a_paid_payment_says_so_in_its_language(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(locale="fr_FR", method="ideal"))
    requests.post(payment.checkout_url, data={"status": "paid"}, allow_redirects=False, timeout=30)

    page = requests.get(f"{sandbox.url}/checkout/{payment.id}", timeout=30).text

    assert "Ce paiement n’est plus ouvert : son statut est <strong>payé</strong>." in page
    assert "Retour à la boutique</a>" in page


@pytest.mark.parametrize("locale", ["nl_NL_formal", "fr_CH", "nl", "nl-NL", "NL_nl", "en_gb", "xx_XX", 12, ["nl_NL"]])
def test_a_locale_mollie_does_not_accept_gets_mollies_422(sandbox, client, payment_data, locale):
    answer = requests.post(
        f"{sandbox.url}/v2/payments",
        json=payment_data(locale=locale),
        headers={"Authorization": f"Bearer {client.api_key}"},
        timeout=30,
    )

    # Mollie's body, as its plugins' issues quote it (mollie/OpenCart#156, zwaldeck/mollie#57).
    assert answer.status_code == 422 and answer.headers["Content-Type"].startswith("application/hal+json")
    assert answer.json() == {
        "status": 422,
        "title": "Unprocessable Entity",
        "detail": "The locale is invalid",
        "field": "locale",
        "_links": {"documentation": {"href": "https://docs.mollie.com/errors", "type": "text/html"}},
    }
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.create(payment_data(locale=locale))
    assert refused.value.field == "locale"


# The Methods API's `locale`: "Passing a locale will [...] translate the payment method names in the
# corresponding language" (specs.yaml, paths./v2/methods.get.parameters, $ref
# '#/components/parameters/locale'; the same on get-method), from the enum components.schemas.locale.
METHOD_NAMES = {
    "nl": {"creditcard": "Creditcard", "banktransfer": "Overboeking", "klarna": "Achteraf betalen met Klarna"},
    "de": {"creditcard": "Kreditkarte", "banktransfer": "Überweisung", "klarna": "Später bezahlen mit Klarna"},
    "fr": {
        "creditcard": "Carte bancaire",
        "banktransfer": "Virement bancaire",
        "klarna": "Payer plus tard avec Klarna",
    },
    "en": {"creditcard": "Credit card", "banktransfer": "Bank transfer", "klarna": "Pay later with Klarna"},
}


@pytest.mark.parametrize(
    "locale, language",
    [
        *[("nl_NL", "nl"), ("nl_BE", "nl"), ("de_DE", "de"), ("de_AT", "de"), ("de_CH", "de")],
        *[("fr_FR", "fr"), ("fr_BE", "fr"), ("en_GB", "en"), ("en_US", "en")],
        ("es_ES", "en"),  # a language the sandbox has no names in: English, as Mollie where it has none
        (None, "en"),
    ],
)
def test_methods_are_named_in_the_locale_asked_for(sandbox, client, locale, language):
    listed = client.methods.list(billingCountry="NL", **({"locale": locale} if locale else {}))

    described = {method.id: method.description for method in listed}
    assert {method_id: described[method_id] for method_id in METHOD_NAMES[language]} == METHOD_NAMES[language]
    assert described["ideal"] == "iDEAL" and described["bancontact"] == "Bancontact"
    one = client.methods.get("banktransfer", **({"locale": locale} if locale else {}))
    assert one.description == METHOD_NAMES[language]["banktransfer"]


def test_the_pay_later_names_read_naturally_in_each_language(sandbox, client):
    def described(locale):
        return {m.id: m.description for m in client.methods.list(billingCountry="NL", locale=locale)}

    assert described("nl_NL")["in3"] == "In 3 termijnen betalen met in3"
    assert described("de_DE")["riverty"] == "In 30 Tagen bezahlen mit Riverty"
    assert described("fr_FR")["billie"] == "Payer sur facture avec Billie, pour les entreprises"


@pytest.mark.parametrize("locale", ["nl_NL_formal", "fr_CH", "nl", "nl-NL", "en_gb", "xx_XX"])
@pytest.mark.parametrize("path", ["/v2/methods", "/v2/methods/ideal"])
def test_the_methods_api_refuses_a_locale_mollie_does_not_accept(sandbox, client, locale, path):
    answer = requests.get(
        f"{sandbox.url}{path}",
        params={"locale": locale},
        headers={"Authorization": f"Bearer {client.api_key}"},
        timeout=30,
    )

    assert answer.status_code == 422 and answer.headers["Content-Type"].startswith("application/hal+json")
    assert answer.json()["detail"] == "The locale is invalid" and answer.json()["field"] == "locale"
    with pytest.raises(UnprocessableEntityError) as refused:
        client.methods.list(locale=locale)
    assert refused.value.field == "locale"
