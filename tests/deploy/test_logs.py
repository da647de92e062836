"""Logs as CloudWatch gets them: one JSON line per request and per workflow event, nothing personal."""

import json
import logging
import re

from config.json_log import JsonFormatter
from tests.fixtures.shopper import checkout_form


def test_a_request_leaves_one_json_line_with_method_path_status_and_latency(client, catalog, json_log):
    client.get("/en/?utm_source=newsletter&email=ada@example.com")

    [line] = json_log("shop.requests")
    assert line["method"] == "GET" and line["path"] == "/en/" and line["status"] == 200
    assert line["latency_ms"] > 0 and re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert "newsletter" not in json.dumps(line) and "ada@example.com" not in json.dumps(line)


def test_checkout_and_payment_log_workflow_events_with_ids_not_people(client, catalog, sandbox, json_log):
    client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": 1})
    checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', client.get("/en/checkout/").content.decode())[
        1
    ]
    client.post("/en/checkout/", checkout_form(checkout_id))
    order_id = client.session["last_order_id"]
    payment_id = sandbox.payments()[-1]["id"]
    sandbox.set_status(payment_id, "paid")
    client.post("/payments/webhook/", {"id": payment_id})
    token = re.search(r"/en/orders/[^/]+/([^/]+)/", sandbox.payments()[-1]["redirectUrl"])[1]
    client.get(f"/en/orders/{order_id}/{token}/")

    workflow = json_log("shop.workflow")
    requests_logged = json_log("shop.requests")
    assert [line["message"] for line in workflow if line["order_id"] == order_id][:1] == ["order_placed"]
    paid = [
        line for line in workflow if line.get("to_status") == "paid" and line["message"] == "attempt_status_changed"
    ]
    assert paid and paid[0]["mollie_payment_id"] == payment_id and paid[0]["source"] == "webhook"
    # The checkout POST's events carry that request's id, so they can be found together.
    checkout_line = next(
        line for line in requests_logged if line["path"] == "/en/checkout/" and line["method"] == "POST"
    )
    assert (
        checkout_line["request_id"]
        == next(line for line in workflow if line["message"] == "order_placed")["request_id"]
    )
    assert requests_logged[-1]["path"] == f"/en/orders/{order_id}/[redacted]/"
    everything = json.dumps(json_log())
    for personal in ("Ada Lovelace", "ada@example.com", token):
        assert personal not in everything


def test_a_log_line_stays_one_line_whatever_it_carries():
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        record = logging.getLogger("shop.test").makeRecord(
            "shop.test",
            logging.ERROR,
            __file__,
            1,
            "failed:\n%s",
            ("details",),
            exc_info=__import__("sys").exc_info(),
            extra={"order_id": "SO-1", "amount": object()},
        )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "failed:\ndetails" and parsed["order_id"] == "SO-1"
    assert "ValueError: first line" in parsed["exception"] and parsed["level"] == "ERROR"
