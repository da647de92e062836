"""Control API: health, statuses, listing, the request log, reset and pruning."""

import threading

import requests


def control_payments(server):
    return requests.get(f"{server.url}/_sandbox/payments", timeout=30).json()


def test_health(sandbox):
    response = requests.get(f"{sandbox.url}/_sandbox/health", timeout=30)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_set_status_validates(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    unknown_status = requests.post(
        f"{sandbox.url}/_sandbox/payments/{payment.id}", data={"status": "bogus"}, timeout=30
    )
    assert unknown_status.status_code == 422 and unknown_status.json()["field"] == "status"
    missing = requests.post(f"{sandbox.url}/_sandbox/payments/{payment.id}", data={}, timeout=30)
    assert missing.status_code == 422
    unknown_payment = requests.post(
        f"{sandbox.url}/_sandbox/payments/tr_unknown0000", data={"status": "paid"}, timeout=30
    )
    assert unknown_payment.status_code == 404
    unknown_refund = requests.post(
        f"{sandbox.url}/_sandbox/refunds/re_unknown0000", data={"status": "refunded"}, timeout=30
    )
    assert unknown_refund.status_code == 404


def test_set_status_accepts_json_and_sets_timestamps(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    body = requests.post(
        f"{sandbox.url}/_sandbox/payments/{payment.id}", json={"status": "authorized"}, timeout=30
    ).json()
    assert body["status"] == "authorized" and body["authorizedAt"]
    body = requests.post(f"{sandbox.url}/_sandbox/payments/{payment.id}", json={"status": "paid"}, timeout=30).json()
    assert body["status"] == "paid" and body["paidAt"] and body["authorizedAt"]
    assert client.payments.get(payment.id).is_paid()


def test_list_all_payments_with_refunds(sandbox, client, payment_data, set_status):
    first = client.payments.create(payment_data())
    second = client.payments.create(payment_data())
    set_status(sandbox, second.id, "paid")
    refund = client.payments.get(second.id).refunds.create({"amount": {"currency": "EUR", "value": "2.00"}})

    listed = {p["id"]: p for p in control_payments(sandbox)}
    assert set(listed) == {first.id, second.id}
    assert listed[first.id]["_embedded"]["refunds"] == []
    assert [r["id"] for r in listed[second.id]["_embedded"]["refunds"]] == [refund.id]
    assert listed[second.id]["amountRemaining"] == {"currency": "EUR", "value": "8.00"}


def test_refund_status_through_control_calls_webhook(sandbox, client, receiver, payment_data, set_status, wait_until):
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(sandbox, payment.id, "paid")
    refund = client.payments.get(payment.id).refunds.create({"amount": {"currency": "EUR", "value": "2.00"}})
    response = requests.post(f"{sandbox.url}/_sandbox/refunds/{refund.id}", data={"status": "failed"}, timeout=30)
    assert response.json()["status"] == "failed"
    assert client.payments.get(payment.id).amount_remaining == {"currency": "EUR", "value": "10.00"}
    events = wait_until(
        lambda: (
            "refund.failed"
            in (found := [d["event"] for d in requests.get(f"{sandbox.url}/_sandbox/webhooks", timeout=30).json()])
            and found
        )
    )
    # Mollie calls on processing, refunded or failed; never on creation (docs.mollie.com, "Webhooks").
    assert {"payment.paid", "refund.failed"} <= set(events) and "refund.created" not in events


def test_reset_empties_everything(sandbox, client, auth, receiver, payment_data, set_status, wait_until):
    payment = client.payments.create(payment_data(webhookUrl=receiver.url), idempotency_key="before-reset")
    set_status(sandbox, payment.id, "paid")
    wait_until(lambda: requests.get(f"{sandbox.url}/_sandbox/webhooks", timeout=30).json())
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"api_latency_ms": 1}, timeout=30).raise_for_status()

    assert requests.post(f"{sandbox.url}/_sandbox/reset", timeout=30).status_code == 200

    assert control_payments(sandbox) == []
    assert requests.get(f"{sandbox.url}/_sandbox/webhooks", timeout=30).json() == []
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=30).json()["api_latency_ms"] == 0
    assert requests.get(f"{sandbox.url}/v2/payments/{payment.id}", headers=auth, timeout=30).status_code == 404
    again = client.payments.create(payment_data(webhookUrl=receiver.url), idempotency_key="before-reset")
    assert again.id != payment.id  # the idempotency key was forgotten too


def test_request_log_shows_api_calls_in_flight_then_answered(
    sandbox, client, auth, payment_data, api_requests, wait_until
):
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"api_latency_ms": 1000}, timeout=30).raise_for_status()
    created = []
    slow = threading.Thread(target=lambda: created.append(client.payments.create(payment_data())))

    slow.start()
    [in_flight] = wait_until(lambda: api_requests(sandbox, in_flight=True))
    assert api_requests(sandbox, in_flight=False) == []
    slow.join(10)
    requests.delete(f"{sandbox.url}/_sandbox/faults", timeout=30).raise_for_status()
    requests.get(f"{sandbox.url}/v2/payments/{created[0].id}?embed=refunds", headers=auth, timeout=30)
    requests.get(f"{sandbox.url}/v2/methods", timeout=30)  # no key: answered 401, logged all the same
    requests.get(f"{sandbox.url}/_sandbox/payments", timeout=30)  # the control API is not logged

    assert (in_flight["method"], in_flight["path"], in_flight["status"], in_flight["answeredAt"]) == (
        "POST",
        "/v2/payments",
        None,
        None,
    )
    log = api_requests(sandbox)
    assert [(entry["method"], entry["path"], entry["status"]) for entry in log] == [
        ("POST", "/v2/payments", 201),
        ("GET", f"/v2/payments/{created[0].id}", 200),
        ("GET", "/v2/methods", 401),
    ]
    assert log[0]["request"] == in_flight["request"] and log[0]["answeredAt"] >= log[0]["receivedAt"]
    assert api_requests(sandbox, in_flight=True) == []
    assert requests.get(f"{sandbox.url}/_sandbox/requests", params={"inFlight": "maybe"}, timeout=30).status_code == 422
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=30).raise_for_status()
    assert api_requests(sandbox) == []


def test_oldest_finished_payments_are_pruned(make_sandbox, client_for, payment_data, set_status):
    server = make_sandbox(max_payments=3)
    client = client_for(server.url)
    p1, p2, p3 = (client.payments.create(payment_data()) for _ in range(3))
    set_status(server, p2.id, "paid")

    p4 = client.payments.create(payment_data())
    # p2 is the oldest finished one, so it goes before the older but still open p1.
    assert {p["id"] for p in control_payments(server)} == {p1.id, p3.id, p4.id}

    p5 = client.payments.create(payment_data())
    # Nothing finished left: the oldest goes, so memory stays bounded.
    assert {p["id"] for p in control_payments(server)} == {p3.id, p4.id, p5.id}
    assert requests.get(f"{server.url}/_sandbox/payments/{p1.id}", timeout=30).status_code == 404
