"""The local mailbox (`make run`'s banner links it): every mail sent through the local SES."""

import re

import requests
from pynamodb.transactions import TransactWrite

from config import dynamodb
from notifications.models import MailKind
from notifications.services import deliver, outbox_item


def _send_closed_mail(order_id, name):
    item = outbox_item(
        order_id=order_id,
        kind=MailKind.ORDER_CLOSED,
        event_id="expired",
        to=["ada@example.com"],
        context={"customer_name": name, "closed_status": "expired", "shop_url": "http://127.0.0.1:8000/"},
    )
    with TransactWrite(connection=dynamodb.connection()) as transaction:
        item.put_in(transaction)
    assert deliver(item.key) == "sent"


def test_mailbox_lists_every_mail_newest_first_and_opens_each_as_html_text_and_headers(local_ses, local_aws):
    _send_closed_mail("SO-MAIL-00001", "First")
    _send_closed_mail("SO-MAIL-00002", "Second")
    newest, older = local_ses.new_mails()

    listing = requests.get(local_aws.mailbox_url, timeout=5)
    assert listing.status_code == 200
    subjects = re.findall(r"Your order SO-MAIL-0000\d was not completed", listing.text)
    assert subjects[:2] == ["Your order SO-MAIL-00002 was not completed", "Your order SO-MAIL-00001 was not completed"]
    assert (newest.subject, older.subject) == (
        "Your order SO-MAIL-00002 was not completed",
        "Your order SO-MAIL-00001 was not completed",
    )

    page = requests.get(f"{local_aws.mailbox_url}{newest.message_id}/", timeout=5)
    assert page.status_code == 200
    assert "Hello Second," in page.text  # the text part
    assert "multipart/alternative" in page.text and "orders@shop.example.com" in page.text  # headers
    assert '<iframe src="html"' in page.text

    as_html = requests.get(f"{local_aws.mailbox_url}{newest.message_id}/html", timeout=5)
    assert as_html.status_code == 200 and as_html.text == newest.html and '<html lang="en">' in as_html.text
    assert as_html.headers["Content-Security-Policy"].startswith("sandbox")


def test_a_script_can_ask_the_mailbox_for_one_orders_mails_only(local_ses):
    _send_closed_mail("SO-MAIL-00003", "Third")
    _send_closed_mail("SO-MAIL-00004", "Fourth")

    [mail] = local_ses.new_mails(subject_contains="SO-MAIL-00004")

    assert mail.subject == "Your order SO-MAIL-00004 was not completed" and "Hello Fourth," in mail.text
    assert len(local_ses.new_mails()) == 2


def test_mailbox_answers_unknown_mails_and_writes_with_clear_errors(local_aws):
    assert requests.get(f"{local_aws.mailbox_url}no-such-mail/", timeout=5).status_code == 404
    assert requests.get(f"{local_aws.mailbox_url}no-such-mail/attachments", timeout=5).status_code == 404
    assert requests.post(local_aws.mailbox_url, timeout=5).status_code == 405
