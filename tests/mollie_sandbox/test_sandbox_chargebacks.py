"""Conformance: chargebacks as Mollie reports them (issue 19), read with the real mollie-api-python.

Mollie's Chargebacks API ("List payment chargebacks", "Get payment chargeback",
docs.mollie.com): `chb_…` with amount, settlementAmount, reason, createdAt and reversedAt; the
payment gains amountChargedBack and `_links.chargebacks`; Mollie calls the payment's webhook when
a chargeback is received or reversed (docs.mollie.com, "Webhooks"). The sandbox makes them
through its control API, as a shopper's bank would.
"""

import pytest
import requests
from mollie.api.error import NotFoundError, UnprocessableEntityError
from mollie.api.objects.chargeback import Chargeback


def eur(value):
    return {"currency": "EUR", "value": value}


def charge_back(server, payment_id, **body):
    return requests.post(f"{server.url}/_sandbox/payments/{payment_id}/chargebacks", json=body, timeout=30)


@pytest.fixture
def paid_payment(sandbox, client, payment_data, receiver, set_status, logged_deliveries):
    payment = client.payments.create(payment_data(amount=eur("50.00"), webhookUrl=receiver.url))
    set_status(sandbox, payment.id, "paid")
    logged_deliveries(sandbox, 1)
    return client.payments.get(payment.id)


def test_chargeback_reaches_the_client_in_mollies_shape(sandbox, client, paid_payment, receiver, logged_deliveries):
    made = charge_back(sandbox, paid_payment.id, reason="MD06")
    assert made.status_code == 201
    chargeback_id = made.json()["id"]
    assert chargeback_id.startswith("chb_")

    # The webhook tells the shop to fetch the payment, as for any other change.
    events = [d["event"] for d in logged_deliveries(sandbox, 2)]
    assert events == ["payment.paid", "chargeback.received"]
    assert receiver.bodies()[-1] == f"id={paid_payment.id}"

    payment = client.payments.get(paid_payment.id)
    assert payment.status == "paid"  # a chargeback does not change the status
    assert payment.has_chargebacks()
    assert payment.amount_chargedback == eur("50.00")  # the whole payment when no amount is given
    assert payment.amount_remaining == eur("0.00")  # nothing left to refund
    with pytest.raises(UnprocessableEntityError):
        payment.refunds.create({"amount": eur("1.00")})

    [listed] = list(payment.chargebacks.list())
    assert isinstance(listed, Chargeback) and listed.id == chargeback_id
    chargeback = payment.chargebacks.get(chargeback_id)
    assert chargeback.amount == eur("50.00")
    assert chargeback.settlement_amount == eur("-50.00")
    assert chargeback.reason == {"code": "MD06", "description": "Refund request by end customer"}
    assert chargeback.created_at is not None and chargeback.reversed_at is None
    assert chargeback.payment_id == paid_payment.id
    assert chargeback.get_payment().id == paid_payment.id


def test_partial_chargebacks_add_up_and_a_reversal_gives_the_money_back(
    sandbox, client, paid_payment, logged_deliveries
):
    first = charge_back(
        sandbox,
        paid_payment.id,
        amount=eur("20.00"),
        reason={"code": "4837", "description": "No cardholder authorisation"},
    ).json()
    charge_back(sandbox, paid_payment.id, amount=eur("5.00"))
    payment = client.payments.get(paid_payment.id)
    assert payment.amount_chargedback == eur("25.00") and payment.amount_remaining == eur("25.00")
    assert payment.chargebacks.list().count == 2

    reversed_ = requests.post(f"{sandbox.url}/_sandbox/chargebacks/{first['id']}/reverse", timeout=30)
    assert reversed_.status_code == 200
    events = [d["event"] for d in logged_deliveries(sandbox, 4)]
    assert events[-1] == "chargeback.reversed"
    payment = client.payments.get(paid_payment.id)
    assert payment.chargebacks.get(first["id"]).reversed_at is not None
    assert payment.amount_chargedback == eur("5.00") and payment.amount_remaining == eur("45.00")
    # Reversed once only.
    again = requests.post(f"{sandbox.url}/_sandbox/chargebacks/{first['id']}/reverse", timeout=30)
    assert again.status_code == 422


def test_embedded_chargebacks(sandbox, client, paid_payment):
    charge_back(sandbox, paid_payment.id, amount=eur("1.00"))
    payment = client.payments.get(paid_payment.id, embed="chargebacks")
    assert [c["amount"] for c in payment["_embedded"]["chargebacks"]] == [eur("1.00")]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": eur("50.01")}, "amount"),
        ({"amount": eur("0.00")}, "amount"),
        ({"amount": {"currency": "USD", "value": "1.00"}}, "amount.currency"),
        ({"amount": "10.00"}, "amount"),
        ({"reason": 42}, "reason"),
    ],
)
def test_bad_chargebacks_get_mollies_error_shape(sandbox, paid_payment, body, field):
    refused = charge_back(sandbox, paid_payment.id, **body)
    assert refused.status_code == 422 and refused.json()["field"] == field
    assert refused.json()["title"] == "Unprocessable Entity"


def test_only_a_paid_payment_can_be_charged_back(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    assert charge_back(sandbox, payment.id).status_code == 422
    assert charge_back(sandbox, "tr_unknown0000").status_code == 404
    assert requests.post(f"{sandbox.url}/_sandbox/chargebacks/chb_unknown000/reverse", timeout=30).status_code == 404
    fresh = client.payments.get(payment.id)
    assert not fresh.has_chargebacks() and fresh.amount_chargedback is None
    with pytest.raises(NotFoundError):
        fresh.chargebacks.get("chb_unknown000")


# "List chargebacks" (docs.mollie.com, Chargebacks API): all of them, newest first, paged; how a
# shop finds chargebacks whose webhook it missed.
def test_all_chargebacks_newest_first(sandbox, client, payment_data, set_status):
    made = []
    for _ in range(3):
        payment = client.payments.create(payment_data())
        set_status(sandbox, payment.id, "paid")
        made.append(charge_back(sandbox, payment.id, amount=eur("1.00")).json()["id"])
    first_page = client.chargebacks.list(limit=2)
    assert [c.id for c in first_page] == [made[2], made[1]]
    assert [c.id for c in first_page.get_next()] == [made[0]]
