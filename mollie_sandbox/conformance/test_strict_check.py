"""The check itself: a deliberately broken answer of the sandbox must fail it.

Each case takes a real answer of the sandbox, breaks it the way a sandbox bug would, and asserts
that the check refuses it. The refund without ``mode`` is the sandbox's own bug that the check
found first (issue 34).
"""

import dataclasses
import json

import pytest
import requests

from .clients import GeneratedClient
from .conftest import SANDBOX_KEY
from .strict import NotAsDescribed, ResponseCheck

BROKEN = {
    "a refund without mode": ("refund", "mode", lambda body: body.pop("mode")),
    "a status outside the enum": ("payment", "status", lambda body: body.update(status="settled")),
    "an amount value that is a number": ("payment", "amount.value", lambda body: body["amount"].update(value=10.0)),
    "a boolean that is a string": ("payment", "isCancelable", lambda body: body.update(isCancelable="false")),
    "a link without href": ("payment", "_links.self.href", lambda body: body["_links"]["self"].pop("href")),
    "an error without title": ("error", "title", lambda body: body.pop("title")),
}


@pytest.fixture(scope="module")
def real_answers(sandbox_server):
    """A refund, a payment and an error as the sandbox answers them, unbroken (and passing)."""
    check = ResponseCheck()
    client = GeneratedClient(sandbox_server.url, SANDBOX_KEY, check)
    payment = client.create_payment(
        {
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Check of the check",
            "redirectUrl": "https://webshop.example.org/order/1/",
        }
    )
    checkout = payment["_links"]["checkout"]["href"]
    requests.post(checkout, data={"status": "paid"}, allow_redirects=False, timeout=10).raise_for_status()
    client.create_refund(payment["id"], {"amount": {"currency": "EUR", "value": "1.00"}})
    client.get_payment(payment["id"])
    client.get_payment("tr_doesNotExist1")
    refund, payment_answer, error = check.exchanges[-3:]
    check.check_all()
    assert check.checked[-3:] == ["create-refund 201", "get-payment 200", "get-payment 404 (error)"]
    return {"refund": refund, "payment": payment_answer, "error": error}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_answer_fails_the_check(real_answers, case):
    kind, field, breaks = BROKEN[case]
    answer = real_answers[kind]
    body = json.loads(answer.body)
    breaks(body)
    check = ResponseCheck([dataclasses.replace(answer, body=json.dumps(body).encode())])
    with pytest.raises(NotAsDescribed, match=rf"(?m)^  {field}[:.]"):
        check.check_all()


def test_an_error_served_as_plain_json_fails_the_check(real_answers):
    answer = dataclasses.replace(real_answers["error"], content_type="application/json")
    with pytest.raises(NotAsDescribed, match="an error served as 'application/json'"):
        ResponseCheck([answer]).check_all()


def test_an_answer_to_a_path_mollie_does_not_have_fails_the_check(real_answers):
    answer = dataclasses.replace(real_answers["payment"], path="/v2/payments/tr_x/notes")
    with pytest.raises(NotAsDescribed, match="no operation of the description"):
        ResponseCheck([answer]).check_all()
