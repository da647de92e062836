"""Text a person types that reaches other people: names stay on one line, and no text carries
control characters into mails, Mollie's pages, bank statements or staff pages."""

import html

import pytest

from notifications.models import MailKind
from notifications.rendering import render_mail
from payments.models import Refund
from shop.models import Article
from tests.staff.test_order_actions import refund_key_from, refund_url

FORGED_NAME = "Customer\nURGENT: your card was charged twice, call +31 20 000 0000"


def page_text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    "name",
    [FORGED_NAME, "Customer\r\nURGENT", "Ada\tLovelace", "Ada\x1b[31m", "Ada \u202eecnalovoL", "Ada\u2028Lovelace"],
)
def test_checkout_refuses_a_name_of_several_lines_or_with_control_characters(shopper, name):
    shopper.add("espresso-cup")

    response = shopper.checkout(name=name)

    assert response.status_code == 422
    assert "Please keep this on one line" in page_text(response)
    assert "last_order_id" not in shopper.client.session and shopper.sandbox.payments() == []


@pytest.mark.parametrize("name", ["Zoë Ødegård-Łukasiewicz", "محمد\u200cرضا", "José 👩\u200d🍳"])
def test_names_in_any_script_still_check_out(shopper, name):
    shopper.buy(name=name)

    assert shopper.last_order().customer_name == name


def test_a_name_stored_before_the_check_stays_one_line_in_the_mail():
    mail = render_mail(
        MailKind.ORDER_CLOSED,
        {"order_id": "SO-AAAAA-BBBBB", "customer_name": FORGED_NAME, "closed_status": "expired", "shop_url": "x"},
    )

    assert "Hello Customer URGENT: your card was charged twice, call +31 20 000 0000," in mail.text_body
    assert not any(line.startswith("URGENT") for line in mail.text_body.splitlines())


def test_an_article_name_stays_one_line_and_a_description_keeps_its_lines_only(staff_client, catalog):
    article = {"slug": "travel-mug", "price": "19.95", "currency": "EUR", "active": "on"}

    two_lines = staff_client.post("/staff/articles/add/", {**article, "name": "Travel mug\nFREE with code"})
    escape = staff_client.post("/staff/articles/add/", {**article, "name": "Mug", "description": "Hot\x1b[2J"})
    fine = staff_client.post("/staff/articles/add/", {**article, "name": "Mug", "description": "Hot.\r\nAnd\tlarge."})

    assert two_lines.status_code == escape.status_code == 422
    assert "Please keep this on one line" in page_text(two_lines)
    assert "Please remove the special control characters" in page_text(escape)
    assert fine.status_code == 302 and Article.get("travel-mug").description == "Hot.\nAnd\tlarge."


def test_a_refund_note_for_the_bank_statement_stays_one_line(staff_client, paid_order_of_two_cups, sandbox):
    form = staff_client.get(refund_url(paid_order_of_two_cups))

    response = staff_client.post(
        refund_url(paid_order_of_two_cups),
        {"amount": "1.00", "description": "Refund\nCall us at …", "refund_key": refund_key_from(form)},
    )

    assert response.status_code == 422 and "Please keep this on one line" in page_text(response)
    assert list(Refund.query(paid_order_of_two_cups.order_id)) == []
