"""What the thank-you page says about how the order was paid, and a transfer's instructions:
the presenter on its own (items built in memory, no DynamoDB)."""

from datetime import UTC, datetime, timedelta

import pytest

from payments.models import MethodDetails, Order, PaymentAttempt
from shop.order_status import paid_with, shopper_view, transfer_instructions

pytestmark = pytest.mark.pure

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def an_order(status="paid", **fields):
    return Order(
        "SO-AAAAA-BBBBB",
        public_token="t",
        customer_name="Ada",
        customer_email="ada@example.com",
        lines=[],
        total_cents=1250,
        status=status,
        created_at=NOW,
        updated_at=NOW,
        expires_at=NOW + timedelta(hours=2),
        **{"paid_attempt_no": 1 if status == "paid" else None, **fields},
    )


def an_attempt(method, status="paid", **details):
    return PaymentAttempt(
        "SO-AAAAA-BBBBB",
        1,
        status=status,
        idempotency_key="k",
        amount_cents=1250,
        currency="EUR",
        method=method,
        method_details=MethodDetails(**details) if details else None,
        mollie_expires_at=NOW + timedelta(days=12),
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    "method, details, said",
    [
        ("ideal", {"consumerBic": "INGBNL2A"}, "Paid with iDEAL (ING)"),
        ("ideal", {"consumerBic": "ZZZZNL2A"}, "Paid with iDEAL"),  # a bank we do not know by name
        ("creditcard", {"cardNumber": "4242", "cardLabel": "Visa"}, "Paid by card ending 4242 (Visa)"),
        ("creditcard", {}, "Paid with card"),
        ("paypal", {"consumerAccount": "ada@example.com"}, "Paid with PayPal"),
        ("klarna", {}, "Paid with Klarna"),
        ("przelewy24x", {}, "Paid with przelewy24x"),  # a method Mollie added later: its id
    ],
)
def test_how_it_was_paid(method, details, said):
    assert paid_with(an_order(), an_attempt(method, **details)) == said


def test_nothing_is_said_before_it_is_paid_or_for_another_attempt():
    assert paid_with(an_order(status="pending_payment"), an_attempt("ideal", status="open")) == ""
    assert paid_with(an_order(paid_attempt_no=2), an_attempt("ideal")) == ""


def test_an_open_transfer_has_instructions_and_a_paid_one_none():
    details = {
        "bankName": "Stichting Mollie Payments",
        "bankAccount": "NL53INGB0654422370",
        "transferReference": "RF45",
    }
    waiting = an_order(status="pending_payment", latest_attempt_status="open", latest_method="banktransfer")

    instructions = transfer_instructions(waiting, an_attempt("banktransfer", status="open", **details))

    assert (instructions.account, instructions.reference, instructions.amount_cents) == (
        "NL53INGB0654422370",
        "RF45",
        1250,
    )
    assert instructions.pay_before == NOW + timedelta(days=12)
    assert shopper_view(waiting).state == "awaiting_transfer" and not shopper_view(waiting).keep_polling
    assert transfer_instructions(an_order(), an_attempt("banktransfer", **details)) is None
