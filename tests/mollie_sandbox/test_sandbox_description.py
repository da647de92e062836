"""What the conformance suite against Mollie's OpenAPI description found, through mollie-api-python.

Each test failed before the sandbox was fixed (issue 34). The source is Mollie's description,
github.com/mollie/openapi `specs.yaml` (components.schemas: `entity-refund` requires `mode`;
`locale` lists the checkout locales; `payment-request` has the `sequenceType` and `captureMode`
enums). The full check runs in `make conformance` (mollie_sandbox/conformance/).
"""

import pytest
from mollie.api.error import UnprocessableEntityError

from tests.mollie_sandbox.mollie_client import make_client


@pytest.mark.parametrize("mode", ["test", "live"])
def test_a_refund_says_its_mode_which_is_its_payments(sandbox, set_status, payment_data, mode):
    client = make_client(sandbox.url, f"{mode}_" + "r" * 30)
    payment = client.payments.create(payment_data())
    set_status(sandbox, payment.id, "paid")
    refund = client.payments.get(payment.id).refunds.create({"amount": {"currency": "EUR", "value": "1.00"}})
    assert refund["mode"] == mode  # mollie-api-python has no property for it; the object is the JSON
    assert client.payments.get(payment.id).refunds.get(refund.id)["mode"] == mode


@pytest.mark.parametrize("locale", ["en_BE", "en_NL", "de_LU", "fr_LU", "cs_CZ", "el_GR", "sk_SK", "sl_SI", "tr_TR"])
def test_every_locale_of_mollies_description_is_accepted(client, payment_data, locale):
    assert client.payments.create(payment_data(locale=locale)).locale == locale


@pytest.mark.parametrize(
    "field, value, detail",
    [
        ("sequenceType", "recurring", "does not emulate sequenceType 'recurring'"),
        ("sequenceType", "monthly", "The sequenceType 'monthly' is invalid"),
        ("captureMode", "later", "The captureMode 'later' is invalid"),
    ],
)
def test_a_choice_the_sandbox_does_not_emulate_is_refused_not_ignored(client, payment_data, field, value, detail):
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.create(payment_data(**{field: value}))
    assert refused.value.field == field
    assert detail in str(refused.value)


def test_the_emulated_choices_are_accepted(client, payment_data):
    payment = client.payments.create(payment_data(sequenceType="oneoff", captureMode="automatic"))
    assert payment.sequence_type == "oneoff"
    assert client.payments.create(payment_data(captureMode="manual")).capture_mode == "manual"
