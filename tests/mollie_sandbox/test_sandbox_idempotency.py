"""Idempotency-Key: replay, mismatch, in flight, scope and 5xx."""

import pytest
import requests
from mollie.api.error import BadRequestError, ConflictError, UnprocessableEntityError

from tests.concurrency import run_concurrently
from tests.fixtures.sandbox import SandboxControl


def payments_in(server):
    return SandboxControl(server.url).payments()


def test_same_key_same_body_replays(sandbox, client, auth, payment_data):
    first = client.payments.create(payment_data(), idempotency_key="order-1")
    again = client.payments.create(payment_data(), idempotency_key="order-1")
    assert again.id == first.id

    headers = {**auth, "Idempotency-Key": "order-2"}
    original = requests.post(f"{sandbox.url}/v2/payments", json=payment_data(), headers=headers, timeout=30)
    replay = requests.post(f"{sandbox.url}/v2/payments", json=payment_data(), headers=headers, timeout=30)
    assert "Idempotent-Replayed" not in original.headers
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.status_code == original.status_code == 201
    assert replay.content == original.content
    assert len(payments_in(sandbox)) == 2


def test_same_key_different_body_is_400(sandbox, client, payment_data):
    client.payments.create(payment_data(), idempotency_key="order-3")
    with pytest.raises(BadRequestError) as error:
        client.payments.create(payment_data(description="Something else"), idempotency_key="order-3")
    assert error.value.status == 400
    assert len(payments_in(sandbox)) == 1


def test_key_in_flight_is_409(sandbox, client, payment_data, api_requests):
    # The first request holds its claim on the key for a second; both leave the starting line together.
    SandboxControl(sandbox.url).faults(api_latency_ms=1000)

    def create():
        try:
            return client.payments.create(payment_data(), idempotency_key="slow-order").id
        except ConflictError as error:
            return error.status

    outcomes = run_concurrently(create, create, timeout=10)

    # Whichever arrived second found the first still being processed.
    assert len(outcomes) == 2 and outcomes.count(409) == 1
    [payment_id] = [o for o in outcomes if o != 409]
    assert payment_id.startswith("tr_")
    assert [p["id"] for p in payments_in(sandbox)] == [payment_id]
    created, refused = sorted(api_requests(sandbox), key=lambda entry: entry["status"])
    assert (created["status"], refused["status"]) == (201, 409)
    # The sandbox's log: the 409 was answered while the first request was still in flight.
    assert refused["answeredAt"] <= created["answeredAt"]


def test_keys_are_per_api_key(sandbox, client, client_for, payment_data):
    other = client_for(sandbox.url, "test_" + "o" * 30)
    first = client.payments.create(payment_data(), idempotency_key="shared-key")
    second = other.payments.create(payment_data(), idempotency_key="shared-key")
    assert first.id != second.id


def test_server_errors_are_not_remembered(sandbox, auth, payment_data):
    headers = {**auth, "Idempotency-Key": "retry-me"}
    SandboxControl(sandbox.url).faults(api_error_rate=1.0)
    failed = requests.post(f"{sandbox.url}/v2/payments", json=payment_data(), headers=headers, timeout=30)
    assert failed.status_code == 503
    SandboxControl(sandbox.url).clear_faults()
    retried = requests.post(f"{sandbox.url}/v2/payments", json=payment_data(), headers=headers, timeout=30)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert len(payments_in(sandbox)) == 1


def test_delete_is_not_replayed(sandbox, client, payment_data):
    # Mollie honours Idempotency-Key on POST only (docs.mollie.com, "API idempotency"): a
    # second cancel with the same key is a second cancel, refused with 422.
    payment = client.payments.create(payment_data(method="banktransfer"))
    client.payments.delete(payment.id, idempotency_key="cancel-1")
    with pytest.raises(UnprocessableEntityError):
        client.payments.delete(payment.id, idempotency_key="cancel-1")

    # A PATCH with a reused key is simply carried out again.
    other = client.payments.create(payment_data())
    client.payments.update(other.id, {"description": "New"}, idempotency_key="patch-1")
    assert client.payments.update(other.id, {"description": "Newer"}, idempotency_key="patch-1").description == "Newer"
