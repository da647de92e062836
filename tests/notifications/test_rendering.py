"""Mails as a shopper (or staff) reads them: HTML with a text alternative, accessible, in the shop's look."""

from html.parser import HTMLParser

import pytest

from notifications.models import AlertReason, MailKind
from notifications.rendering import IncompleteMailContext, render_mail

ORDER_URL = "https://shop.example.com/orders/SO-ABCDE-12345/tok3n/"
CONFIRMATION = {
    "order_id": "SO-ABCDE-12345",
    "customer_name": "Ada <Lovelace>",
    "currency": "EUR",
    "total_cents": 3675,
    "payment_method": "ideal",
    "order_url": ORDER_URL,
    "lines": [
        {"name": "Espresso cup", "quantity": 2, "unit_price_cents": 1225, "line_total_cents": 2450},
        {"name": "Coffee beans & more", "quantity": 1, "unit_price_cents": 1225, "line_total_cents": 1225},
    ],
}


class _Structure(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes, self.links = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.append((tag, dict(attrs)))
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def test_order_confirmation_lists_lines_total_method_and_the_order_link():
    mail = render_mail(MailKind.ORDER_CONFIRMATION, CONFIRMATION)

    assert mail.subject == "Your order SO-ABCDE-12345 is paid"
    for text in (mail.text_body, mail.html_body):
        assert "Espresso cup" in text and "€24.50" in text and "€12.25" in text
        assert "€36.75" in text and "iDEAL" in text and ORDER_URL in text
    assert "- Espresso cup: quantity 2, unit price €12.25, total €24.50" in mail.text_body
    assert "Coffee beans & more" in mail.text_body and "Ada <Lovelace>" in mail.text_body  # text is not HTML
    assert "Coffee beans &amp; more" in mail.html_body and "Ada &lt;Lovelace&gt;" in mail.html_body
    assert ORDER_URL in _Structure(mail.html_body).links


def test_html_mail_is_accessible():
    structure = _Structure(render_mail(MailKind.ORDER_CONFIRMATION, CONFIRMATION).html_body)

    assert ("html", {"lang": "en"}) in structure.attributes
    assert {"title", "main", "h1", "table", "caption", "thead", "tbody", "tfoot"} <= set(structure.tags)
    headers = [attributes for tag, attributes in structure.attributes if tag == "th"]
    assert headers and all(attributes.get("scope") in ("col", "row") for attributes in headers)
    assert all("alt" in attributes for tag, attributes in structure.attributes if tag == "img")


def test_refund_mail_says_what_was_refunded_and_what_remains():
    mail = render_mail(
        MailKind.REFUND_CONFIRMED,
        {
            "order_id": "SO-ABCDE-12345",
            "customer_name": "Ada",
            "currency": "EUR",
            "refund_cents": 1225,
            "remaining_cents": 2450,
            "order_url": ORDER_URL,
        },
    )

    assert mail.subject == "Refund for your order SO-ABCDE-12345"
    assert "Refunded now: €12.25" in mail.text_body and "What remains paid: €24.50" in mail.text_body
    assert "€12.25" in mail.html_body and "€24.50" in mail.html_body and ORDER_URL in mail.html_body


@pytest.mark.parametrize("closed_status, word", [("expired", "closed"), ("canceled", "canceled")])
def test_closed_unpaid_mail_says_nothing_was_charged_and_links_back_to_the_shop(closed_status, word):
    mail = render_mail(
        MailKind.ORDER_CLOSED,
        {
            "order_id": "SO-ABCDE-12345",
            "customer_name": "Ada",
            "closed_status": closed_status,
            "shop_url": "https://shop.example.com/",
        },
    )

    assert "Nothing was charged" in mail.text_body and "Nothing was charged" in mail.html_body
    assert f"the order is {word}" in mail.text_body
    assert "https://shop.example.com/" in _Structure(mail.html_body).links


def test_staff_alert_names_the_reason_and_links_to_the_staff_page():
    staff_url = "https://shop.example.com/staff/orders/SO-ABCDE-12345/"
    mail = render_mail(
        MailKind.STAFF_ALERT,
        {"order_id": "SO-ABCDE-12345", "reason": AlertReason.DOUBLE_PAYMENT, "staff_order_url": staff_url},
    )

    assert mail.subject == "[Staff] Order SO-ABCDE-12345 needs attention: A second payment was received for the order"
    assert "Reason: A second payment was received for the order." in mail.text_body
    assert staff_url in _Structure(mail.html_body).links and staff_url in mail.text_body


def test_a_mail_without_what_it_needs_is_refused():
    with pytest.raises(IncompleteMailContext, match="order_url"):
        render_mail(
            MailKind.ORDER_CONFIRMATION, {key: value for key, value in CONFIRMATION.items() if key != "order_url"}
        )
    with pytest.raises(ValueError, match="not a valid AlertReason"):
        render_mail(MailKind.STAFF_ALERT, {"order_id": "SO-1", "reason": "bored", "staff_order_url": "x"})
