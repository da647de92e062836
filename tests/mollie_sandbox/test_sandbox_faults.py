"""Fault injection: each switch, reading and clearing them, and seed repeatability."""

import threading
from datetime import datetime

import pytest
import requests
from mollie.api.error import ResponseError

from mollie_sandbox.methods import METHODS


def set_faults(server, **faults):
    response = requests.post(f"{server.url}/_sandbox/faults", json=faults, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def deliveries(server):
    return requests.get(f"{server.url}/_sandbox/webhooks", timeout=30).json()


def test_api_error_rate_gives_503_mollie_error(sandbox, client, auth, payment_data):
    current = set_faults(sandbox, api_error_rate=1.0)
    assert current["api_error_rate"] == 1.0
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=30).json() == current

    with pytest.raises(ResponseError) as error:
        client.payments.create(payment_data())
    assert error.value.status == 503
    response = requests.get(f"{sandbox.url}/v2/methods", headers=auth, timeout=30)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/hal+json"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert "documentation" in body["_links"]
    # Nothing was created, and the control API is never affected.
    assert requests.get(f"{sandbox.url}/_sandbox/payments", timeout=30).json() == []

    cleared = requests.delete(f"{sandbox.url}/_sandbox/faults", timeout=30).json()
    assert cleared["api_error_rate"] == 0
    assert client.payments.create(payment_data()).status == "open"


def test_api_latency_holds_requests_in_flight(sandbox, client, api_requests, wait_until):
    assert set_faults(sandbox, api_latency_ms=1000)["api_latency_ms"] == 1000
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=30).json()["api_latency_ms"] == 1000
    answers = []
    call = threading.Thread(target=lambda: answers.append(client.methods.list()))

    call.start()
    [held] = wait_until(lambda: api_requests(sandbox, in_flight=True))
    call.join(10)

    assert (held["method"], held["path"], held["status"]) == ("GET", "/v2/methods", None)
    assert answers and answers[0].count == len(METHODS)  # held, then answered as usual
    [answered] = api_requests(sandbox)
    assert answered["request"] == held["request"] and answered["status"] == 200


def test_webhook_drop(sandbox, client, receiver, payment_data, set_status, logged_deliveries):
    dropped_payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    later_payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_faults(sandbox, webhook_drop_rate=1.0)
    set_status(sandbox, dropped_payment.id, "paid")
    [dropped] = deliveries(sandbox)
    assert dropped["dropped"] is True and dropped["paymentId"] == dropped_payment.id

    # The next webhook (faults cleared) arrives; the dropped one never does.
    requests.delete(f"{sandbox.url}/_sandbox/faults", timeout=30).raise_for_status()
    set_status(sandbox, later_payment.id, "paid")
    log = logged_deliveries(sandbox, 2)
    assert [d["paymentId"] for d in log if not d["dropped"]] == [later_payment.id]
    assert receiver.bodies() == [f"id={later_payment.id}"]


def test_webhook_duplicate(sandbox, client, receiver, payment_data, set_status, wait_until):
    set_faults(sandbox, webhook_duplicate_rate=1.0)
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(sandbox, payment.id, "paid")
    wait_until(lambda: len(receiver.calls) >= 2)
    assert receiver.bodies() == [f"id={payment.id}"] * 2
    log = wait_until(lambda: len(entries := deliveries(sandbox)) >= 2 and entries)
    assert sorted(d["duplicate"] for d in log) == [False, True]


def test_webhook_delay(sandbox, client, receiver, payment_data, wait_until):
    assert set_faults(sandbox, webhook_delay_ms=400)["webhook_delay_ms"] == 400
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    requests.post(payment.checkout_url, data={"status": "paid"}, allow_redirects=False, timeout=30)
    [delivery] = wait_until(lambda: deliveries(sandbox))
    assert delivery["ok"] and receiver.bodies() == [f"id={payment.id}"]
    # The sandbox's own record: the call was scheduled 400 ms after the payment changed, and made then.
    event_at, scheduled_at, called_at = (
        datetime.fromisoformat(delivery[name]) for name in ("eventAt", "scheduledAt", "time")
    )
    assert (scheduled_at - event_at).total_seconds() == pytest.approx(0.4, abs=0.003)
    assert called_at >= scheduled_at


def test_webhook_out_of_order(sandbox, client, receiver, payment_data, set_status, wait_until):
    set_faults(sandbox, webhook_out_of_order_rate=1.0)
    first = client.payments.create(payment_data(webhookUrl=receiver.url))
    second = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(sandbox, first.id, "paid")  # held back...
    set_status(sandbox, second.id, "paid")  # ...and overtaken by this one
    wait_until(lambda: len(receiver.calls) >= 2)
    assert receiver.bodies() == [f"id={second.id}", f"id={first.id}"]


def test_held_back_webhook_is_delivered_anyway(sandbox, client, receiver, payment_data, set_status, wait_until):
    set_faults(sandbox, webhook_out_of_order_rate=1.0)
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(sandbox, payment.id, "paid")
    wait_until(lambda: receiver.calls, timeout=5)
    assert receiver.bodies() == [f"id={payment.id}"]


def test_seed_repeats_a_run(sandbox, auth):
    def run():
        set_faults(sandbox, seed=1234, api_error_rate=0.5)
        return [requests.get(f"{sandbox.url}/v2/methods", headers=auth, timeout=30).status_code for _ in range(30)]

    first = run()
    assert set(first) == {200, 503}
    assert run() == first


@pytest.mark.parametrize(
    "faults",
    [
        {"api_error_rate": 1.5},
        {"webhook_drop_rate": -0.1},
        {"api_latency_ms": -5},
        {"no_such_fault": 1},
        {"api_error_rate": "often"},
    ],
)
def test_invalid_faults_are_422(sandbox, faults):
    response = requests.post(f"{sandbox.url}/_sandbox/faults", json=faults, timeout=30)
    assert response.status_code == 422
    assert response.json()["field"] == next(iter(faults))
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=30).json()["api_error_rate"] == 0
