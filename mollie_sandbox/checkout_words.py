"""The hosted checkout page's words in the languages the sandbox's page speaks, and which one a
payment's page is in; the method names among them are also what ``/v2/methods?locale=`` answers.

Mollie's page follows the payment's ``locale``; "when this parameter is omitted the browser language
will be used instead if supported" (specs.yaml, create-payment, ``locale``). The sandbox speaks
English, Dutch, German and French: a locale in another language (``es_ES``) gets English, as does a
browser whose languages are none of these. English is the key of every text below.
"""

from collections.abc import Callable

from werkzeug.datastructures import LanguageAccept

LANGUAGES = ("en", "nl", "de", "fr")

_STATUSES = ("open", "pending", "authorized", "paid", "canceled", "expired", "failed")

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "Test payment": "Testbetaling",
        "Payment no longer open": "Betaling niet meer open",
        "Mollie sandbox: a test payment, no money is moved.": "Mollie-sandbox: een testbetaling, er wordt geen geld overgemaakt.",
        "Amount": "Bedrag",
        "Description": "Omschrijving",
        "Payment": "Betaling",
        "Status": "Status",
        "Payment method": "Betaalmethode",
        "Choose the outcome of this test payment": "Kies de uitkomst van deze testbetaling",
        "Paid": "Betaald",
        "Authorized": "Geautoriseerd",
        "Failed": "Mislukt",
        "Canceled": "Geannuleerd",
        "Expired": "Verlopen",
        "Pending": "In behandeling",
        "Back to the shop": "Terug naar de winkel",
        "Your {method} payment did not go through.": "Je betaling met {method} is niet gelukt.",
        "You canceled your {method} payment.": "Je hebt je betaling met {method} geannuleerd.",
        "Choose a method to try again.": "Kies een betaalmethode om het opnieuw te proberen.",
        "Bank transfer instructions": "Gegevens voor je overboeking",
        "Beneficiary": "Begunstigde",
        "Reference": "Betalingskenmerk",
        "Pay before": "Betalen vóór",
        "This payment is no longer open: its status is {status}.": "Deze betaling is niet meer open: de status is {status}.",
        "Return to the shop": "Terug naar de winkel",
        "Unknown outcome {outcome}.": "Onbekende uitkomst {outcome}.",
        "Unknown method {method}.": "Onbekende betaalmethode {method}.",
        "Credit card": "Creditcard",
        "Bank transfer": "Overboeking",
        "Pay later with Klarna": "Achteraf betalen met Klarna",
        "Pay in 30 days with Riverty": "Binnen 30 dagen betalen met Riverty",
        "Pay in 3 terms with in3": "In 3 termijnen betalen met in3",
        "Pay by invoice for businesses with Billie": "Zakelijk op factuur betalen met Billie",
        "card": "creditcard",
        "bank transfer": "overboeking",
        **dict(
            zip(
                _STATUSES,
                ("open", "in behandeling", "geautoriseerd", "betaald", "geannuleerd", "verlopen", "mislukt"),
                strict=True,
            )
        ),
    },
    "de": {
        "Test payment": "Testzahlung",
        "Payment no longer open": "Zahlung nicht mehr offen",
        "Mollie sandbox: a test payment, no money is moved.": "Mollie-Sandbox: eine Testzahlung, es wird kein Geld bewegt.",
        "Amount": "Betrag",
        "Description": "Beschreibung",
        "Payment": "Zahlung",
        "Status": "Status",
        "Payment method": "Zahlungsart",
        "Choose the outcome of this test payment": "Wählen Sie das Ergebnis dieser Testzahlung",
        "Paid": "Bezahlt",
        "Authorized": "Autorisiert",
        "Failed": "Fehlgeschlagen",
        "Canceled": "Abgebrochen",
        "Expired": "Abgelaufen",
        "Pending": "Ausstehend",
        "Back to the shop": "Zurück zum Shop",
        "Your {method} payment did not go through.": "Ihre Zahlung mit {method} ist fehlgeschlagen.",
        "You canceled your {method} payment.": "Sie haben Ihre Zahlung mit {method} abgebrochen.",
        "Choose a method to try again.": "Wählen Sie eine Zahlungsart, um es erneut zu versuchen.",
        "Bank transfer instructions": "Angaben für Ihre Überweisung",
        "Beneficiary": "Empfänger",
        "Reference": "Verwendungszweck",
        "Pay before": "Zahlbar bis",
        "This payment is no longer open: its status is {status}.": "Diese Zahlung ist nicht mehr offen: Ihr Status ist {status}.",
        "Return to the shop": "Zurück zum Shop",
        "Unknown outcome {outcome}.": "Unbekanntes Ergebnis {outcome}.",
        "Unknown method {method}.": "Unbekannte Zahlungsart {method}.",
        "Credit card": "Kreditkarte",
        "Bank transfer": "Überweisung",
        "Pay later with Klarna": "Später bezahlen mit Klarna",
        "Pay in 30 days with Riverty": "In 30 Tagen bezahlen mit Riverty",
        "Pay in 3 terms with in3": "In 3 Raten bezahlen mit in3",
        "Pay by invoice for businesses with Billie": "Rechnungskauf für Geschäftskunden mit Billie",
        "card": "Kreditkarte",
        "bank transfer": "Überweisung",
        **dict(
            zip(
                _STATUSES,
                ("offen", "ausstehend", "autorisiert", "bezahlt", "abgebrochen", "abgelaufen", "fehlgeschlagen"),
                strict=True,
            )
        ),
    },
    "fr": {
        "Test payment": "Paiement test",
        "Payment no longer open": "Paiement clôturé",
        "Mollie sandbox: a test payment, no money is moved.": "Sandbox Mollie : un paiement test, aucun argent n’est transféré.",
        "Amount": "Montant",
        "Description": "Description",
        "Payment": "Paiement",
        "Status": "Statut",
        "Payment method": "Moyen de paiement",
        "Choose the outcome of this test payment": "Choisissez le résultat de ce paiement test",
        "Paid": "Payé",
        "Authorized": "Autorisé",
        "Failed": "Échoué",
        "Canceled": "Annulé",
        "Expired": "Expiré",
        "Pending": "En attente",
        "Back to the shop": "Retour à la boutique",
        "Your {method} payment did not go through.": "Votre paiement par {method} n’a pas abouti.",
        "You canceled your {method} payment.": "Vous avez annulé votre paiement par {method}.",
        "Choose a method to try again.": "Choisissez un moyen de paiement pour réessayer.",
        "Bank transfer instructions": "Coordonnées pour votre virement",
        "Beneficiary": "Bénéficiaire",
        "Reference": "Référence",
        "Pay before": "À payer avant le",
        "This payment is no longer open: its status is {status}.": "Ce paiement n’est plus ouvert : son statut est {status}.",
        "Return to the shop": "Retour à la boutique",
        "Unknown outcome {outcome}.": "Résultat inconnu : {outcome}.",
        "Unknown method {method}.": "Moyen de paiement inconnu : {method}.",
        "Credit card": "Carte bancaire",
        "Bank transfer": "Virement bancaire",
        "Pay later with Klarna": "Payer plus tard avec Klarna",
        "Pay in 30 days with Riverty": "Payer sous 30 jours avec Riverty",
        "Pay in 3 terms with in3": "Payer en 3 fois avec in3",
        "Pay by invoice for businesses with Billie": "Payer sur facture avec Billie, pour les entreprises",
        "card": "carte bancaire",
        "bank transfer": "virement",
        **dict(zip(_STATUSES, ("ouvert", "en attente", "autorisé", "payé", "annulé", "expiré", "échoué"), strict=True)),
    },
}


def page_language(locale: str | None, accept_language: LanguageAccept | None) -> str:
    """The payment's locale's language; without a locale, the browser's best one the page speaks."""
    if locale:
        language = locale.split("_")[0]
        return language if language in LANGUAGES else "en"
    if accept_language is not None:
        # Werkzeug falls back from "nl-BE" to "nl" (the primary subtag) when no exact match.
        return accept_language.best_match(LANGUAGES, default="en") or "en"
    return "en"


def html_lang(locale: str | None, language: str) -> str:
    """The page's `<html lang>`: the locale as a BCP 47 tag (nl_BE: "nl-BE") when the page is in its language."""
    if locale and locale.split("_")[0] == language:
        return locale.replace("_", "-")
    return language


def words_for(language: str) -> Callable[[str], str]:
    """`say("Paid")`: the text in `language`; English, the key, where the page has no translation."""
    words = WORDS.get(language, {})
    return lambda text: words.get(text, text)


def method_names_for(locale: str | None) -> Callable[[str], str]:
    """A method's `description` as the Methods API answers it for `locale`: "translate the payment
    method names in the corresponding language" (specs.yaml, list-methods, parameter `locale`), the
    same names the hosted checkout shows. English without a locale, and for a locale in a language
    the sandbox does not speak (es_ES), as Mollie answers in English where it has no translation."""
    return words_for(page_language(locale, None))
