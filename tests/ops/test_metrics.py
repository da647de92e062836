"""Business and health metrics: a day in the shop, read back from the EMF lines on stdout."""

import json

import pytest
from django.test import Client

from config.metrics import Metric
from notifications import bounces
from payments import services
from payments.enums import OrderStatus
from tests.ops import emf, sns


@pytest.fixture
def metric_lines(settings, capsys):
    settings.METRICS_ENABLED = True
    settings.STAGE = "dev"
    capsys.readouterr()  # what came before the test
    return lambda: emf.emf_lines(capsys.readouterr().out)


def test_a_day_in_the_shop_is_counted_in_valid_emf_lines(shopper, metric_lines, settings, monkeypatch):
    # A paid order.
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("paid"))
    # A failed card payment, by another shopper.
    shopper.client.cookies.clear()
    shopper.buy(email="bo@example.com", method="creditcard")
    shopper.sandbox.set_status(shopper.last_order().latest_mollie_payment_id, "failed", method="creditcard")
    shopper.webhook(shopper.last_order().latest_mollie_payment_id)
    # A webhook Mollie has to send again: Mollie is down when we fetch the payment.
    shopper.client.cookies.clear()
    shopper.buy(email="cy@example.com")
    payment_id = shopper.pay_at_mollie("paid")
    shopper.sandbox.faults(api_error_rate=1.0, seed=3)
    assert shopper.webhook(payment_id).status_code == 503
    shopper.sandbox.clear_faults()
    # Reconciliation finds that payment paid.
    summary = services.reconcile(stale_after_seconds=0)
    assert summary.synced >= 1 and not summary.errors
    assert shopper.last_order().status == OrderStatus.PAID

    # A confirmation bounces: SES tells us through SNS.
    settings.SES_NOTIFICATIONS_TOPIC_ARN = sns.TOPIC_ARN
    signer = sns.Signer()
    monkeypatch.setattr(bounces, "download", lambda url: signer.pem)
    bounce = signer.sign(sns.notification(sns.bounce_event("ada@example.com")))
    assert shopper.client.post("/notifications/ses/", json.dumps(bounce), content_type="text/plain").status_code == 200

    lines = metric_lines()

    assert lines and {line: emf.problems(line) for line in lines} == dict.fromkeys(lines, [])
    assert emf.total(lines, Metric.ORDERS_PLACED, Stage="dev") == 3
    assert emf.total(lines, Metric.ORDERS_PAID, Stage="dev") == 2
    assert emf.total(lines, Metric.PAYMENTS_FAILED, Stage="dev", Method="creditcard") == 1
    assert emf.total(lines, Metric.WEBHOOK_ANSWERS, Stage="dev", Status="200") == 2
    assert emf.total(lines, Metric.WEBHOOK_ANSWERS, Stage="dev", Status="503") == 1
    assert emf.total(lines, Metric.MOLLIE_ERRORS, Stage="dev") >= 1
    assert emf.total(lines, Metric.RECONCILE_RUNS, Stage="dev") == 1
    assert emf.total(lines, Metric.RECONCILE_SYNCED, Stage="dev") == summary.synced
    assert emf.total(lines, Metric.RECONCILE_ERRORS, Stage="dev") == 0
    assert emf.total(lines, Metric.RECONCILE_LEFT_OVER, Stage="dev") == 0
    assert emf.total(lines, Metric.MAILS_SENT, Stage="dev") == 2  # two confirmations
    assert emf.total(lines, Metric.MAILS_BOUNCED, Stage="dev") == 1
    timings = {name for name, _, _ in emf.datapoints(lines) if name.endswith(("Time", "Latency"))}
    assert timings == {Metric.CHECKOUT_TIME, Metric.WEBHOOK_TIME, Metric.MOLLIE_LATENCY, Metric.RECONCILE_RUN_TIME}


def test_metrics_are_off_unless_enabled(shopper, settings, capsys):
    settings.METRICS_ENABLED = False
    shopper.buy()

    assert emf.emf_lines(capsys.readouterr().out) == []


def test_a_request_writes_one_line_per_dimension_set(shopper, metric_lines):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    metric_lines()  # the checkout's

    shopper.webhook(payment_id)

    lines = metric_lines()
    # The stage's line (Mollie's call, the order paid, the mail sent, the time) and the answer's.
    assert len(lines) == 2
    assert emf.total(lines, Metric.ORDERS_PAID) == emf.total(lines, Metric.MAILS_SENT) == 1


def test_dynamodb_throttling_past_the_retries_is_counted_once_per_call(shopper, metric_lines, injector, no_backoff):
    shopper.buy()
    order = shopper.last_order()
    metric_lines()
    injector(rate=1.0, operations={"GetItem"})

    answer = Client(raise_request_exception=False).get(f"/en/orders/{order.order_id}/{order.public_token}/")

    assert answer.status_code == 503
    assert emf.total(metric_lines(), Metric.DYNAMODB_THROTTLES, Stage="dev") == 1  # botocore's retries not counted
