"""A stage's CloudWatch alarms, their SNS topic and its dashboard, created or brought up to date.

Zappa makes no alarms (zappa/Zappa#513, closed unbuilt), so `python manage.py sync_alarms
--stage dev` does, from the deployer's machine after each `zappa deploy/update`. Idempotent: it
reads what exists and writes only what differs, so a second run changes nothing and a changed
threshold (a setting) updates that one alarm. Alarms named `shop-<stage>-` that are no longer
wanted are deleted. Every alarm mails the staff alert addresses through the topic, and its
description links its runbook entry (docs/runbook.md, one `## <key>` heading per alarm).
"""

import json
from dataclasses import dataclass, field

from django.conf import settings

from config.metrics import STAGE_DIMENSION, Metric

FIVE_MINUTES = 300
HOUR = 3600
# An alarm evaluates at most 7 days of datapoints (EvaluationPeriods x Period, PutMetricAlarm).
MAX_EVALUATION_HOURS = 7 * 24


@dataclass(frozen=True)
class Alarm:
    key: str  # the runbook's heading and the alarm name's end
    summary: str
    metric: str = ""
    namespace: str = ""
    dimensions: dict = field(default_factory=dict)
    statistic: str = "Sum"
    period: int = FIVE_MINUTES
    periods: int = 1  # evaluation periods, all breaching (datapoints to alarm)
    threshold: float = 1
    comparison: str = "GreaterThanOrEqualToThreshold"
    missing: str = "notBreaching"
    math: tuple = ()  # metric math (MetricDataQuery dicts) instead of one metric


@dataclass(frozen=True)
class Stage:
    """What the alarms watch for one stage, from its Zappa settings."""

    name: str
    region: str
    function_name: str
    timeout_seconds: int
    reconcile_every_seconds: int

    @classmethod
    def from_zappa(cls, name, zappa):
        return cls(
            name=name,
            region=zappa["aws_region"],
            function_name=f"{zappa['project_name']}-{name}",
            timeout_seconds=int(zappa.get("timeout_seconds", 30)),
            reconcile_every_seconds=_reconcile_interval(zappa),
        )

    @property
    def prefix(self):
        return f"shop-{self.name}-"

    @property
    def topic_name(self):
        return f"{self.prefix}alarms"


def _reconcile_interval(zappa):
    for event in zappa.get("events", []):
        if event.get("function") == "payments.scheduled.reconcile_payments":
            amount, unit = event["expression"].removeprefix("rate(").removesuffix(")").split()
            return int(amount) * {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600}[unit]
    raise ValueError("the stage has no scheduled reconciliation (payments.scheduled.reconcile_payments)")


def wanted_alarms(stage: Stage) -> list[Alarm]:
    """The alarms of a stage, with the thresholds of this run's settings."""
    shop = {"namespace": settings.METRICS_NAMESPACE, "dimensions": {STAGE_DIMENSION: stage.name}}
    function = {"namespace": "AWS/Lambda", "dimensions": {"FunctionName": stage.function_name}}
    reconcile_runs = {"period": stage.reconcile_every_seconds, "periods": settings.ALARM_RECONCILE_RUNS_IN_A_ROW}
    alarms = [
        Alarm("lambda-errors", "The function failed (uncaught errors)", "Errors", **function,
              threshold=settings.ALARM_LAMBDA_ERRORS),
        Alarm("lambda-throttles", "Lambda refused to run the function (concurrency limit)", "Throttles", **function,
              threshold=settings.ALARM_LAMBDA_THROTTLES),
        Alarm("lambda-duration-near-timeout", "An invocation came near the function's timeout", "Duration",
              **function, statistic="Maximum",
              threshold=stage.timeout_seconds * 1000 * settings.ALARM_DURATION_PERCENT_OF_TIMEOUT / 100),
        Alarm("api-5xx", "API Gateway answered 5xx (shoppers saw errors)", "5XXError", namespace="AWS/ApiGateway",
              dimensions={"ApiName": stage.function_name}, threshold=settings.ALARM_API_5XX),
        Alarm("webhook-503", "Mollie's webhooks are answered 503 (Mollie will retry)", Metric.WEBHOOK_ANSWERS,
              settings.METRICS_NAMESPACE, {STAGE_DIMENSION: stage.name, "Status": "503"},
              threshold=settings.ALARM_WEBHOOK_503),
        Alarm("reconcile-errors", "Reconciliation met errors several runs in a row", Metric.RECONCILE_ERRORS,
              **shop, **reconcile_runs),
        Alarm("reconcile-left-over", "Reconciliation left work over several runs in a row",
              Metric.RECONCILE_LEFT_OVER, **shop, **reconcile_runs),
        Alarm("reconcile-not-running", "No reconciliation run reported (late or lost webhooks go unnoticed)",
              Metric.RECONCILE_RUNS, **shop, **reconcile_runs, comparison="LessThanThreshold", missing="breaching"),
        Alarm("payments-stuck", "A payment is pending or authorized past the stuck threshold", Metric.PAYMENTS_STUCK,
              **shop, period=HOUR, threshold=settings.ALARM_PAYMENTS_STUCK),
        Alarm("capture-deadline-near", "A pay-later authorization is near its capture deadline: ship or cancel",
              Metric.CAPTURE_DEADLINES_NEAR, **shop, statistic="Maximum", period=stage.reconcile_every_seconds,
              threshold=settings.ALARM_CAPTURE_DEADLINES_NEAR, missing="ignore"),  # no run, no news: not "OK"
        Alarm("authorization-lapsed", "A pay-later authorization lapsed before it was captured (the sale is lost)",
              Metric.AUTHORIZATIONS_LAPSED, **shop, period=HOUR, threshold=settings.ALARM_AUTHORIZATIONS_LAPSED),
        Alarm("mails-failed", "Mail was given up after its tries", Metric.MAILS_FAILED, **shop, period=HOUR,
              threshold=settings.ALARM_MAILS_FAILED),
        Alarm("mail-bounce-rate", "Too many mails bounce or draw complaints (SES may pause sending)",
              threshold=settings.ALARM_BOUNCE_RATE_PERCENT, comparison="GreaterThanThreshold",
              math=_bounce_rate(shop)),
        Alarm("dynamodb-throttles", "DynamoDB throttled the shop past botocore's retries", Metric.DYNAMODB_THROTTLES,
              **shop, threshold=settings.ALARM_DYNAMODB_THROTTLES),
    ]  # fmt: skip
    if settings.ALARM_NO_PAID_ORDER_HOURS > MAX_EVALUATION_HOURS:
        raise ValueError(f"ALARM_NO_PAID_ORDER_HOURS is at most {MAX_EVALUATION_HOURS} (CloudWatch looks back 7 days)")
    if settings.ALARM_NO_PAID_ORDER_HOURS:
        alarms.append(
            Alarm(
                "no-paid-orders",
                f"No order was paid in {settings.ALARM_NO_PAID_ORDER_HOURS} hours",
                Metric.ORDERS_PAID,
                **shop,
                period=HOUR,
                periods=settings.ALARM_NO_PAID_ORDER_HOURS,
                comparison="LessThanThreshold",
                missing="breaching",
            )  # fmt: skip
        )
    return alarms


def _bounce_rate(shop):
    def metric(query_id, name):
        dimensions = [{"Name": key, "Value": value} for key, value in shop["dimensions"].items()]
        stat = {"Metric": {"Namespace": shop["namespace"], "MetricName": name, "Dimensions": dimensions}}
        return {"Id": query_id, "MetricStat": {**stat, "Period": HOUR, "Stat": "Sum"}, "ReturnData": False}

    return (
        metric("bounced", Metric.MAILS_BOUNCED),
        metric("complained", Metric.MAILS_COMPLAINED),
        metric("sent", Metric.MAILS_SENT),
        {
            "Id": "rate",
            "Expression": "100 * (bounced + complained) / MAX([sent, 1])",
            "Label": "Bounces and complaints, % of mails sent",
            "ReturnData": True,
        },
    )


def alarm_request(stage: Stage, alarm: Alarm, topic_arn: str) -> dict:
    """PutMetricAlarm's arguments for `alarm`."""
    request = {
        "AlarmName": stage.prefix + alarm.key,
        "AlarmDescription": f"{alarm.summary}. Runbook: {settings.RUNBOOK_URL}#{alarm.key}",
        "ActionsEnabled": True,
        "AlarmActions": [topic_arn],
        "OKActions": [topic_arn],
        "EvaluationPeriods": alarm.periods,
        "DatapointsToAlarm": alarm.periods,
        "Threshold": float(alarm.threshold),
        "ComparisonOperator": alarm.comparison,
        "TreatMissingData": alarm.missing,
    }
    if alarm.math:
        return {**request, "Metrics": [dict(query) for query in alarm.math]}
    return {
        **request,
        "Namespace": alarm.namespace,
        "MetricName": str(alarm.metric),
        "Dimensions": [{"Name": key, "Value": value} for key, value in alarm.dimensions.items()],
        "Statistic": alarm.statistic,
        "Period": alarm.period,
    }


def differs(wanted: dict, existing: dict) -> bool:
    """Whether the alarm as it exists differs from PutMetricAlarm's `wanted` arguments."""
    return any(_normal(existing.get(key)) != _normal(value) for key, value in wanted.items())


def _normal(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items() if item not in (None, [], {})}
    return value


def sync(stage: Stage, *, cloudwatch, sns, emails) -> dict:
    """Brings the stage's topic, subscriptions, alarms and dashboard in line; returns what changed."""
    topic_arn = sns.create_topic(Name=stage.topic_name)["TopicArn"]  # returns the existing one
    subscribed = {
        subscription["Endpoint"]
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
        for subscription in page["Subscriptions"]
        if subscription["Protocol"] == "email"
    }
    new_subscriptions = sorted(set(emails) - subscribed)
    for email in new_subscriptions:
        sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=email)  # SNS mails a confirmation link
    existing = {
        alarm["AlarmName"]: alarm
        for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=stage.prefix)
        for alarm in page["MetricAlarms"]
    }
    changes: dict = {"created": [], "updated": [], "deleted": [], "subscribed": new_subscriptions}
    wanted = [alarm_request(stage, alarm, topic_arn) for alarm in wanted_alarms(stage)]
    for request in wanted:
        name = request["AlarmName"]
        if name not in existing or differs(request, existing[name]):
            cloudwatch.put_metric_alarm(**request)
            changes["updated" if name in existing else "created"].append(name)
    unwanted = sorted(set(existing) - {request["AlarmName"] for request in wanted})
    if unwanted:
        cloudwatch.delete_alarms(AlarmNames=unwanted)
        changes["deleted"] = unwanted
    changes["dashboard"] = _sync_dashboard(stage, cloudwatch)
    return changes


def _sync_dashboard(stage, cloudwatch):
    name = f"{stage.prefix}shop"
    body = json.dumps(dashboard(stage), sort_keys=True)
    try:
        current = cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"]
    except cloudwatch.exceptions.ResourceNotFound:
        current = None
    if current is not None and json.loads(current) == json.loads(body):
        return "unchanged"
    cloudwatch.put_dashboard(DashboardName=name, DashboardBody=body)
    return "created" if current is None else "updated"


# The dashboard's graphs: (title, [metric names]) of the shop's namespace, then Lambda's.
SHOP_GRAPHS = (
    ("Orders", [Metric.ORDERS_PLACED, Metric.ORDERS_PAID, Metric.ORDERS_EXPIRED, Metric.ORDERS_CANCELED]),
    ("Webhook and checkout time (ms, p95)", [Metric.WEBHOOK_TIME, Metric.CHECKOUT_TIME]),
    ("Mollie", [Metric.MOLLIE_CALLS, Metric.MOLLIE_ERRORS]),
    ("Mollie latency (ms, p95)", [Metric.MOLLIE_LATENCY]),
    ("Reconciliation", [Metric.RECONCILE_SYNCED, Metric.RECONCILE_LEFT_OVER, Metric.RECONCILE_ERRORS]),
    ("Money at risk", [Metric.PAYMENTS_STUCK, Metric.CHARGEBACKS, Metric.AUTHORIZATIONS_LAPSED]),
    ("Pay later: authorizations near their capture deadline", [Metric.CAPTURE_DEADLINES_NEAR]),
    ("Mail", [Metric.MAILS_SENT, Metric.MAILS_FAILED, Metric.MAILS_BOUNCED, Metric.MAILS_COMPLAINED]),
    ("DynamoDB", [Metric.DYNAMODB_THROTTLES, Metric.DYNAMODB_CONFLICTS]),
)


def dashboard(stage: Stage) -> dict:
    namespace = settings.METRICS_NAMESPACE
    widgets = []
    for title, names in SHOP_GRAPHS:
        timing = "ms" in title
        lines = [[namespace, str(name), STAGE_DIMENSION, stage.name] for name in names]
        widgets.append(_graph(stage, title, lines, "p95" if timing else "Sum"))
    by_dimension = (
        ("Webhook answers by status", Metric.WEBHOOK_ANSWERS, "Status"),
        ("Failed payments by method", Metric.PAYMENTS_FAILED, "Method"),
    )
    for title, name, dimension in by_dimension:
        search = (
            f"SEARCH('{{{namespace},{STAGE_DIMENSION},{dimension}}} MetricName=\"{name}\" {stage.name}', 'Sum', 300)"
        )
        widgets.append(_graph(stage, title, [[{"expression": search, "id": "e1"}]], "Sum"))
    lambda_lines = [["AWS/Lambda", name, "FunctionName", stage.function_name] for name in ("Errors", "Throttles")]
    widgets.append(_graph(stage, "Lambda errors and throttles", lambda_lines, "Sum"))
    duration = [["AWS/Lambda", "Duration", "FunctionName", stage.function_name]]
    widgets.append(_graph(stage, "Lambda duration (ms, max)", duration, "Maximum"))
    return {"widgets": widgets}


def _graph(stage, title, lines, stat):
    # No x/y: CloudWatch lays the widgets out in order.
    return {
        "type": "metric",
        "width": 12,
        "height": 6,
        "properties": {"title": title, "metrics": lines, "stat": stat, "period": 300, "region": stage.region},
    }
