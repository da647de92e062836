"""Payments API: create, get, list with paging, cancel, update, methods."""

import re
from datetime import datetime

import pytest
import requests
from mollie.api.error import UnprocessableEntityError

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def test_create_payment_has_mollies_shape(sandbox, client, payment_data):
    payment = client.payments.create(
        payment_data(webhookUrl="https://webshop.example.org/webhook/", metadata={"order_id": "12345"})
    )

    assert re.fullmatch(r"tr_[A-Za-z0-9]{10}", payment.id)
    assert payment.resource == "payment"
    assert payment.mode == "test"
    assert payment.status == "open" and payment.is_open()
    # No method chosen yet: not cancelable, as with Mollie (see test_sandbox_strictness.py).
    assert payment.is_cancelable is False
    assert payment.amount == {"currency": "EUR", "value": "10.00"}
    assert payment.description == "Order #12345"
    assert payment.metadata == {"order_id": "12345"}
    assert payment.sequence_type == "oneoff"
    assert payment.profile_id.startswith("pfl_")
    assert payment.webhook_url == "https://webshop.example.org/webhook/"
    assert payment.redirect_url == "https://webshop.example.org/order/12345/"
    assert payment.checkout_url == f"{sandbox.url}/checkout/{payment.id}"
    assert payment["_links"]["self"]["href"] == f"{sandbox.url}/v2/payments/{payment.id}"
    assert {"self", "checkout", "dashboard", "documentation"} <= set(payment["_links"])
    assert ISO.match(payment.created_at) and ISO.match(payment.expires_at)
    lifetime = datetime.fromisoformat(payment.expires_at) - datetime.fromisoformat(payment.created_at)
    assert lifetime.total_seconds() == 900
    assert not payment.is_paid()
    assert payment.amount_remaining is None and payment.amount_refunded is None
    assert not payment.has_refunds()


def test_create_answers_201_hal_json(sandbox, auth, payment_data):
    response = requests.post(f"{sandbox.url}/v2/payments", json=payment_data(), headers=auth, timeout=30)
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/hal+json"


def test_create_accepts_form_encoded_body(sandbox, client, auth):
    form = {
        "amount[currency]": "EUR",
        "amount[value]": "5.50",
        "description": "Form order",
        "redirectUrl": "https://webshop.example.org/return",
        "metadata[order_id]": "42",
    }
    response = requests.post(f"{sandbox.url}/v2/payments", data=form, headers=auth, timeout=30)
    assert response.status_code == 201, response.text
    payment = client.payments.get(response.json()["id"])
    assert payment.amount == {"currency": "EUR", "value": "5.50"}
    assert payment.metadata == {"order_id": "42"}


def test_get_returns_what_was_created(sandbox, client, payment_data):
    created = client.payments.create(
        payment_data(
            method="ideal",
            locale="nl_NL",
            cancelUrl="https://webshop.example.org/canceled",
            metadata={"cart": [1, 2, 3]},
        )
    )
    fetched = client.payments.get(created.id)
    assert fetched.id == created.id
    assert fetched.method == "ideal"
    assert fetched.locale == "nl_NL"
    assert fetched.cancel_url == "https://webshop.example.org/canceled"
    assert fetched.metadata == {"cart": [1, 2, 3]}
    assert dict(fetched) == dict(created)


def test_list_pages_newest_first(sandbox, client, payment_data):
    created = [client.payments.create(payment_data(description=f"Order {i}")).id for i in range(7)]
    newest_first = list(reversed(created))

    first = client.payments.list(limit=3)
    assert len(first) == 3 and first.count == 3
    assert [p.id for p in first] == newest_first[:3]
    assert first.has_next() and not first.has_previous()

    second = first.get_next()
    assert [p.id for p in second] == newest_first[3:6]
    assert second.has_next() and second.has_previous()
    assert second["_links"]["next"]["href"] == f"{sandbox.url}/v2/payments?from={newest_first[6]}&limit=3"

    third = second.get_next()
    assert [p.id for p in third] == newest_first[6:]
    assert not third.has_next()
    assert third.get_next() is None

    back = second.get_previous()
    assert [p.id for p in back] == newest_first[:3]


def test_list_defaults_to_50_and_caps_limit(sandbox, auth, client, payment_data):
    client.payments.create(payment_data())
    body = requests.get(f"{sandbox.url}/v2/payments", headers=auth, timeout=30).json()
    assert body["count"] == 1
    assert body["_links"]["self"]["href"].endswith("limit=50")
    assert body["_links"]["next"] is None and body["_links"]["previous"] is None
    for bad in ("0", "251", "many"):
        response = requests.get(f"{sandbox.url}/v2/payments", params={"limit": bad}, headers=auth, timeout=30)
        assert response.status_code == 400
        assert response.json()["field"] == "limit"


def test_cancel_open_payment(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(method="banktransfer"))
    canceled = client.payments.delete(payment.id)
    assert canceled.status == "canceled" and canceled.is_canceled()
    assert canceled.canceled_at is not None
    assert canceled.is_cancelable is False
    assert canceled.checkout_url is None
    assert client.payments.get(payment.id).status == "canceled"


def test_an_open_payment_can_be_made_non_cancelable(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())

    answer = requests.post(
        f"{sandbox.url}/_sandbox/payments/{payment.id}/cancelable", data={"cancelable": "false"}, timeout=30
    )

    assert answer.status_code == 200 and answer.json()["isCancelable"] is False
    assert client.payments.get(payment.id).is_cancelable is False
    with pytest.raises(UnprocessableEntityError):
        client.payments.delete(payment.id)
    assert client.payments.get(payment.id).status == "open"
    requests.post(f"{sandbox.url}/_sandbox/payments/{payment.id}/cancelable", data={"cancelable": "true"}, timeout=30)
    assert client.payments.delete(payment.id).status == "canceled"


def test_cancelable_switch_needs_true_or_false(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    answer = requests.post(
        f"{sandbox.url}/_sandbox/payments/{payment.id}/cancelable", data={"cancelable": "maybe"}, timeout=30
    )
    assert answer.status_code == 422 and answer.json()["field"] == "cancelable"


@pytest.mark.parametrize("status", ["paid", "pending", "canceled", "expired", "failed", "authorized"])
def test_cancel_refused_unless_open(sandbox, client, payment_data, set_status, status):
    payment = client.payments.create(payment_data())
    set_status(sandbox, payment.id, status)
    with pytest.raises(UnprocessableEntityError) as error:
        client.payments.delete(payment.id)
    assert error.value.status == 422
    assert client.payments.get(payment.id).status == status


def test_update_payment(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    changes = {
        "description": "Order #12346",
        "redirectUrl": "https://webshop.example.org/order/12346/",
        "webhookUrl": "https://webshop.example.org/webhook/",
        "metadata": {"order_id": "12346"},
    }
    updated = client.payments.update(payment.id, changes)
    fetched = client.payments.get(payment.id)
    for result in (updated, fetched):
        assert result.description == "Order #12346"
        assert result.redirect_url == "https://webshop.example.org/order/12346/"
        assert result.webhook_url == "https://webshop.example.org/webhook/"
        assert result.metadata == {"order_id": "12346"}
        assert result.amount == payment.amount


def test_update_validates_fields(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    with pytest.raises(UnprocessableEntityError) as error:
        client.payments.update(payment.id, {"webhookUrl": "ftp://webshop.example.org/hook"})
    assert error.value.field == "webhookUrl"


def test_methods(sandbox, client):
    methods = client.methods.list()
    assert [m.id for m in methods][:5] == ["ideal", "creditcard", "bancontact", "banktransfer", "paypal"]
    assert methods.count == 9  # and the four pay-later methods
    ideal = client.methods.get("ideal")
    assert ideal.description == "iDEAL"
    assert ideal.minimum_amount == {"value": "0.01", "currency": "EUR"}


def test_live_key_makes_live_payments(sandbox, client_for, payment_data):
    live = client_for(sandbox.url, "live_" + "y" * 30)
    assert live.payments.create(payment_data()).mode == "live"
