"""Properties over many amounts: what goes in comes out, refunds never exceed the payment."""

from decimal import Decimal

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mollie.api.error import UnprocessableEntityError

from .conftest import make_client

CENTS = st.integers(min_value=1, max_value=5_000_000)  # 0.01 .. 50000.00
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def as_value(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def create(client, cents):
    return client.payments.create(
        {
            "amount": {"currency": "EUR", "value": as_value(cents)},
            "description": "Property",
            "redirectUrl": "https://webshop.example.org/return",
        }
    )


@SETTINGS
@given(cents=CENTS)
def test_amount_round_trips(sandbox_server, cents):
    client = make_client(sandbox_server.url)
    payment = create(client, cents)
    assert client.payments.get(payment.id).amount == {"currency": "EUR", "value": as_value(cents)}


@SETTINGS
@given(total=CENTS, attempts=st.lists(st.integers(min_value=1, max_value=5_000_000), max_size=6))
def test_refunds_never_exceed_the_payment(sandbox_server, total, attempts):
    client = make_client(sandbox_server.url)
    payment = create(client, total)
    requests.post(f"{sandbox_server.url}/_sandbox/payments/{payment.id}", data={"status": "paid"})
    payment = client.payments.get(payment.id)

    refunded = 0
    for cents in attempts:
        try:
            payment.refunds.create({"amount": {"currency": "EUR", "value": as_value(cents)}})
        except UnprocessableEntityError as error:
            assert refunded + cents > total and error.field == "amount"
        else:
            assert refunded + cents <= total
            refunded += cents

    after = client.payments.get(payment.id)
    assert Decimal(after.amount_refunded["value"]) == Decimal(refunded) / 100
    assert Decimal(after.amount_remaining["value"]) == Decimal(total - refunded) / 100
