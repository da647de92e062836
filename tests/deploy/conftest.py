"""The `dev` stage, deployed here: the real Zappa package, unpacked, run as Lambda would run it.

AWS is the session's moto server, Mollie the session's sandbox.
"""

import uuid

import pytest

from deploy.local_lambda import deploy_stage, stage_settings
from tests.conftest import SandboxControl

# API Gateway's own URL: the stage is a path prefix, the trickiest way to be reached.
DEV_PUBLIC_BASE_URL = "https://abc123defg.execute-api.eu-west-1.amazonaws.com/dev"


@pytest.fixture(scope="module")
def dev_stage(local_aws, sandbox_server, tmp_path_factory):
    # Webhooks would go to the stage's public URL, which is not here: tests deliver them by hand.
    sandbox = SandboxControl(sandbox_server.url)
    sandbox.reset()
    sandbox.faults(webhook_drop_rate=1.0)
    prefix = stage_settings("dev")["aws_environment_variables"]["DYNAMODB_TABLE_PREFIX"]
    stage = deploy_stage(
        "dev",
        local_aws,
        tmp_path_factory.mktemp("lambda-dev"),
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
