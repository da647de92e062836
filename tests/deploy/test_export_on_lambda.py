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
from datetime import UTC, datetime, timedelta

import moto.s3.models
import pytest
import requests

from deploy.lambda_invoke import LambdaInvokeStandIn
from deploy.local_lambda import ApiGatewayClient, csrf_token
from tests.fixtures.dev_stage import (
    DEV_PUBLIC_BASE_URL,
    MOTO_ACCOUNT,
    assert_policy_allows_every_call,
    stage_tables,
)
from tests.fixtures.orders import make_order

pytestmark = [pytest.mark.slow, pytest.mark.no_tables]

# A part per order and a step per part, so that an export takes as many invocations as it has
# orders, plus one that completes it (S3 wants 5 MB parts; moto, in this process, is told to
# accept less).
ONE_PART_PER_ORDER = {"EXPORT_PART_BYTES": "1", "EXPORT_STEP_SECONDS": "0"}
MAX_DELIVERIES = 40


@pytest.fixture(scope="module")
def function_name(dev_stage):
    return f"{dev_stage.settings['project_name']}-{dev_stage.name}"


@pytest.fixture(scope="module")
def lambda_api(dev_stage, function_name):
    with LambdaInvokeStandIn(function_name, region=dev_stage.settings["aws_region"], account=MOTO_ACCOUNT) as api:
        yield api


@pytest.fixture(scope="module")
def staff_login(dev_stage):
    """A staff login made as docs/deploy.md says, with `createstaff` (password from the environment)."""
    password = secrets.token_urlsafe(16)
    with dev_stage.start("createstaff", STAFF_PASSWORD=password) as function:
        answer = function.invoke({"manage": "createstaff exporter --name Exporter"})
    assert "error" not in answer, answer.get("error")
    return "exporter", password


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1)


def orders_on(dev_stage, day, count):
    """`count` orders placed on `day`, newest first, each export filtering on its own day."""
    noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    with stage_tables(dev_stage):
        return [make_order(created_at=noon - timedelta(minutes=n), email=f"c{n}@example.com") for n in range(count)]


def web_container(dev_stage, lambda_api, label):
    return dev_stage.start(label, AWS_ENDPOINT_URL_LAMBDA=lambda_api.url, EXPORT_DIRECT_MAX_ORDERS="2")


def start_export(web, staff_login, day, expected):
    """Logs in and starts the export of `day` through API Gateway events; returns (browser, job id)."""
    browser = ApiGatewayClient(web, public_base_url=DEV_PUBLIC_BASE_URL, stage="dev")
    login_page = browser.get("/staff/login/")
    username, password = staff_login
    logged_in = browser.post(
        "/staff/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(login_page.text)},
    )
    assert logged_in.status == 302
    filters = {"created_from": day.isoformat(), "created_to": day.isoformat()}
    confirm = browser.get("/staff/orders/export.csv", **filters)
    assert confirm.status == 200 and f"about {expected} orders" in confirm.text
    job_id = re.search(r'name="job_id" value="([0-9a-f]{32})"', confirm.text).group(1)
    started = browser.post(
        "/staff/orders/export.csv",
        {"job_id": job_id, "csrfmiddlewaretoken": csrf_token(confirm.text)},
        referer_path="/staff/orders/export.csv",
        query=filters,
    )
    assert started.status == 302 and started.headers["location"] == f"/dev/staff/exports/{job_id}/"
    return browser, job_id


def run_queued(dev_stage, lambda_api, label, first):
    """Delivers each queued invocation, as Lambda would, to a container that has served no
    request, with the trace header Lambda gives it, until nothing is queued; returns the count."""
    queued, delivered = [first], 0
    env = {"AWS_ENDPOINT_URL_LAMBDA": lambda_api.url, **ONE_PART_PER_ORDER}
    with dev_stage.start(label, **env) as task_container:
        while queued and delivered < MAX_DELIVERIES:
            invocation = queued.pop(0)
            answer = task_container.invoke(invocation.payload, trace_id=invocation.trace_id)
            assert "error" not in answer, answer.get("error")
            delivered += 1
            queued += lambda_api.take_queued()
    assert not queued, f"still handing on after {delivered} steps"
    return delivered


def test_a_large_export_runs_as_asynchronous_invocations_of_the_function_itself(
    dev_stage, lambda_api, function_name, staff_login, small_parts
):
    day, count = datetime(2026, 3, 10).date(), 7
    orders = orders_on(dev_stage, day, count)
    assert dev_stage.env["AWS_LAMBDA_FUNCTION_NAME"] == function_name  # as Lambda sets it
    lambda_api.invocations.clear()

    with web_container(dev_stage, lambda_api, "export-web") as web:
        browser, job_id = start_export(web, staff_login, day, count)
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

        delivered = run_queued(dev_stage, lambda_api, "export-task", first)
        done = browser.get(f"/staff/exports/{job_id}/")

    # Each step handed on to the next by invoking the function itself, a chain Lambda counts.
    assert delivered == count + 1
    assert [invocation.chain for invocation in lambda_api.invocations] == list(range(1, count + 2))
    link = re.search(r'<a class="button default" href="([^"]+)"', done.text).group(1).replace("&amp;", "&")
    download = requests.get(link, timeout=10)
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [row["order_number"] for row in rows] == [order.order_id for order in orders]
    assert {row["customer_email"] for row in rows} == {f"c{n}@example.com" for n in range(count)}
    assert lambda_api.refused == [] and lambda_api.stopped == []
    # Each invocation the role made was of its own function, and the policy grants exactly that.
    assert {invocation.function_arn for invocation in lambda_api.invocations} == {lambda_api.arn(function_name)}
    assert_policy_allows_every_call(dev_stage, "export-web", "export-task")
    recorded = [call for label in ("export-web", "export-task") for call in dev_stage.aws_calls(label)]
    lambda_calls = [call for call in recorded if call["service"] == "lambda"]
    assert [(call["FunctionName"], call["InvocationType"]) for call in lambda_calls] == [(function_name, "Event")] * (
        count + 1
    )


def test_an_export_longer_than_the_chain_lambda_allows_fails_saying_so(dev_stage, lambda_api, staff_login, small_parts):
    # A step per order: the 16th step would be a 17th invocation, which Lambda drops, if the web
    # request's counts too; the export stops after 15 (staff/exports.py).
    day, count = datetime(2026, 3, 11).date(), 20
    orders_on(dev_stage, day, count)
    lambda_api.invocations.clear()

    with web_container(dev_stage, lambda_api, "long-export-web") as web:
        browser, job_id = start_export(web, staff_login, day, count)
        [first] = lambda_api.take_queued()
        delivered = run_queued(dev_stage, lambda_api, "long-export-task", first)
        page = browser.get(f"/staff/exports/{job_id}/")

    assert delivered == 15 and lambda_api.stopped == []
    assert "The export failed (too many orders for one export: choose fewer days or one status)" in page.text
    assert "<progress" not in page.text  # not "running" for ever
    s3 = dev_stage.aws.client("s3")
    assert not s3.list_multipart_uploads(Bucket=dev_stage.bucket, Prefix="private/exports/").get("Uploads")
    assert_policy_allows_every_call(dev_stage, "long-export-web", "long-export-task")


def test_an_export_lambda_refuses_to_invoke_fails_at_once(dev_stage, lambda_api, staff_login):
    # A role that may not invoke the function (a policy narrowed by hand, say): no step would run.
    day, count = datetime(2026, 3, 12).date(), 3
    orders_on(dev_stage, day, count)
    lambda_api.refuse_next(
        403, "AccessDeniedException", "User is not authorized to perform: lambda:InvokeFunction on resource: shop-dev"
    )

    with web_container(dev_stage, lambda_api, "refused-export-web") as web:
        browser, job_id = start_export(web, staff_login, day, count)
        page = browser.get(f"/staff/exports/{job_id}/")

    assert page.status == 200 and "The export failed (" in page.text and "<progress" not in page.text
    assert lambda_api.take_queued() == []
