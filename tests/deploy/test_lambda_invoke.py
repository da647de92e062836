"""The Invoke API stand-in (deploy/lambda_invoke.py) answers as Lambda does, with Zappa's own sender."""

import json

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from zappa.asynchronous import LambdaAsyncResponse

from deploy.lambda_invoke import EVENT_PAYLOAD_LIMIT, LambdaInvokeStandIn

pytestmark = pytest.mark.pure

FUNCTION = "shop-dev"
CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@pytest.fixture
def api():
    with LambdaInvokeStandIn(FUNCTION, region="eu-west-1") as api:
        yield api


@pytest.fixture
def session(api, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", api.url)  # how the package test points the handler at it
    return boto3.Session(region_name="eu-west-1", **CREDENTIALS)


def client(session):
    return session.client("lambda", config=Config(retries={"max_attempts": 1}))


def test_zappa_task_dispatch_is_an_event_invocation_answered_202(api, session):
    sent = LambdaAsyncResponse(lambda_function_name=FUNCTION, boto_session=session).send(
        "staff.export_task.export_step", ["a" * 32], {}
    )

    assert sent.sent and sent.response["StatusCode"] == 202
    [invocation] = api.take_queued()
    assert invocation.function_arn == f"arn:aws:lambda:eu-west-1:123456789012:function:{FUNCTION}"
    assert invocation.invocation_type == "Event"
    assert invocation.payload["command"] == "zappa.asynchronous.route_lambda_task"
    assert invocation.payload["task_path"] == "staff.export_task.export_step"
    assert invocation.payload["args"] == ["a" * 32]
    assert api.take_queued() == []  # taken once


@pytest.mark.parametrize(
    "target",
    [
        "shop-production",
        "shop-dev-other",
        f"{FUNCTION}:7",
        f"arn:aws:lambda:eu-west-1:210987654321:function:{FUNCTION}",
    ],
)
def test_any_other_function_is_not_found(api, session, target):
    with pytest.raises(ClientError) as refused:
        client(session).invoke(FunctionName=target, InvocationType="Event", Payload=b"{}")

    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert api.invocations == []


def test_an_asynchronous_payload_over_256_kb_is_refused(api, session):
    def payload(size):
        text = json.dumps({"args": ["x" * size]})
        return json.dumps({"args": ["x" * (size - (len(text) - size))]}).encode()

    assert len(payload(EVENT_PAYLOAD_LIMIT)) == EVENT_PAYLOAD_LIMIT
    client(session).invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=payload(EVENT_PAYLOAD_LIMIT))
    with pytest.raises(ClientError) as refused:
        client(session).invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=payload(EVENT_PAYLOAD_LIMIT + 1))

    assert refused.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert len(api.invocations) == 1


def test_a_payload_that_is_not_json_is_refused(api, session):
    with pytest.raises(ClientError) as refused:
        client(session).invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=b"job 1")

    assert refused.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert api.invocations == []


def test_an_unsigned_or_wrongly_scoped_request_is_refused(api):
    unsigned = requests.post(
        f"{api.url}/2015-03-31/functions/{FUNCTION}/invocations",
        data=b"{}",
        headers={"X-Amz-Invocation-Type": "Event"},
        timeout=5,
    )
    other_region = boto3.client(
        "lambda",
        endpoint_url=api.url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
        **CREDENTIALS,
    )

    assert unsigned.status_code == 403
    with pytest.raises(ClientError):
        other_region.invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=b"{}")
    assert api.invocations == []


def test_the_seventeenth_invocation_of_a_chain_is_accepted_and_then_dropped(api, session, monkeypatch):
    # Inside a function botocore passes the invocation's _X_AMZN_TRACE_ID on (X-Amzn-Trace-Id);
    # each invocation here is made from the one before, as the export's steps are.
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    lambda_client = client(session)
    for _ in range(17):
        answer = lambda_client.invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=b"{}")
        assert answer["StatusCode"] == 202
        monkeypatch.setenv("_X_AMZN_TRACE_ID", api.invocations[-1].trace_id)

    assert [invocation.chain for invocation in api.invocations] == list(range(1, 18))
    assert len(api.take_queued()) == 16 and [invocation.chain for invocation in api.stopped] == [17]
