"""Business and health metrics as CloudWatch Embedded Metric Format (EMF) lines on stdout.

On Lambda, stdout is the function's log; CloudWatch turns each EMF line into metric datapoints,
so a metric costs no API call and no permission (docs.aws.amazon.com, "Embedded metric format").
The lines are made by aws-lambda-powertools' EMF provider, one provider per line (its `Metrics`
class keeps class-wide state, which threads of a reconciliation run would share).

Dimensions: the stage, and on two metrics one more (payment method, webhook status): CloudWatch
bills each name and dimension combination as a metric of its own. The names are listed once here
(`Metric`); the alarms (deploy/alarms.py) and the runbook use the same.
"""

import contextvars
import enum
import logging
import threading
import time
from contextlib import contextmanager

from django.conf import settings

log = logging.getLogger(__name__)

STAGE_DIMENSION = "Stage"


class Metric(enum.StrEnum):
    ORDERS_PLACED = "OrdersPlaced"
    ORDERS_PAID = "OrdersPaid"
    ORDERS_EXPIRED = "OrdersExpired"
    ORDERS_CANCELED = "OrdersCanceled"
    PAYMENTS_FAILED = "PaymentsFailed"  # dimension Method
    WEBHOOK_ANSWERS = "WebhookAnswers"  # dimension Status: the HTTP status Mollie got
    WEBHOOK_TIME = "WebhookProcessingTime"
    CHECKOUT_TIME = "CheckoutTime"
    MOLLIE_CALLS = "MollieCalls"
    MOLLIE_ERRORS = "MollieErrors"  # no answer, 429 or 5xx: Mollie unavailable to us
    MOLLIE_LATENCY = "MollieLatency"
    DYNAMODB_THROTTLES = "DynamoDBThrottles"  # throttled still after botocore's retries
    DYNAMODB_CONFLICTS = "DynamoDBConflicts"  # writers still racing after our retries
    RECONCILE_RUNS = "ReconcileRuns"
    RECONCILE_SYNCED = "ReconcileItemsSynced"
    RECONCILE_LEFT_OVER = "ReconcileItemsLeftOver"
    RECONCILE_ERRORS = "ReconcileErrors"
    RECONCILE_RUN_TIME = "ReconcileRunTime"
    PAYMENTS_STUCK = "PaymentsStuck"
    # Pay later (docs/pay-later.md): authorized payments near (capture_deadline.warning_window) their
    # captureBefore, as each reconciliation run finds them (a gauge: read its Maximum); and
    # authorizations that lapsed before all of them was captured (the sale, or its rest, is lost).
    CAPTURE_DEADLINES_NEAR = "AuthorizationsNearCaptureDeadline"
    AUTHORIZATIONS_LAPSED = "AuthorizationsLapsed"
    CHARGEBACKS = "Chargebacks"
    MAILS_SENT = "MailsSent"
    MAILS_FAILED = "MailsFailed"
    MAILS_BOUNCED = "MailsBounced"
    MAILS_COMPLAINED = "MailsComplained"
    MAILS_SUPPRESSED = "MailsSuppressed"  # not sent: a recipient bounced or complained before


COUNT = "Count"
MILLISECONDS = "Milliseconds"
TIMINGS = frozenset(
    {Metric.WEBHOOK_TIME, Metric.CHECKOUT_TIME, Metric.MOLLIE_LATENCY, Metric.RECONCILE_RUN_TIME},
)


def unit_of(metric):
    return MILLISECONDS if metric in TIMINGS else COUNT


class Batch:
    """The metrics of one request or run, written as one line per dimension set when it ends
    (EMF takes up to 100 values per metric in a line): fewer lines, less CPU and log volume."""

    def __init__(self):
        self._lock = threading.Lock()  # reconciliation's worker threads share their run's batch
        self._lines: dict[tuple, dict] = {}

    def add(self, values, dimensions):
        with self._lock:
            line = self._lines.setdefault(tuple(sorted(dimensions.items())), {})
            for metric, value in values.items():
                line.setdefault(metric, []).append(value)

    def write(self):
        with self._lock:
            lines, self._lines = self._lines, {}
        for dimensions, values in lines.items():
            _write(values, dict(dimensions))


_batch: contextvars.ContextVar[Batch | None] = contextvars.ContextVar("metrics_batch", default=None)


@contextmanager
def batched():
    """Metrics emitted inside are written together at the end (or at once, when metrics are off)."""
    batch = Batch()
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)
        batch.write()


def emit(values, **dimensions):
    """Writes `values` ({Metric: number}) under the stage and `dimensions`: now, or with the
    request's or run's batch. Never raises: a metric must not fail what it measures."""
    if not settings.METRICS_ENABLED or not values:
        return
    batch = _batch.get()
    if batch is not None:
        batch.add(values, dimensions)
    else:
        _write({metric: [value] for metric, value in values.items()}, dimensions)


def _write(values, dimensions):
    """One EMF line: {Metric: [numbers]} under the stage and `dimensions`."""
    try:
        # Imported on first use: the shop page's cold start emits nothing and does without it.
        from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

        line = AmazonCloudWatchEMFProvider(
            namespace=settings.METRICS_NAMESPACE,
            metric_set={},
            dimension_set={},
            metadata_set={},
            default_dimensions={STAGE_DIMENSION: settings.STAGE, **dimensions},
        )
        for metric, numbers in values.items():
            for number in numbers:
                line.add_metric(name=Metric(metric).value, unit=unit_of(metric), value=number)
        line.flush_metrics()
    except Exception as error:  # noqa: BLE001 - see emit()
        log.warning("metric not written", extra={"error": f"{type(error).__name__}: {error}"})


def count(metric, value=1, **dimensions):
    """Counts `value` (nothing is written for 0)."""
    if value:
        emit({metric: value}, **dimensions)


def clock():
    """A start time for `milliseconds_since`."""
    return time.perf_counter()


def milliseconds_since(started):
    return round((time.perf_counter() - started) * 1000, 1)


@contextmanager
def timed(metric, **dimensions):
    started = time.perf_counter()
    try:
        yield
    finally:
        emit({metric: milliseconds_since(started)}, **dimensions)


def request_finished(request, status, latency_ms):
    """The request log's hook: the webhook's answers and time, the checkout's time."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    if view_name == "payments:webhook":
        count(Metric.WEBHOOK_ANSWERS, Status=str(status))
        emit({Metric.WEBHOOK_TIME: latency_ms})
    elif view_name == "shop:checkout" and request.method == "POST":
        emit({Metric.CHECKOUT_TIME: latency_ms})


# DynamoDB's answers, after botocore's own retries, that mean it throttled us (a canceled
# transaction names the reason per item).
THROTTLE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "ThrottlingError"}
)


def dynamodb_answered(parsed=None, **_):
    """botocore's `after-call` event of the DynamoDB client (config.dynamodb): DynamoDB's answer
    once botocore's retries are done."""
    error = (parsed or {}).get("Error") or {}
    if not error:
        return
    codes = {error.get("Code")} | {(reason or {}).get("Code") for reason in parsed.get("CancellationReasons") or []}
    if codes & THROTTLE_CODES:
        count(Metric.DYNAMODB_THROTTLES)


def mollie_call_finished(started, error):
    """payments.mollie's hook: each call's latency, and an error when Mollie was unavailable to us
    (no answer, 429 or 5xx). Refusals (4xx) are answers, counted by what they cause."""
    status = getattr(error, "status", None) if error is not None else None
    failed = error is not None and (status is None or status == 429 or status >= 500)
    emit(
        {Metric.MOLLIE_CALLS: 1, Metric.MOLLIE_LATENCY: milliseconds_since(started), Metric.MOLLIE_ERRORS: int(failed)}
    )
