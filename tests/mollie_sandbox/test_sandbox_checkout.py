"""The hosted checkout page, its outcomes, their webhooks, and expiry."""

import html
import re

import pytest
import requests

TIMESTAMPS = {"paid": "paidAt", "failed": "failedAt", "canceled": "canceledAt", "expired": "expiredAt"}


def choose(checkout_url, status):
    return requests.post(checkout_url, data={"status": status}, allow_redirects=False, timeout=30)


def test_page_is_accessible_and_shows_the_payment(sandbox, client, payment_data):
    payment = client.payments.create(
        payment_data(amount={"currency": "EUR", "value": "1234.50"}, description="Books & <b>pens</b>")
    )
    response = requests.get(payment.checkout_url, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert '<html lang="en">' in page
    assert re.search(r"<title>[^<]+</title>", page)
    assert re.search(r"<h1>[^<]+</h1>", page)
    assert "€\u00a01234.50" in page
    assert html.escape("Books & <b>pens</b>") in page and "<b>pens</b>" not in page
    assert re.search(r'<form method="post"', page)
    labels = re.findall(r'<button type="submit" name="status" value="\w+">(\w+)</button>', page)
    assert labels == ["Paid", "Failed", "Canceled", "Expired", "Pending"]


@pytest.mark.parametrize("status", ["paid", "failed", "canceled", "expired"])
def test_outcome_sets_status_redirects_and_calls_webhook(sandbox, client, receiver, payment_data, wait_until, status):
    # A payment bound to one method: its failure or cancel is final (with no method, see
    # test_sandbox_strictness.py).
    payment = client.payments.create(payment_data(webhookUrl=receiver.url, method="creditcard"))
    response = choose(payment.checkout_url, status)
    assert response.status_code == 303
    assert response.headers["Location"] == "https://webshop.example.org/order/12345/"

    after = client.payments.get(payment.id)
    assert after.status == status
    assert after[TIMESTAMPS[status]] is not None
    assert after.is_paid() is (status == "paid")
    assert after.is_cancelable is False and after.checkout_url is None

    wait_until(lambda: receiver.calls)
    [call] = receiver.calls
    assert call["body"] == f"id={payment.id}"
    assert call["content_type"] == "application/x-www-form-urlencoded"
    assert call["path"] == "/webhook"


def test_cancel_goes_to_cancel_url_when_given(sandbox, client, payment_data):
    payment = client.payments.create(
        payment_data(cancelUrl="https://webshop.example.org/canceled", method="creditcard")
    )
    response = choose(payment.checkout_url, "canceled")
    assert response.headers["Location"] == "https://webshop.example.org/canceled"


def test_pending_has_no_webhook_until_settled(sandbox, client, receiver, payment_data, set_status, logged_deliveries):
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    response = choose(payment.checkout_url, "pending")
    assert response.status_code == 303
    pending = client.payments.get(payment.id)
    assert pending.status == "pending" and pending.is_pending()
    assert pending.is_cancelable is False

    # Settled later through the control API; that webhook is the first and only one.
    set_status(sandbox, payment.id, "paid")
    deliveries = logged_deliveries(sandbox, 1)
    assert [d["event"] for d in deliveries] == ["payment.paid"]
    assert receiver.bodies() == [f"id={payment.id}"]
    assert client.payments.get(payment.id).is_paid()


def test_page_for_a_closed_payment(sandbox, client, payment_data, set_status):
    payment = client.payments.create(payment_data())
    checkout_url = payment.checkout_url
    set_status(sandbox, payment.id, "paid")

    page = requests.get(checkout_url, timeout=30)
    assert page.status_code == 200
    assert "no longer open" in page.text
    assert 'href="https://webshop.example.org/order/12345/"' in page.text
    assert "<button" not in page.text

    again = choose(checkout_url, "failed")
    assert again.status_code == 409
    assert client.payments.get(payment.id).status == "paid"


def test_unknown_payment_and_unknown_outcome(sandbox, client, payment_data):
    assert requests.get(f"{sandbox.url}/checkout/tr_unknown0000", timeout=30).status_code == 404
    assert choose(f"{sandbox.url}/checkout/tr_unknown0000", "paid").status_code == 404
    payment = client.payments.create(payment_data())
    assert choose(payment.checkout_url, "refunded").status_code == 400
    assert client.payments.get(payment.id).status == "open"


def test_open_payment_expires_and_calls_webhook(make_sandbox, client_for, receiver, payment_data, wait_until):
    server = make_sandbox(expiry_seconds=1)
    client = client_for(server.url)
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    assert payment.expires_at is not None

    # Nobody reads it: the background sweep expires it and calls the webhook.
    wait_until(lambda: receiver.calls, timeout=5)
    assert receiver.bodies() == [f"id={payment.id}"]
    expired = client.payments.get(payment.id)
    assert expired.status == "expired" and expired.expired_at is not None
    assert expired.is_cancelable is False and expired.checkout_url is None
    assert "no longer open" in requests.get(f"{server.url}/checkout/{payment.id}", timeout=30).text


def test_expiry_is_checked_on_read(make_sandbox, client_for, payment_data, wait_until):
    server = make_sandbox(expiry_seconds=0.3)
    client = client_for(server.url)
    payment = client.payments.create(payment_data())
    wait_until(lambda: client.payments.get(payment.id).status == "expired", timeout=5)
    assert [p.status for p in client.payments.list()] == ["expired"]
