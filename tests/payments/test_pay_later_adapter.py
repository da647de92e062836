"""The Mollie adapter's pay-later calls against the sandbox (issue 30): captureMode manual, the
authorized status with captureBefore, captures (with our key, found again after a lost answer)
and release; the methods list per billing country."""

from datetime import UTC, datetime

import pytest

from payments import mollie
from payments.services import methods_for


def eur(value):
    return {"currency": "EUR", "value": value}


ADDRESS = {
    "givenName": "Ada",
    "familyName": "Lovelace",
    "streetAndNumber": "Keizersgracht 1",
    "postalCode": "1015 AA",
    "city": "Amsterdam",
    "country": "NL",
    "email": "ada@example.com",
}
LINES = [
    {
        "description": "Espresso cup",
        "quantity": 2,
        "unitPrice": eur("12.50"),
        "totalAmount": eur("25.00"),
        "vatRate": "21.00",
        "vatAmount": eur("4.34"),
    }
]


def authorized_payment(sandbox, method="klarna"):
    payment = mollie.create_payment(
        amount_cents=2500,
        currency="EUR",
        description="Order 1",
        redirect_url="http://127.0.0.1:8000/thanks",
        webhook_url=None,
        metadata={"order": "1"},
        idempotency_key=f"pay-{method}",
        method=method,
        order_fields={"lines": LINES, "billingAddress": ADDRESS},
        capture_manually=True,
    )
    sandbox.set_status(payment.id, "authorized")
    return mollie.get_payment(payment.id)


def capture(payment_id, cents, key):
    return mollie.create_capture(
        payment_id=payment_id,
        amount_cents=cents,
        currency="EUR",
        description=f"Shipment {key}",
        idempotency_key=f"capture-{key}",
        capture_key=key,
    )


def test_an_authorized_payment_shows_its_capture_deadline(sandbox):
    payment = authorized_payment(sandbox)

    assert payment.status == "authorized" and payment.amount_captured_cents == 0
    assert payment.capture_before is not None and payment.capture_before > datetime.now(UTC)


def test_a_partial_capture_is_listed_with_our_key_and_counts_as_captured(sandbox):
    payment = authorized_payment(sandbox)

    made = capture(payment.id, 1250, "shp-1")

    assert (made.amount_cents, made.capture_key) == (1250, "shp-1")
    assert [(c.id, c.status, c.capture_key) for c in mollie.list_captures(payment.id)] == [
        (made.id, "succeeded", "shp-1")
    ]
    after = mollie.get_payment(payment.id)
    assert after.status == "authorized" and after.amount_captured_cents == 1250


def test_a_lost_capture_answer_is_found_by_listing_and_not_made_twice(sandbox):
    payment = authorized_payment(sandbox)
    sandbox.faults(api_lost_answer_rate=1)
    with pytest.raises(mollie.PaymentProviderUnavailable):
        capture(payment.id, 2500, "shp-1")
    sandbox.clear_faults()

    found = [c for c in mollie.list_captures(payment.id) if c.capture_key == "shp-1"]
    again = capture(payment.id, 2500, "shp-1")  # the same idempotency key: Mollie's answer again

    assert len(found) == 1 and again.id == found[0].id
    assert len(mollie.list_captures(payment.id)) == 1


def test_capturing_beyond_the_authorization_is_rejected(sandbox):
    payment = authorized_payment(sandbox)
    with pytest.raises(mollie.PaymentRejected) as error:
        capture(payment.id, 2501, "shp-1")
    assert error.value.field == "amount"


def test_release_cancels_an_authorization_with_nothing_captured(sandbox):
    payment = authorized_payment(sandbox, method="riverty")

    mollie.release_authorization(payment.id, idempotency_key="release-1")

    assert mollie.get_payment(payment.id).status == "canceled"


def test_releasing_twice_is_rejected_not_silent(sandbox):
    payment = authorized_payment(sandbox)
    mollie.release_authorization(payment.id)
    with pytest.raises(mollie.PaymentRejected):
        mollie.release_authorization(payment.id)


def test_pay_later_methods_are_offered_only_for_a_billing_country_they_serve(sandbox):
    def ids(country):
        return {m.id for m in methods_for(amount_cents=15000, currency="EUR", billing_country=country)}

    assert {"klarna", "riverty", "in3", "billie"} <= ids("NL")
    assert "in3" not in ids("DE")
    assert {"klarna", "riverty", "in3", "billie"}.isdisjoint(ids(None))
    described = {m.id: m.description for m in methods_for(amount_cents=15000, currency="EUR", billing_country="NL")}
    assert described["riverty"] == "Pay in 30 days with Riverty"
