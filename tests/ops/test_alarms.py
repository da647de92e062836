"""The alarms command against moto's CloudWatch and SNS: idempotent, thresholds from settings,
an entry in the runbook for every alarm, and no AWS call its IAM policy does not allow."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from deploy.alarms import Stage, sync, wanted_alarms
from deploy.local_lambda import stage_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clients(local_aws):
    cloudwatch, sns = local_aws.client("cloudwatch"), local_aws.client("sns")
    yield cloudwatch, sns
    # moto's state lasts the session: each test starts from a stage with nothing made yet.
    for stage in ("dev", "production"):
        prefix = f"shop-{stage}-"
        names = [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]]
        if names:
            cloudwatch.delete_alarms(AlarmNames=names)
        if cloudwatch.list_dashboards(DashboardNamePrefix=f"{prefix}shop")["DashboardEntries"]:
            cloudwatch.delete_dashboards(DashboardNames=[f"{prefix}shop"])
        sns.delete_topic(TopicArn=sns.create_topic(Name=f"{prefix}alarms")["TopicArn"])


def dev():
    return Stage.from_zappa("dev", stage_settings("dev"))


def alarms(cloudwatch):
    return {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix="shop-dev-")["MetricAlarms"]}


def test_the_command_creates_alarms_topic_and_dashboard_and_a_second_run_changes_nothing(clients, settings):
    cloudwatch, sns = clients
    settings.STAFF_ALERT_EMAILS = ["owner@shop.example.com", "staff@shop.example.com"]

    first = sync(dev(), cloudwatch=cloudwatch, sns=sns, emails=settings.STAFF_ALERT_EMAILS)
    second = sync(dev(), cloudwatch=cloudwatch, sns=sns, emails=settings.STAFF_ALERT_EMAILS)

    created = alarms(cloudwatch)
    assert sorted(first["created"]) == sorted(created) and len(created) == len(wanted_alarms(dev()))
    assert first["dashboard"] == "created" and first["subscribed"] == settings.STAFF_ALERT_EMAILS
    assert second == {"created": [], "updated": [], "deleted": [], "subscribed": [], "dashboard": "unchanged"}
    topic = sns.create_topic(Name="shop-dev-alarms")["TopicArn"]
    assert all(alarm["AlarmActions"] == [topic] for alarm in created.values())
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["Endpoint"] for s in subscriptions) == settings.STAFF_ALERT_EMAILS
    assert created["shop-dev-reconcile-not-running"]["TreatMissingData"] == "breaching"
    assert created["shop-dev-reconcile-not-running"]["Period"] == 15 * 60  # the schedule's rate
    assert "docs/runbook.md#webhook-503" in created["shop-dev-webhook-503"]["AlarmDescription"]
    assert cloudwatch.get_dashboard(DashboardName="shop-dev-shop")["DashboardBody"]


def test_a_changed_threshold_updates_that_alarm_only(clients, settings):
    cloudwatch, sns = clients
    sync(dev(), cloudwatch=cloudwatch, sns=sns, emails=["staff@shop.example.com"])
    settings.ALARM_WEBHOOK_503 = 10

    changes = sync(dev(), cloudwatch=cloudwatch, sns=sns, emails=["staff@shop.example.com"])

    assert changes["updated"] == ["shop-dev-webhook-503"] and not changes["created"]
    assert alarms(cloudwatch)["shop-dev-webhook-503"]["Threshold"] == 10


def test_an_alarm_no_longer_wanted_is_deleted(clients, settings):
    cloudwatch, sns = clients
    sync(dev(), cloudwatch=cloudwatch, sns=sns, emails=["staff@shop.example.com"])
    settings.ALARM_NO_PAID_ORDER_HOURS = 0  # a shop without steady orders

    changes = sync(dev(), cloudwatch=cloudwatch, sns=sns, emails=["staff@shop.example.com"])

    assert changes["deleted"] == ["shop-dev-no-paid-orders"]
    assert "shop-dev-no-paid-orders" not in alarms(cloudwatch)


def test_the_management_command_runs_against_an_endpoint(clients, local_aws, capsys):
    call_command("sync_alarms", "--stage", "dev", "--endpoint-url", local_aws.endpoint_url)

    assert "shop-dev-lambda-errors" in capsys.readouterr().out
    assert "shop-dev-lambda-errors" in alarms(clients[0])


@pytest.mark.pure
def test_the_runbook_has_an_entry_for_every_alarm():
    headings = re.findall(r"^## (\S+)$", (ROOT / "docs" / "runbook.md").read_text(), re.MULTILINE)

    assert sorted(headings) == sorted(alarm.key for alarm in wanted_alarms(dev()))


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_the_deployer_policy_allows_every_call_the_command_makes(clients, local_aws, stage, settings):
    from tests.deploy.iam import is_allowed, permissions_needed

    cloudwatch, sns = local_aws.client("cloudwatch"), local_aws.client("sns")
    calls = []
    for client in (cloudwatch, sns):
        service = client.meta.service_model.service_name
        client.meta.events.register(
            "provide-client-params.*.*",
            lambda params, model, service=service, **_: calls.append(
                {"service": service, "operation": model.name, **params}
            ),
        )
    target = Stage.from_zappa(stage, stage_settings(stage))
    sync(target, cloudwatch=cloudwatch, sns=sns, emails=["staff@shop.example.com"])
    settings.ALARM_NO_PAID_ORDER_HOURS = 0  # a second run deletes one
    sync(target, cloudwatch=cloudwatch, sns=sns, emails=["staff@shop.example.com"])
    policy = json.loads((ROOT / "deploy" / "iam" / f"{stage}-alarms-policy.json").read_text())
    account = "123456789012"

    needed = [
        each
        for call in calls
        for each in permissions_needed(call, region=target.region, account=account, secret_arns={})
    ]

    assert {call["operation"] for call in calls} >= {"PutMetricAlarm", "DeleteAlarms", "PutDashboard", "Subscribe"}
    assert [each for each in needed if not is_allowed(policy, *each, account=account)] == []


def test_a_threshold_cloudwatch_would_refuse_is_named(clients, local_aws, settings):
    from django.core.management import CommandError

    settings.ALARM_NO_PAID_ORDER_HOURS = 200

    with pytest.raises(CommandError, match="ALARM_NO_PAID_ORDER_HOURS is at most 168"):
        call_command("sync_alarms", "--stage", "dev", "--endpoint-url", local_aws.endpoint_url)
    assert alarms(clients[0]) == {}  # nothing half made
