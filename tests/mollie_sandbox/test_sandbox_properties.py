"""Properties over many amounts: what goes in comes out, refunds never exceed the payment."""

from decimal import Decimal

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mollie.api.error import ConflictError, UnprocessableEntityError

from tests.fixtures.sandbox import SandboxControl
from tests.mollie_sandbox.mollie_client import make_client

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
def test_refunds_never_exceed_the_payment_and_allowance(sandbox_server, total, attempts):
    # Mollie: up to EUR 25.00 more than the payment may be refunded (refunds guide); the same
    # amount twice within the hour is a duplicate, refused with 409 (changelog 2020-03-12).
    client = make_client(sandbox_server.url)
    payment = create(client, total)
    SandboxControl(sandbox_server.url).set_status(payment.id, "paid")
    payment = client.payments.get(payment.id)

    refunded, amounts = 0, set()
    for cents in attempts:
        try:
            payment.refunds.create({"amount": {"currency": "EUR", "value": as_value(cents)}})
        except UnprocessableEntityError as error:
            # A property: either answer may be right, each with its own condition.
            assert refunded + cents > total + 2500 and error.field == "amount"  # noqa: PT017
        except ConflictError:
            assert cents in amounts
        else:
            assert refunded + cents <= total + 2500 and cents not in amounts
            refunded += cents
            amounts.add(cents)

    after = client.payments.get(payment.id)
    assert Decimal(after.amount_remaining["value"]) == Decimal(max(total - refunded, 0)) / 100


FIELDS = ["amount", "description", "redirectUrl", "webhookUrl", "cancelUrl", "metadata", "method", "locale", "dueDate"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
BODIES = st.dictionaries(st.sampled_from(FIELDS + ["value", "currency"]), JSON, max_size=6)


@settings(max_examples=60, deadline=None)
@given(body=BODIES, amount=st.dictionaries(st.sampled_from(["currency", "value"]), JSON, max_size=2))
def test_any_json_body_gets_a_mollie_answer_never_a_crash(sandbox_server, body, amount):
    headers = {"Authorization": "Bearer test_" + "x" * 30}
    for candidate in (body, {**body, "amount": amount}):
        created = requests.post(f"{sandbox_server.url}/v2/payments", json=candidate, headers=headers, timeout=30)
        assert created.status_code in (201, 422), created.text
        if created.status_code == 422:
            assert created.json()["field"]
    payment = create(make_client(sandbox_server.url), 100)
    updated = requests.patch(f"{sandbox_server.url}/v2/payments/{payment.id}", json=body, headers=headers, timeout=30)
    assert updated.status_code in (200, 422), updated.text


@settings(max_examples=40, deadline=None)
@given(
    form=st.lists(
        st.tuples(
            st.sampled_from(
                ["amount", "amount[value]", "amount[]", "metadata[x]", "method[]", "description", "redirectUrl"]
            ),
            st.text(max_size=10),
        ),
        max_size=6,
    )
)
def test_any_form_body_gets_a_mollie_answer_never_a_crash(sandbox_server, form):
    headers = {"Authorization": "Bearer test_" + "x" * 30}
    response = requests.post(f"{sandbox_server.url}/v2/payments", data=form, headers=headers, timeout=30)
    assert response.status_code in (201, 422), response.text


@settings(max_examples=40, deadline=None)
@given(
    query=st.dictionaries(
        st.sampled_from(["amount[value]", "amount[currency]", "locale", "currency"]), st.text(max_size=10), max_size=4
    )
)
def test_any_methods_query_gets_a_mollie_answer_never_a_crash(sandbox_server, query):
    headers = {"Authorization": "Bearer test_" + "x" * 30}
    for path in ("/v2/methods", "/v2/methods/creditcard"):
        response = requests.get(f"{sandbox_server.url}{path}", params=query, headers=headers, timeout=30)
        assert response.status_code in (200, 422), response.text
        if response.status_code == 422:
            assert response.json()["field"]


@settings(max_examples=40, deadline=None)
@given(body=st.dictionaries(st.sampled_from(["amount", "reason"]), JSON, max_size=2))
def test_any_chargeback_body_gets_a_mollie_answer_never_a_crash(sandbox_server, body):
    client = make_client(sandbox_server.url)
    payment = create(client, 1000)
    requests.post(
        f"{sandbox_server.url}/_sandbox/payments/{payment.id}", data={"status": "paid"}, timeout=30
    ).raise_for_status()
    made = requests.post(f"{sandbox_server.url}/_sandbox/payments/{payment.id}/chargebacks", json=body, timeout=30)
    assert made.status_code in (201, 422), made.text
    charged_back = client.payments.get(payment.id)
    if made.status_code == 201:
        assert Decimal(charged_back.amount_chargedback["value"]) == Decimal(made.json()["amount"]["value"])
    else:
        assert made.json()["field"] and charged_back.amount_chargedback is None
