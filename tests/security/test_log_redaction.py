"""The order page's token is a bearer credential: whatever the answer (404, busy 503, CSRF
refusal), no log line carries it, neither Django's own lines nor ours."""

import json
import logging

import pytest
from django.test import Client


@pytest.fixture
def order(shopper):
    shopper.buy()
    return shopper.last_order()


@pytest.fixture
def logged(caplog, json_log):
    """Everything logged during the test: the records as any handler gets them, and as JSON."""
    caplog.set_level(logging.DEBUG)

    def everything():
        records = "\n".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
        return "\n".join([caplog.text, records, json.dumps(json_log())])

    everything.messages = lambda logger: [record.getMessage() for record in caplog.records if record.name == logger]
    everything.json = json_log
    return everything


@pytest.mark.parametrize("page", ["status.json", "pay/nothing-here", "no-such-page.json"])
def test_a_404_under_the_order_url_keeps_the_token_out_of_the_logs(order, logged, page):
    path = f"/en/orders/{order.order_id}/{order.public_token}/{page}"

    response = Client().get(path.replace(order.order_id, "SO-00000-00000") if page == "status.json" else path)

    assert response.status_code == 404
    assert order.public_token not in logged()
    [not_found] = logged.messages("django.request")
    assert not_found.startswith("Not Found: /en/orders/") and "/[redacted]/" in not_found
    [request_line] = logged.json("shop.requests")
    assert "/[redacted]/" in request_line["path"]
    [django_line] = logged.json("django.request")
    assert "redacted" in django_line["request"]  # the request object is logged too (URL-quoted), redacted


def test_a_busy_page_keeps_the_token_out_of_the_logs(order, logged, injector, no_backoff):
    injector(rate=1.0, operations={"GetItem"})

    response = Client(raise_request_exception=False).get(f"/en/orders/{order.order_id}/{order.public_token}/")

    assert response.status_code == 503
    assert order.public_token not in logged()
    [busy] = logged.json("config.busy")
    assert busy["path"] == f"/en/orders/{order.order_id}/[redacted]/"
    assert logged.messages("django.request") == [f"Service Unavailable: /en/orders/{order.order_id}/[redacted]/"]


def test_a_csrf_failure_on_pay_again_keeps_the_token_out_of_the_logs(order, logged):
    pay_again = f"/en/orders/{order.order_id}/{order.public_token}/pay/"

    without_token = Client(enforce_csrf_checks=True).post(pay_again)
    # Over HTTPS Django also checks the Referer, and quotes it in the log line.
    foreign_referer = Client(enforce_csrf_checks=True).post(
        pay_again, secure=True, HTTP_REFERER=f"https://evil.example/orders/{order.order_id}/{order.public_token}/"
    )

    assert without_token.status_code == foreign_referer.status_code == 403
    assert order.public_token not in logged()
    refusals = logged.messages("django.security.csrf")
    assert refusals == [
        f"Forbidden (CSRF cookie not set.): /en/orders/{order.order_id}/[redacted]/pay/",
        f"Forbidden (Referer checking failed - https://evil.example/orders/{order.order_id}/[redacted]/ does not "
        f"match any trusted origins.): /en/orders/{order.order_id}/[redacted]/pay/",
    ]


def test_staff_order_pages_are_logged_as_they_are(logged, client):
    # /staff/orders/<id>/<action>/ has no secret: its action stays readable.
    client.get("/staff/orders/SO-00000-00000/refresh/")

    assert [line["path"] for line in logged.json("shop.requests")] == ["/staff/orders/SO-00000-00000/refresh/"]
