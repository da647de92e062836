"""What the sandbox accepts and refuses, against what Mollie's description allows.

The rules come from the generated SDK's request models (``PaymentRequest``, ``RefundRequest``),
read at run time: required fields, enums and formats. A request the description refuses must get
Mollie's 422 with ``field``; a request it allows must go through, unless the sandbox differs on
purpose (``DIFFERENCES``, each listed with its reason in the sandbox's README).
"""

import enum
import typing
import uuid

import pytest
import requests

# specs.yaml, components.schemas.payment-request: `allOf` requires amount, description and
# redirectUrl; the generated model keeps only the first two, so the third is named here.
PAYMENT_REQUIRED_BY_SPEC = {"redirectUrl"}
# Enum fields of a payment the sandbox does not implement: refused unless the one value it does.
PAYMENT_ENUM_FIELDS = ("method", "locale", "sequenceType", "captureMode")


def _enums_in(annotation) -> list[type[enum.Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [annotation]
    aliased = getattr(annotation, "__value__", None)  # the SDK's type aliases (Method = MethodEnum | list)
    arguments = (*typing.get_args(annotation), *([aliased] if aliased is not None else []))
    return [found for argument in arguments for found in _enums_in(argument)]


def description_enum(model_name: str, field: str) -> list[str]:
    from mollie import models

    model = getattr(models, model_name)
    for name, info in model.model_fields.items():
        if (info.alias or name) == field:
            return sorted({member.value for kind in _enums_in(info.annotation) for member in kind})
    raise LookupError(f"{model_name} has no field {field}")


def required_fields(model_name: str) -> set[str]:
    from mollie import models

    model = getattr(models, model_name)
    return {info.alias or name for name, info in model.model_fields.items() if info.is_required()}


def post(target, path, body):
    return requests.post(
        f"{target.base_url}/v2{path}",
        json=body,
        headers={"Authorization": f"Bearer {target.api_key}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )


def assert_refused(answer, field):
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith("application/hal+json")
    assert answer.json()["field"] == field, answer.json()


@pytest.mark.parametrize("field", sorted(required_fields("PaymentRequest") | PAYMENT_REQUIRED_BY_SPEC))
def test_a_payment_without_a_required_field_is_refused(target, field):
    body = target.payment_body()
    del body[field]
    assert_refused(post(target, "/payments", body), field)


def test_a_payment_with_only_the_required_fields_is_made(target):
    required = required_fields("PaymentRequest") | PAYMENT_REQUIRED_BY_SPEC
    body = {name: value for name, value in target.payment_body().items() if name in required}
    assert post(target, "/payments", body).status_code == 201


@pytest.mark.parametrize("field", PAYMENT_ENUM_FIELDS)
def test_a_value_outside_the_descriptions_enum_is_refused(target, field):
    assert "notAValue" not in description_enum("PaymentRequest", field)
    assert_refused(post(target, "/payments", target.payment_body(**{field: "notAValue"})), field)


def test_every_locale_of_the_description_is_accepted(target):
    for locale in description_enum("PaymentRequest", "locale"):
        answer = post(target, "/payments", target.payment_body(locale=locale))
        assert answer.status_code == 201, (locale, answer.text)
        assert answer.json()["locale"] == locale


@pytest.mark.parametrize(
    "amount, field",
    [
        ({"currency": "EUR", "value": "10"}, "amount.value"),  # two decimals for EUR
        ({"currency": "EUR", "value": 10.0}, "amount.value"),  # a string, not a number
        ({"currency": "eur", "value": "10.00"}, "amount.currency"),  # ISO 4217, capitals
        ({"value": "10.00"}, "amount.currency"),  # amount requires currency and value
    ],
)
def test_an_amount_not_in_the_descriptions_format_is_refused(target, amount, field):
    assert_refused(post(target, "/payments", target.payment_body(amount=amount)), field)


@pytest.mark.parametrize("field", ["redirectUrl", "cancelUrl", "webhookUrl"])
def test_a_url_that_is_not_one_is_refused(target, field):
    assert_refused(post(target, "/payments", target.payment_body(**{field: "not a url"})), field)


def test_a_due_date_not_in_the_descriptions_format_is_refused(target):
    body = target.payment_body(method="banktransfer", dueDate="07-12-2030")
    assert_refused(post(target, "/payments", body), "dueDate")


@pytest.mark.parametrize("field", ["method", "locale"])
def test_an_update_outside_the_descriptions_enum_is_refused(target, field):
    assert "notAValue" not in description_enum("UpdatePaymentRequestBody", field)
    payment = post(target, "/payments", target.payment_body()).json()
    answer = requests.patch(
        f"{target.base_url}/v2/payments/{payment['id']}",
        json={field: "notAValue"},
        headers={"Authorization": f"Bearer {target.api_key}"},
        timeout=30,
    )
    assert_refused(answer, field)


def test_a_refund_without_its_required_amount_is_refused(target):
    assert required_fields("RefundRequest") == {"amount"}
    payment = post(target, "/payments", target.payment_body()).json()
    # Mollie refuses a refund of an unpaid payment too; which check comes first is not
    # described, so only the payment the sandbox can pay is asked about the amount.
    target.needs_sandbox("the payment must be paid first, which needs a person on Mollie's test checkout")
    requests.post(payment["_links"]["checkout"]["href"], data={"status": "paid"}, allow_redirects=False, timeout=10)
    assert_refused(post(target, f"/payments/{payment['id']}/refunds", {"description": "no amount"}), "amount")
