"""The worker's botocore calls reach moto in process (tests/fixtures/in_process.py), except where a
fault makes them wait: there the client's read timeout must apply, as against DynamoDB."""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from devstack.aws import LOCAL_CREDENTIALS


def dynamodb_client(local_aws, **config):
    return boto3.client(
        "dynamodb",
        endpoint_url=local_aws.endpoint_url,
        region_name=local_aws.region,
        config=Config(**config),
        **LOCAL_CREDENTIALS,
    )


def test_calls_are_answered_without_a_connection_to_the_server(local_aws, monkeypatch):
    opened = []
    server = local_aws._server._server
    handle = server.process_request_thread
    monkeypatch.setattr(server, "process_request_thread", lambda *args: opened.append(args) or handle(*args))

    assert dynamodb_client(local_aws).list_tables()["TableNames"]

    assert opened == []


def test_with_injected_latency_calls_go_over_http_and_the_read_timeout_applies(local_aws, server_faults):
    impatient = dynamodb_client(local_aws, read_timeout=0.2, retries={"max_attempts": 1})
    table = impatient.list_tables()["TableNames"][0]
    server_faults.latency_seconds = 1.0  # DynamoDB's data calls only

    with pytest.raises(ReadTimeoutError):
        impatient.scan(TableName=table, Limit=1)
