"""Refunds: partial, full, too much, listing, settling and canceling."""

import re

import pytest
import requests
from mollie.api.error import UnprocessableEntityError


@pytest.fixture
def paid_payment(sandbox, client, payment_data, set_status):
    """``paid_payment(**overrides)``: a payment of EUR 10.00, paid through the control API."""

    def make(**overrides):
        payment = client.payments.create(payment_data(**overrides))
        set_status(sandbox, payment.id, "paid")
        return client.payments.get(payment.id)

    return make


def eur(value):
    return {"currency": "EUR", "value": value}


def test_paid_payment_shows_refundable_amounts(paid_payment):
    payment = paid_payment()
    assert payment.is_paid()
    assert payment.amount_refunded == eur("0.00")
    assert payment.amount_remaining == eur("10.00")
    assert payment.can_be_refunded()
    assert not payment.has_refunds()


def test_partial_then_full_refund(sandbox, client, paid_payment):
    payment = paid_payment()
    partial = payment.refunds.create({"amount": eur("4.00"), "description": "One item", "metadata": {"line": 1}})
    assert re.fullmatch(r"re_[A-Za-z0-9]{10}", partial.id)
    assert partial.resource == "refund"
    assert partial.status in ("queued", "pending")
    assert partial.amount == eur("4.00")
    assert partial.payment_id == payment.id
    assert partial.description == "One item" and partial.metadata == {"line": 1}

    after_partial = client.payments.get(payment.id)
    assert after_partial.amount_remaining == eur("6.00")  # lowered at once; amountRefunded once processed
    assert after_partial.has_refunds()
    assert after_partial["_links"]["refunds"]["href"] == f"{sandbox.url}/v2/payments/{payment.id}/refunds"

    after_partial.refunds.create({"amount": eur("6.00")})
    refunded = client.payments.get(payment.id)
    assert refunded.amount_remaining == eur("0.00")
    assert refunded.status == "paid" and refunded.is_paid()

    with pytest.raises(UnprocessableEntityError) as error:
        refunded.refunds.create({"amount": eur("25.01")})  # beyond the EUR 25.00 allowance
    assert error.value.field == "amount"


def test_refund_more_than_remaining_is_refused(client, paid_payment):
    payment = paid_payment()
    with pytest.raises(UnprocessableEntityError) as error:
        payment.refunds.create({"amount": eur("35.01")})  # EUR 25.00 more than paid is allowed
    assert error.value.status == 422 and error.value.field == "amount"
    assert client.payments.get(payment.id).amount_remaining == eur("10.00")


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "amount"),
        ({"amount": {"currency": "USD", "value": "1.00"}}, "amount.currency"),
        ({"amount": {"currency": "EUR", "value": "1"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "0.00"}}, "amount"),
    ],
)
def test_refund_validation(paid_payment, body, field):
    with pytest.raises(UnprocessableEntityError) as error:
        paid_payment().refunds.create(body)
    assert error.value.field == field


@pytest.mark.parametrize("status", ["open", "pending", "failed", "canceled", "expired", "authorized"])
def test_only_paid_payments_can_be_refunded(sandbox, client, payment_data, set_status, status):
    payment = client.payments.create(payment_data())
    if status != "open":
        set_status(sandbox, payment.id, status)
    with pytest.raises(UnprocessableEntityError):
        client.payments.get(payment.id).refunds.create({"amount": eur("1.00")})


def test_list_and_get_refunds(paid_payment):
    payment = paid_payment()
    first = payment.refunds.create({"amount": eur("1.00")})
    second = payment.refunds.create({"amount": eur("2.00")})

    refunds = payment.refunds.list()
    assert refunds.count == 2
    assert [r.id for r in refunds] == [second.id, first.id]  # newest first, like payments

    page = payment.refunds.list(limit=1)
    assert [r.id for r in page] == [second.id]
    assert [r.id for r in page.get_next()] == [first.id]

    fetched = payment.refunds.get(first.id)
    assert fetched.id == first.id and fetched.amount == eur("1.00")
    assert fetched.get_payment().id == payment.id


def test_refund_settles_and_calls_webhook(sandbox, receiver, paid_payment, wait_until, logged_deliveries):
    payment = paid_payment(webhookUrl=receiver.url)
    refund = payment.refunds.create({"amount": eur("3.00")})
    # time_scale 0.01: a refund is refunded after 2 minutes * 0.01 s.
    wait_until(lambda: payment.refunds.get(refund.id).status == "refunded")
    expected = f"id={payment.id}"
    # paid, refund refunded (none on creation): each carries the payment id, as Mollie does.
    wait_until(lambda: len(receiver.bodies()) >= 2)
    assert receiver.bodies() == [expected] * 2
    events = [d["event"] for d in logged_deliveries(sandbox, 2)]
    assert sorted(events) == ["payment.paid", "refund.refunded"]


def test_cancel_queued_refund(sandbox, client, paid_payment):
    payment = paid_payment()
    refund = payment.refunds.create({"amount": eur("4.00")})
    # Queued through the control API, so it cannot settle before we cancel it.
    response = requests.post(f"{sandbox.url}/_sandbox/refunds/{refund.id}", data={"status": "queued"}, timeout=30)
    assert response.json()["status"] == "queued"

    assert payment.refunds.delete(refund.id) == {}  # 204 No Content
    assert payment.refunds.get(refund.id).status == "canceled"
    assert client.payments.get(payment.id).amount_remaining == eur("10.00")


def test_cancel_pending_refund(make_sandbox, client_for, payment_data, set_status):
    # At time_scale 1 a refund stays pending for 2 s: long enough to cancel it.
    server = make_sandbox(time_scale=1.0)
    client = client_for(server.url)
    payment = client.payments.create(payment_data())
    set_status(server, payment.id, "paid")
    refund = client.payments.get(payment.id).refunds.create({"amount": eur("4.00")})
    assert refund.status == "pending"
    payment.refunds.delete(refund.id)
    assert payment.refunds.get(refund.id).status == "canceled"


def test_refunded_refund_cannot_be_canceled(sandbox, paid_payment, wait_until):
    payment = paid_payment()
    refund = payment.refunds.create({"amount": eur("4.00")})
    wait_until(lambda: payment.refunds.get(refund.id).status == "refunded")
    with pytest.raises(UnprocessableEntityError):
        payment.refunds.delete(refund.id)
