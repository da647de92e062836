"""Every error status, in Mollie's error body shape."""

import json
from pathlib import Path

import pytest
import requests
from mollie.api.error import (
    BadRequestError,
    NotFoundError,
    UnauthorizedError,
    UnprocessableEntityError,
)

from tests.fixtures.sandbox import SandboxControl

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "mollie"
UNAUTHORIZED_BODY = {
    "_links": {"documentation": {"href": "https://docs.mollie.com/guides/authentication", "type": "text/html"}},
    "detail": "Missing authentication, or failed to authenticate",
    "status": 401,
    "title": "Unauthorized Request",
}


def assert_error_shape(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/hal+json"
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    assert body["_links"]["documentation"]["type"] == "text/html"
    return body


def test_unauthorized_body_matches_mollies():
    reference = REFERENCE / "error_unauthorized.json"
    if not reference.exists():
        pytest.skip("shared/reference/mollie is not beside the work tree")
    assert json.loads(reference.read_text()) == UNAUTHORIZED_BODY


def test_missing_api_key_is_401(sandbox):
    response = requests.get(f"{sandbox.url}/v2/payments", timeout=30)
    assert assert_error_shape(response, 401) == UNAUTHORIZED_BODY


@pytest.mark.parametrize(
    "header",
    [
        "Bearer test_short",
        "Bearer test_" + "x" * 29,
        "Bearer prod_" + "x" * 30,
        "Bearer test_" + "x" * 29 + "!",
        "Basic dGVzdDp0ZXN0",
        "test_" + "x" * 30,
    ],
)
def test_malformed_api_key_is_401(sandbox, header):
    response = requests.get(f"{sandbox.url}/v2/payments", headers={"Authorization": header}, timeout=30)
    assert assert_error_shape(response, 401) == UNAUTHORIZED_BODY


def test_client_raises_unauthorized(sandbox, client_for):
    client = client_for(sandbox.url, "test_tooshort")
    with pytest.raises(UnauthorizedError) as error:
        client.payments.list()
    assert error.value.status == 401


def test_unknown_payment_is_404(sandbox, client, auth):
    with pytest.raises(NotFoundError) as error:
        client.payments.get("tr_doesnotexist")
    assert str(error.value) == "No payment exists with token tr_doesnotexist."
    assert_error_shape(requests.get(f"{sandbox.url}/v2/payments/tr_nope", headers=auth, timeout=30), 404)
    assert_error_shape(requests.delete(f"{sandbox.url}/v2/payments/tr_nope", headers=auth, timeout=30), 404)
    assert_error_shape(requests.get(f"{sandbox.url}/v2/payments/tr_nope/refunds", headers=auth, timeout=30), 404)


def test_unknown_refund_is_404(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    with pytest.raises(NotFoundError):
        payment.refunds.get("re_doesnotexist")


def test_unknown_route_and_method(sandbox, auth):
    assert_error_shape(requests.get(f"{sandbox.url}/v2/customers", headers=auth, timeout=30), 404)
    assert_error_shape(requests.put(f"{sandbox.url}/v2/payments", headers=auth, timeout=30), 405)


VALID = {
    "amount": {"currency": "EUR", "value": "10.00"},
    "description": "Order",
    "redirectUrl": "https://webshop.example.org/return",
}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amount": None}, "amount"),
        ({"amount": "10.00"}, "amount"),
        ({"amount": {"currency": "EUR", "value": "10"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "10.5"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": 10.0}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "-1.00"}}, "amount.value"),
        ({"amount": {"currency": "EURO", "value": "10.00"}}, "amount.currency"),
        ({"amount": {"currency": "eur", "value": "10.00"}}, "amount.currency"),
        ({"amount": {"value": "10.00"}}, "amount.currency"),
        ({"amount": {"currency": "EUR", "value": "0.00"}}, "amount"),
        ({"amount": {"currency": "EUR", "value": "50000.01"}}, "amount"),
        ({"description": None}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 256}, "description"),
        ({"redirectUrl": None}, "redirectUrl"),
        ({"redirectUrl": "not a url"}, "redirectUrl"),
        ({"redirectUrl": "http://[broken"}, "redirectUrl"),
        ({"redirectUrl": ["https://webshop.example.org/"]}, "redirectUrl"),
        ({"method": ["ideal", {"id": "ideal"}]}, "method"),
        ({"locale": ["nl_NL"]}, "locale"),
        ({"webhookUrl": "ftp://webshop.example.org/hook"}, "webhookUrl"),
        ({"webhookUrl": "webshop.example.org/hook"}, "webhookUrl"),
        ({"cancelUrl": "javascript:alert(1)"}, "cancelUrl"),
        ({"method": "bitcoin"}, "method"),
        ({"locale": "xx_XX"}, "locale"),
        ({"metadata": {"blob": "x" * 2000}}, "metadata"),
    ],
)
def test_validation_errors_are_422_with_field(sandbox, client, changes, field):
    body = {**VALID, **changes}
    body = {name: value for name, value in body.items() if value is not None}
    with pytest.raises(UnprocessableEntityError) as error:
        client.payments.create(body)
    assert error.value.status == 422
    assert error.value.field == field
    assert SandboxControl(sandbox.url).payments() == []


def test_422_body_shape(sandbox, auth):
    response = requests.post(f"{sandbox.url}/v2/payments", json={"description": "x"}, headers=auth, timeout=30)
    body = assert_error_shape(response, 422)
    assert body["title"] == "Unprocessable Entity"
    assert body["field"] == "amount"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"'])
def test_malformed_json_is_400(sandbox, auth, raw):
    headers = {**auth, "Content-Type": "application/json"}
    response = requests.post(f"{sandbox.url}/v2/payments", data=raw, headers=headers, timeout=30)
    body = assert_error_shape(response, 400)
    assert body["title"] == "Bad Request"


def test_client_raises_bad_request_for_bad_paging(sandbox, client):
    with pytest.raises(BadRequestError):
        client.payments.list(limit=1000)
