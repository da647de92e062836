"""Conformance: bank transfers as Mollie runs them (issue 19), through the real mollie-api-python.

Mollie's bank transfer (docs.mollie.com, "Bank transfer" and "Create payment": dueDate): the
payment stays `open` with the transfer instructions in `details` (bankName, bankAccount, bankBic,
transferReference), expires 12 days later by default or after `dueDate` ("the minimum date is
tomorrow and the maximum date is 100 days after tomorrow"), and can be canceled while open
(mollie/api-documentation#675). Mollie calls the webhook when the money arrives or it expires.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from mollie.api.error import UnprocessableEntityError

DAY = 24 * 3600


def lifetime_days(payment):
    lifetime = datetime.fromisoformat(payment.expires_at) - datetime.fromisoformat(payment.created_at)
    return lifetime.total_seconds() / DAY


def reference_is_valid(reference):
    """ISO 11649: RF, two check digits, the rest; mod 97 of the rearranged number is 1."""
    compact = reference.replace("-", "")
    rearranged = compact[4:] + compact[:4]
    return compact.startswith("RF") and int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def advance_clock(server, seconds):
    requests.post(f"{server.url}/_sandbox/clock", json={"seconds": seconds}, timeout=30).raise_for_status()


def test_bank_transfer_payment_is_open_with_instructions(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(method="banktransfer"))
    assert payment.status == "open" and payment.is_cancelable is True
    assert lifetime_days(payment) == 12
    details = payment.details
    assert details["bankName"] == "Stichting Mollie Payments"
    assert details["bankAccount"].startswith("NL") and details["bankBic"] == "ABNANL2A"
    assert reference_is_valid(details["transferReference"])
    # The hosted page shows the same instructions.
    page = requests.get(payment.checkout_url, timeout=30).text
    assert "Bank transfer instructions" in page and details["transferReference"] in page


@pytest.mark.parametrize("status", ["paid", "open", "failed"])
def test_choosing_bank_transfer_in_the_checkout_leaves_it_open(sandbox, client, payment_data, receiver, status):
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    chosen = requests.post(
        payment.checkout_url, data={"method": "banktransfer", "status": status}, allow_redirects=False, timeout=30
    )
    assert chosen.status_code == 303 and chosen.headers["Location"] == payment.redirect_url
    open_transfer = client.payments.get(payment.id)
    assert open_transfer.status == "open" and open_transfer.method == "banktransfer"
    assert open_transfer.is_cancelable is True and lifetime_days(open_transfer) == 12
    assert set(open_transfer.details) >= {"bankName", "bankAccount", "bankBic", "transferReference"}
    assert requests.get(f"{sandbox.url}/_sandbox/webhooks", timeout=30).json() == []  # no webhook for open


def test_due_date_sets_when_it_expires(sandbox, client, payment_data):
    due = date.today() + timedelta(days=30)
    payment = client.payments.create(payment_data(method="banktransfer", dueDate=due.isoformat()))
    # The shopper may pay all through the due date.
    expected = datetime.combine(due + timedelta(days=1), datetime.min.time(), UTC)
    assert datetime.fromisoformat(payment.expires_at) == expected


@pytest.mark.parametrize("due", ["today", "101 days after tomorrow", "2026-13-01", "next week"])
def test_due_date_out_of_range_is_refused(sandbox, client, payment_data, due):
    tomorrow = date.today() + timedelta(days=1)
    value = {"today": date.today().isoformat(), "101 days after tomorrow": (tomorrow + timedelta(days=101)).isoformat()}
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.create(payment_data(method="banktransfer", dueDate=value.get(due, due)))
    assert refused.value.field == "dueDate"


def test_transfer_settled_later_through_the_control_api(
    sandbox, client, payment_data, receiver, set_status, logged_deliveries
):
    payment = client.payments.create(payment_data(method="banktransfer", webhookUrl=receiver.url))
    advance_clock(sandbox, 3 * DAY)  # the money takes a few days
    assert client.payments.get(payment.id).status == "open"
    set_status(sandbox, payment.id, "paid")
    assert [d["event"] for d in logged_deliveries(sandbox, 1)] == ["payment.paid"]
    paid = client.payments.get(payment.id)
    assert paid.is_paid() and paid.method == "banktransfer"
    # Mollie adds who sent the money to the instructions.
    assert paid.details["transferReference"] == payment.details["transferReference"]
    assert paid.details["consumerName"] == "T. TEST" and paid.details["consumerAccount"].startswith("NL")


def test_transfer_expires_at_its_date_with_a_webhook(sandbox, client, payment_data, receiver, logged_deliveries):
    due = date.today() + timedelta(days=5)
    payment = client.payments.create(
        payment_data(method="banktransfer", dueDate=due.isoformat(), webhookUrl=receiver.url)
    )
    advance_clock(sandbox, 5 * DAY)  # on the due date: still open
    assert client.payments.get(payment.id).status == "open"
    advance_clock(sandbox, 1 * DAY + 60)
    expired = client.payments.get(payment.id)
    assert expired.status == "expired" and expired.is_cancelable is False
    assert [d["event"] for d in logged_deliveries(sandbox, 1)] == ["payment.expired"]


def test_open_transfer_can_be_canceled_card_cannot(sandbox, client, payment_data):
    transfer = client.payments.create(payment_data())
    requests.post(
        transfer.checkout_url, data={"method": "banktransfer", "status": "open"}, allow_redirects=False, timeout=30
    )
    assert client.payments.delete(transfer.id).status == "canceled"
    card = client.payments.create(payment_data(method="creditcard"))
    with pytest.raises(UnprocessableEntityError):
        client.payments.delete(card.id)


def test_clock_control_refuses_bad_input(sandbox):
    for body in ({}, {"seconds": -1}, {"seconds": "soon"}, {"seconds": "NaN"}, {"seconds": 1e308}, {"seconds": True}):
        answer = requests.post(f"{sandbox.url}/_sandbox/clock", json=body, timeout=30)
        assert answer.status_code == 422 and answer.json()["field"] == "seconds"
