"""A large CSV export on Lambda, end to end with the real Zappa package (issue 16).

The packaged handler must invoke its own function asynchronously (Zappa's `@task`: Invoke with
InvocationType Event, a `command`/`task_path` payload), and the handler must run that payload
when Lambda delivers it, in a container that has served no request, until the file is in S3.
Lambda's Invoke API is `deploy/lambda_invoke.py`, on loopback; S3 and DynamoDB are moto.
"""

import csv
import io
import re
import secrets
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from deploy.lambda_invoke import LambdaInvokeStandIn
from deploy.local_lambda import ApiGatewayClient
from tests.deploy.conftest import (
    DEV_PUBLIC_BASE_URL,
    MOTO_ACCOUNT,
    assert_policy_allows_every_call,
    csrf_token,
    stage_tables,
)
from tests.staff.conftest import make_order

pytestmark = [pytest.mark.slow, pytest.mark.no_tables]

ORDERS = 7
# Lambda retries and may deliver an event twice; an export takes a handful of steps here.
MAX_DELIVERIES = 10


@pytest.fixture(scope="module")
def function_name(dev_stage):
    return f"{dev_stage.settings['project_name']}-{dev_stage.name}"


@pytest.fixture(scope="module")
def lambda_api(dev_stage, function_name):
    with LambdaInvokeStandIn(function_name, region=dev_stage.settings["aws_region"], account=MOTO_ACCOUNT) as api:
        yield api


@pytest.fixture(scope="module")
def staff_login(dev_stage):
    """A staff login made as the README says, with `createstaff` (password from the environment)."""
    password = secrets.token_urlsafe(16)
    with dev_stage.start("createstaff", STAFF_PASSWORD=password) as function:
        answer = function.invoke({"manage": "createstaff exporter --name Exporter"})
    assert "error" not in answer, answer.get("error")
    return "exporter", password


def test_a_large_export_runs_as_asynchronous_invocations_of_the_function_itself(
    dev_stage, lambda_api, function_name, staff_login
):
    now = timezone.now()
    with stage_tables(dev_stage):
        orders = [make_order(created_at=now - timedelta(hours=n), email=f"c{n}@example.com") for n in range(ORDERS)]
    # The stage's own function name is already set, as Lambda sets it; only the endpoint is local.
    lambda_env = {"AWS_ENDPOINT_URL_LAMBDA": lambda_api.url, "EXPORT_DIRECT_MAX_ORDERS": str(ORDERS - 1)}
    assert dev_stage.env["AWS_LAMBDA_FUNCTION_NAME"] == function_name

    with dev_stage.start("export-web", **lambda_env) as web:
        browser = ApiGatewayClient(web, public_base_url=DEV_PUBLIC_BASE_URL, stage="dev")
        login_page = browser.get("/staff/login/")
        username, password = staff_login
        logged_in = browser.post(
            "/staff/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(login_page.text)},
        )
        assert logged_in.status == 302
        confirm = browser.get("/staff/orders/export.csv")
        assert confirm.status == 200 and f"about {ORDERS} orders" in confirm.text
        job_id = re.search(r'name="job_id" value="([0-9a-f]{32})"', confirm.text).group(1)
        started = browser.post(
            "/staff/orders/export.csv",
            {"job_id": job_id, "csrfmiddlewaretoken": csrf_token(confirm.text)},
            referer_path="/staff/orders/export.csv",
        )
        assert started.status == 302 and started.headers["location"] == f"/dev/staff/exports/{job_id}/"

        # The request only queued the export: one asynchronous invocation of this very function.
        [first] = lambda_api.take_queued()
        assert (first.function_name, first.invocation_type) == (function_name, "Event")
        assert first.payload == {
            "command": "zappa.asynchronous.route_lambda_task",
            "task_path": "staff.export_task.export_step",
            "args": [job_id],
            "kwargs": {},
            "capture_response": False,
            "response_id": None,
        }
        waiting = browser.get(f"/staff/exports/{job_id}/")
        assert waiting.status == 200 and "<progress" in waiting.text and "Download" not in waiting.text

        # Lambda runs a queued event in any container: here a cold one that has served no request.
        queued, delivered = [first], 0
        with dev_stage.start("export-task", **lambda_env) as task_container:
            while queued and delivered < MAX_DELIVERIES:
                answer = task_container.invoke(queued.pop(0).payload)
                assert "error" not in answer, answer.get("error")
                delivered += 1
                queued += lambda_api.take_queued()
        assert not queued, f"still handing on after {delivered} steps"

        done = browser.get(f"/staff/exports/{job_id}/")
    link = re.search(r'<a class="button default" href="([^"]+)"', done.text).group(1).replace("&amp;", "&")
    download = requests.get(link, timeout=10)
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [row["order_number"] for row in rows] == [order.order_id for order in orders]
    assert {row["customer_email"] for row in rows} == {f"c{n}@example.com" for n in range(ORDERS)}
    assert lambda_api.refused == []
    # Each invocation the role made was of its own function, and the policy grants exactly that.
    invoked = {invocation.function_arn for invocation in lambda_api.invocations}
    assert invoked == {lambda_api.arn(function_name)}
    assert_policy_allows_every_call(dev_stage, "export-web", "export-task")
    recorded = [call for label in ("export-web", "export-task") for call in dev_stage.aws_calls(label)]
    assert [call["FunctionName"] for call in recorded if call["service"] == "lambda"] == [function_name] * len(
        lambda_api.invocations
    )
