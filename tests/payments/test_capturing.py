"""Capturing a pay-later payment per shipment (issue 30), against the Mollie sandbox: the shipped
lines' amount, shipping with the first parcel, exactly once even when the answer is lost, and a
failed capture made again under a new key."""

from datetime import UTC, datetime

import pytest

from payments import mollie
from payments.models import Order, OrderLine, Shipment
from payments.services.capturing import capture_shipment, shipment_capture_cents
from payments.shipment_models import ShippedLine
from tests.payments.test_pay_later_adapter import ADDRESS, eur


def order_of_38_90():
    return Order(
        "o-1",
        currency="EUR",
        lines=[
            OrderLine(slug="cup", name="Espresso cup", unit_price_cents=1250, quantity=2, vat_rate="21.00"),
            OrderLine(slug="beans", name="Coffee beans", unit_price_cents=895, quantity=1, vat_rate="9.00"),
        ],
        shipping_cents=495,
        total_cents=3890,
    )


def shipment(number, **quantities):
    lines = [ShippedLine(slug=slug, name=slug, quantity=quantity) for slug, quantity in quantities.items()]
    return Shipment("o-1", number, carrier="postnl", tracking_number="3S1", lines=lines, created_by="staff")


def authorized_payment(sandbox):
    lines = [
        {"description": "Espresso cup", "quantity": 2, "unitPrice": eur("12.50"), "totalAmount": eur("25.00")},
        {"description": "Coffee beans", "quantity": 1, "unitPrice": eur("8.95"), "totalAmount": eur("8.95")},
        {"type": "shipping_fee", "description": "Shipping", "quantity": 1, "unitPrice": eur("4.95"),
         "totalAmount": eur("4.95")},
    ]  # fmt: skip
    payment = mollie.create_payment(
        amount_cents=3890,
        currency="EUR",
        description="Order o-1",
        redirect_url="http://127.0.0.1:8000/thanks",
        webhook_url=None,
        metadata={"order": "o-1"},
        idempotency_key=f"pay-{datetime.now(UTC).timestamp()}",
        method="klarna",
        order_fields={"lines": lines, "billingAddress": ADDRESS},
        capture_manually=True,
    )
    sandbox.set_status(payment.id, "authorized")
    return payment.id


def test_the_first_shipment_captures_its_lines_and_shipping_the_last_the_rest(sandbox):
    payment_id, order = authorized_payment(sandbox), order_of_38_90()
    first, last = shipment(1, cup=1), shipment(2, cup=1, beans=1)

    assert shipment_capture_cents(order, first) + shipment_capture_cents(order, last) == order.total_cents
    assert capture_shipment(payment_id=payment_id, order=order, shipment=first).amount_cents == 1745
    assert mollie.get_payment(payment_id).status == "authorized"
    assert capture_shipment(payment_id=payment_id, order=order, shipment=last).amount_cents == 2145

    paid = mollie.get_payment(payment_id)
    assert paid.status == "paid" and paid.amount_captured_cents == 3890


def test_a_lost_capture_answer_leaves_exactly_one_capture(sandbox):
    payment_id, order, parcel = authorized_payment(sandbox), order_of_38_90(), shipment(1, cup=2)
    sandbox.faults(capture_lost_answer_rate=1)

    made = capture_shipment(payment_id=payment_id, order=order, shipment=parcel)
    again = capture_shipment(payment_id=payment_id, order=order, shipment=parcel)  # a retry, a second tab

    assert made.id == again.id
    assert [c.amount_cents for c in mollie.list_captures(payment_id)] == [2995]


def test_when_mollie_cannot_be_reached_and_nothing_was_captured_the_caller_hears_it(sandbox):
    payment_id, order = authorized_payment(sandbox), order_of_38_90()
    sandbox.faults(api_error_rate=1)
    with pytest.raises(mollie.PaymentProviderUnavailable):
        capture_shipment(payment_id=payment_id, order=order, shipment=shipment(1, cup=2))
    sandbox.clear_faults()
    assert mollie.list_captures(payment_id) == []


def test_a_failed_capture_is_reported_then_made_again_under_a_new_key(sandbox):
    payment_id, order, parcel = authorized_payment(sandbox), order_of_38_90(), shipment(1, cup=2)
    sandbox.faults(capture_failure_rate=1)

    failed = capture_shipment(payment_id=payment_id, order=order, shipment=parcel)  # pending, then failed
    sandbox.clear_faults()
    assert [c.status for c in mollie.list_captures(payment_id)] == ["failed"]

    retried = capture_shipment(payment_id=payment_id, order=order, shipment=parcel)

    assert retried.id != failed.id
    assert [c.status for c in mollie.list_captures(payment_id)] == ["succeeded", "failed"]
    assert mollie.get_payment(payment_id).amount_captured_cents == 2995
