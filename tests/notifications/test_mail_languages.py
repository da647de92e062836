"""The shopper's mails in Dutch, German and French (templates/notifications/, docs/i18n.md): subject,
text and HTML in the active language (the workflow renders each mail under the order's language),
with no English sentence left; staff alerts stay English."""

import pytest
from django.utils import translation

from notifications.models import AlertReason, MailKind
from notifications.rendering import render_mail
from tests.notifications.test_rendering import CONFIRMATION, ORDER_URL
from tests.shop.test_languages import ENGLISH_WORDS, OWN_WORDS

pytestmark = pytest.mark.pure

SHOPPER_MAILS = {
    MailKind.ORDER_CONFIRMATION: {**CONFIRMATION, "shipping_cents": 0, "vat_lines": [{"rate": "21.00", "cents": 638}]},
    MailKind.REFUND_CONFIRMED: {
        "order_id": "SO-ABCDE-12345",
        "customer_name": "Ada",
        "refund_cents": 1250,
        "remaining_cents": 2425,
        "currency": "EUR",
        "order_url": ORDER_URL,
    },
    MailKind.ORDER_CLOSED: {
        "order_id": "SO-ABCDE-12345",
        "customer_name": "Ada",
        "closed_status": "expired",
        "shop_url": "https://shop.example.com/",
    },
    MailKind.ORDER_SHIPPED: {
        "order_id": "SO-ABCDE-12345",
        "customer_name": "Ada",
        "lines": [{"name": "Espresso cup", "quantity": 1}],
        "carrier": "PostNL",
        "tracking_url": "https://track.example.com/3S123",
        "address": "Ada\nKeizersgracht 1\n1015 AA Amsterdam",
        "order_url": ORDER_URL,
    },
}
SAME_IN_EVERY_LANGUAGE = [
    "Espresso cup",
    "Coffee beans & more",
    "Coffee beans &amp; more",
    "Brew & Co.",
    "Brew &amp; Co.",
]


def english_in(text, language):
    import re

    for value in SAME_IN_EVERY_LANGUAGE:
        text = text.replace(value, " ")
    text = re.sub(r"https?://\S+|<[^>]+>|\{[^}]*\}", " ", text)  # links, tags, and the style attributes inside them
    return sorted(set(re.findall(r"[^\W\d_]+", text.lower())) & (ENGLISH_WORDS - OWN_WORDS[language]))


@pytest.mark.parametrize("language", ["nl", "de", "fr"])
@pytest.mark.parametrize("kind", list(SHOPPER_MAILS))
def test_a_shoppers_mail_is_in_the_active_language(kind, language):
    with translation.override(language):
        mail = render_mail(kind, SHOPPER_MAILS[kind])

    assert english_in(mail.subject, language) == []
    assert english_in(mail.text_body, language) == []
    assert english_in(mail.html_body, language) == []
    assert f'<html lang="{language}">' in mail.html_body


def test_a_dutch_confirmation_reads_dutch_and_writes_its_amounts_the_dutch_way():
    with translation.override("nl"):
        mail = render_mail(MailKind.ORDER_CONFIRMATION, SHOPPER_MAILS[MailKind.ORDER_CONFIRMATION])

    assert mail.subject == "Uw bestelling SO-ABCDE-12345 is betaald"
    assert "Hartelijk dank, Ada <Lovelace>!" in mail.text_body
    assert "Espresso cup: aantal 2, stukprijs €\u00a012,25, totaal €\u00a024,50" in mail.text_body


def test_staff_alerts_stay_english_whatever_the_language():
    context = {"order_id": "SO-1", "reason": AlertReason.DOUBLE_PAYMENT, "staff_order_url": "https://x/staff/"}
    with translation.override("nl"):
        mail = render_mail(MailKind.STAFF_ALERT, context)

    assert mail.subject.startswith("[Staff] Order SO-1 needs attention")
