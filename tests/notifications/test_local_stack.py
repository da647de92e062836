"""`make run`: the banner names the mailbox, and the shop's SES path lands there."""

import re

import pytest
import requests
from pynamodb.transactions import TransactWrite

from config import dynamodb
from notifications.models import MailKind
from notifications.services import deliver, outbox_item
from tests.config.test_foundation import _free_port, _start_runserver, _stop


@pytest.mark.no_tables
def test_runserver_banner_names_the_mailbox_which_shows_what_the_shop_sent(tmp_path, monkeypatch, settings):
    stack_port, port = _free_port(), _free_port()
    stack_url = f"http://127.0.0.1:{stack_port}"
    monkeypatch.setenv("LOCAL_STACK_PORT", str(stack_port))

    test_tables = dynamodb.current_target()
    process = _start_runserver(port, tmp_path / "dynamodb.json")
    try:
        empty = requests.get(f"{stack_url}/_mailbox/", timeout=10)
        # The shop's own path, as a command next to `make run` takes it: DynamoDB and SES both the stack's.
        dynamodb.configure(host=stack_url, prefix="rs-")
        settings.SES_ENDPOINT_URL, settings.DYNAMODB_ENDPOINT_URL = None, stack_url
        settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"  # pytest-django's is locmem
        item = outbox_item(
            order_id="SO-RUN-00001",
            kind=MailKind.ORDER_CLOSED,
            event_id="expired",
            to=["ada@example.com"],
            context={"customer_name": "Ada", "closed_status": "expired", "shop_url": f"http://127.0.0.1:{port}/"},
        )
        with TransactWrite(connection=dynamodb.connection()) as transaction:
            item.put_in(transaction)
        outcome = deliver(item.key)
        stored = item.refresh(consistent_read=True) or item
        mailbox = requests.get(f"{stack_url}/_mailbox/", timeout=10)
    finally:
        dynamodb.configure(host=test_tables.host, prefix=test_tables.prefix)
        output = _stop(process)

    assert f"Mailbox (every mail sent through the local SES): {stack_url}/_mailbox/" in output
    assert empty.status_code == 200 and "No mail yet" in empty.text
    assert outcome == "sent", stored.last_error
    assert re.search(r"Your order SO-RUN-00001 was not completed", mailbox.text)
