"""zappa_settings.json and the policies it points to: each stage reaches its own resources only."""

import json
import re
import sys
from email.utils import parseaddr
from importlib import import_module

import pytest

from deploy.local_lambda import ROOT, ZAPPA_SETTINGS, stage_settings

pytestmark = pytest.mark.pure

STAGES = list(json.loads(ZAPPA_SETTINGS.read_text()))


def test_there_is_a_dev_and_a_production_stage():
    assert {"dev", "production"} <= set(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_stage_runs_this_python_with_a_reconciliation_schedule(stage):
    settings = stage_settings(stage)

    assert settings["runtime"] == f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert settings["django_settings"] == "config.settings"
    assert settings["log_level"] in ("WARNING", "ERROR")  # lower levels log botocore bodies, the secret included
    assert settings["debug"] is False and settings["slim_handler"] is False
    assert "keep_warm" in settings  # chosen, not left to Zappa's default
    for event in settings["events"]:  # every scheduled function exists
        module, function = event["function"].rsplit(".", 1)
        assert callable(getattr(import_module(module), function))
    schedules = {event["function"]: event["expression"] for event in settings["events"]}
    assert re.fullmatch(r"rate\(\d+ minutes\)", schedules["payments.scheduled.reconcile_payments"])
    assert schedules["privacy.scheduled.run_retention"] == "rate(1 day)"


@pytest.mark.parametrize("stage", STAGES)
def test_stage_policy_names_only_the_stage_own_tables_secret_bucket_logs_and_mail_identity(stage):
    settings = stage_settings(stage)
    variables = settings["aws_environment_variables"]
    policy = json.loads((ROOT / settings["attach_policy"]).read_text())
    resources = {resource for statement in policy["Statement"] for resource in statement["Resource"]}
    actions = {action for statement in policy["Statement"] for action in statement["Action"]}

    assert settings["manage_roles"] is True  # Zappa keeps the role, with this policy as its only one
    assert all("*" not in action for action in actions)
    function = f"{settings['project_name']}-{stage}"
    from_address = parseaddr(variables["DEFAULT_FROM_EMAIL"])[1]
    sending_domain = from_address.rpartition("@")[2]
    allowed_prefixes = (
        f"arn:aws:dynamodb:{settings['aws_region']}:${{aws:PrincipalAccount}}:table/{variables['DYNAMODB_TABLE_PREFIX']}",
        f"arn:aws:secretsmanager:{settings['aws_region']}:${{aws:PrincipalAccount}}:secret:{variables['APP_SECRET_NAME']}-",
        f"arn:aws:s3:::{variables['STATIC_BUCKET']}",
        f"arn:aws:logs:{settings['aws_region']}:${{aws:PrincipalAccount}}:log-group:/aws/lambda/{function}",
        f"arn:aws:ses:{settings['aws_region']}:${{aws:PrincipalAccount}}:identity/{sending_domain}",
        f"arn:aws:ses:{settings['aws_region']}:${{aws:PrincipalAccount}}:identity/{from_address}",
    )
    # API Gateway invokes through this role (tests/deploy/test_policies.py): the function and its versions only.
    function_arn = f"arn:aws:lambda:{settings['aws_region']}:${{aws:PrincipalAccount}}:function:{function}"
    invocable = {
        resource
        for statement in policy["Statement"]
        for resource in statement["Resource"]
        if resource.startswith("arn:aws:lambda:")
    }
    assert invocable == {function_arn, f"{function_arn}:*"}
    assert all(resource.startswith(allowed_prefixes) for resource in resources - invocable), resources


@pytest.mark.parametrize("stage", STAGES)
def test_static_bucket_policy_opens_only_the_static_files(stage):
    bucket = stage_settings(stage)["aws_environment_variables"]["STATIC_BUCKET"]
    policy = json.loads((ROOT / "deploy" / "s3" / f"{stage}-static-bucket-policy.json").read_text())

    [statement] = policy["Statement"]
    assert statement["Action"] == "s3:GetObject" and statement["Resource"] == f"arn:aws:s3:::{bucket}/static/*"


def test_no_secret_is_in_the_settings_file():
    text = ZAPPA_SETTINGS.read_text()

    assert not re.search(r"(live|test)_[A-Za-z0-9]{30}", text)
    assert "SECRET_KEY" not in text and "MOLLIE_API_KEY" not in text and "aws_secret_access_key" not in text.lower()


API_GATEWAY_LIMIT_SECONDS = 29  # REST API integration timeout (API Gateway quotas)


@pytest.mark.parametrize("stage", STAGES)
def test_no_web_request_outlives_api_gateway(stage):
    """A function still running after API Gateway's 504 would commit what the shopper never sees."""
    from django.conf import settings as django_settings

    from config import deadline

    timeout = stage_settings(stage)["timeout_seconds"]
    assert API_GATEWAY_LIMIT_SECONDS < timeout <= API_GATEWAY_LIMIT_SECONDS + 1
    budget = django_settings.REQUEST_TIME_BUDGET_SECONDS
    # The last write starts with one DynamoDB try's time left: it ends before the budget does.
    assert deadline.write_seconds() <= budget / 4
    assert budget + django_settings.LAMBDA_TIME_MARGIN_SECONDS < API_GATEWAY_LIMIT_SECONDS


@pytest.mark.parametrize("stage", STAGES)
def test_certify_writes_no_dns_record_the_guide_does_not_ask_for(stage):
    # Zappa 0.63's certify creates the API Gateway domain and then, unless route53_enabled is
    # false, writes a Route 53 record (cli.py, certify): with no hosted zone for the domain that
    # fails after the domain exists, and a second try meets a ConflictException. The guide has
    # the deployer create the DNS record for the name `aws apigateway get-domain-name` shows.
    settings = stage_settings(stage)

    assert settings.get("domain")
    assert settings.get("route53_enabled") is False
    assert "aws apigateway get-domain-name" in (ROOT / "docs" / "deploy.md").read_text()
