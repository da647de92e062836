"""The `dev` stage, deployed here: the real Zappa package, unpacked, run as Lambda would run it.

AWS is the session's moto server, Mollie the session's sandbox.
"""

import json
import uuid
from contextlib import contextmanager

import pytest

from config import dynamodb
from deploy.local_lambda import ROOT, build_package, deploy_stage, stage_settings
from tests.conftest import SandboxControl
from tests.deploy.iam import is_allowed, permissions_needed

# API Gateway's own URL: the stage is a path prefix, the trickiest way to be reached.
DEV_PUBLIC_BASE_URL = "https://abc123defg.execute-api.eu-west-1.amazonaws.com/dev"
MOTO_ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def dev_package(tmp_path_factory):
    """`zappa package dev`, built once: each module deploys it afresh (tables, bucket, secret)."""
    return build_package("dev", tmp_path_factory.mktemp("package-dev") / "shop-dev.zip")


@pytest.fixture(scope="module")
def dev_stage(dev_package, local_aws, sandbox_server, tmp_path_factory):
    # Webhooks would go to the stage's public URL, which is not here: tests deliver them by hand.
    sandbox = SandboxControl(sandbox_server.url)
    sandbox.reset()
    sandbox.faults(webhook_drop_rate=1.0)
    prefix = stage_settings("dev")["aws_environment_variables"]["DYNAMODB_TABLE_PREFIX"]
    stage = deploy_stage(
        "dev",
        local_aws,
        tmp_path_factory.mktemp("lambda-dev"),
        package=dev_package,
        PUBLIC_BASE_URL=DEV_PUBLIC_BASE_URL,
        # Tables of its own on the shared moto server, still inside the policy's shop-dev-* names.
        DYNAMODB_TABLE_PREFIX=f"{prefix}{uuid.uuid4().hex[:8]}-",
        MOLLIE_API_ENDPOINT=sandbox_server.url,
    )
    yield stage
    sandbox.clear_faults()
    _drop_tables(local_aws.client("dynamodb"), stage.table_prefix)


def _drop_tables(client, prefix):
    for name in client.list_tables()["TableNames"]:
        if name.startswith(prefix):
            client.update_table(TableName=name, DeletionProtectionEnabled=False)
            client.delete_table(TableName=name)


@contextmanager
def stage_tables(stage):
    """This process's models read and write the stage's tables meanwhile."""
    test_tables = dynamodb.current_target()
    dynamodb.configure(host=stage.aws.endpoint_url, prefix=stage.table_prefix)
    try:
        yield
    finally:
        dynamodb.configure(host=test_tables.host, prefix=test_tables.prefix)


def assert_policy_allows_every_call(stage, *labels):
    """Every AWS call the containers `labels` made, held against the stage's role policy."""
    policy = json.loads((ROOT / stage.settings["attach_policy"]).read_text())
    calls = [call for label in labels for call in stage.aws_calls(label)]
    assert calls, "no AWS calls were recorded"
    refused = [
        (action, resource)
        for call in calls
        for action, resource, context in permissions_needed(
            call, region=stage.settings["aws_region"], account=MOTO_ACCOUNT, secret_arns=stage.secret_arns
        )
        if not is_allowed(policy, action, resource, context, account=MOTO_ACCOUNT)
    ]
    assert not refused, f"{stage.settings['attach_policy']} would refuse: {sorted(set(refused))}"
