"""Webhook delivery: retries on Mollie's (scaled) schedule, timeouts, non-blocking, stop."""

import threading
from datetime import datetime

import pytest
import requests

from tests.fixtures.sandbox import SandboxControl


def deliveries(server, payment_id=None):
    return SandboxControl(server.url).webhooks(payment_id)


def test_retried_until_the_receiver_answers_200(sandbox, client, receiver, payment_data, set_status, wait_until):
    receiver.statuses = [500, 503, 404]
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(sandbox, payment.id, "paid")

    wait_until(lambda: len(receiver.calls) >= 4)
    assert receiver.bodies() == [f"id={payment.id}"] * 4
    log = wait_until(lambda: (entries := deliveries(sandbox, payment.id)) and len(entries) >= 4 and entries)
    assert [(d["attempt"], d["status"], d["ok"]) for d in log] == [
        (1, 500, False),
        (2, 503, False),
        (3, 404, False),
        (4, 200, True),
    ]
    assert {d["url"] for d in log} == {receiver.url}
    # Attempts follow 0, 1, 3, 7 minutes of the schedule, one minute being 10 ms here.
    scheduled = [datetime.fromisoformat(d["scheduledAt"]) for d in log]
    offsets = [(moment - scheduled[0]).total_seconds() for moment in scheduled]
    assert offsets == pytest.approx([0, 0.01, 0.03, 0.07], abs=0.003)
    for entry in log:
        assert datetime.fromisoformat(entry["time"]) >= datetime.fromisoformat(entry["scheduledAt"])


def test_no_answer_within_timeout_is_retried(make_sandbox, client_for, receiver, payment_data, set_status, wait_until):
    server = make_sandbox(webhook_timeout=0.3)
    client = client_for(server.url)
    receiver.gate = threading.Event()  # no answer at all until the sandbox has given up once
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(server, payment.id, "paid")

    first = wait_until(lambda: deliveries(server))[0]
    receiver.gate.set()
    log = wait_until(lambda: [d for d in deliveries(server) if d["ok"]])

    assert first["attempt"] == 1 and first["status"] is None and "no answer within 0.3 s" in first["error"]
    assert log[0]["attempt"] >= 2


def test_delivery_does_not_block_the_request(sandbox, client, receiver, payment_data, wait_until):
    receiver.gate = threading.Event()  # the receiver answers only when the test lets it
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))

    # Were the webhook sent within the request, this would wait for the gate (and time out).
    response = requests.post(payment.checkout_url, data={"status": "paid"}, allow_redirects=False, timeout=5)
    wait_until(lambda: receiver.calls)

    assert response.status_code == 303
    assert deliveries(sandbox, payment.id) == []  # the delivery is still waiting for its answer
    receiver.gate.set()
    [delivered] = wait_until(lambda: deliveries(sandbox, payment.id))
    assert delivered["ok"] and delivered["attempt"] == 1


def test_no_webhook_url_no_delivery(sandbox, client, receiver, payment_data, set_status, logged_deliveries):
    quiet = client.payments.create(payment_data())
    loud = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(sandbox, quiet.id, "paid")
    set_status(sandbox, loud.id, "paid")
    assert [d["paymentId"] for d in logged_deliveries(sandbox, 1)] == [loud.id]


def test_stop_ends_delivery_threads(make_sandbox, client_for, receiver, payment_data, set_status, wait_until):
    server = make_sandbox()
    receiver.statuses = [500] * 20  # keep it retrying
    payment = client_for(server.url).payments.create(payment_data(webhookUrl=receiver.url))
    set_status(server, payment.id, "paid")
    wait_until(lambda: len(receiver.calls) >= 2)

    prefix = f"mollie-sandbox-{server.port}-"
    assert any(t.name.startswith(prefix) for t in threading.enumerate())
    server.stop()
    wait_until(lambda: not any(t.name.startswith(prefix) for t in threading.enumerate()), timeout=5)
    try:
        requests.get(f"{server.url}/_sandbox/health", timeout=1)
        raise AssertionError("the sandbox still answers after stop()")
    except requests.ConnectionError:
        pass
