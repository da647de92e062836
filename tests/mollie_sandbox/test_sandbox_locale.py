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
