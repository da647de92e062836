"""`create_tables --protect`, as `zappa manage STAGE "create_tables --protect"` runs it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from config import dynamodb

# Each test gets a table prefix of its own, with no tables until it creates them.
pytestmark = pytest.mark.no_tables


def _protection(name):
    client = dynamodb.boto3_client()
    table = client.describe_table(TableName=name)["Table"]
    backups = client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    return table.get("DeletionProtectionEnabled"), backups["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"
    ]


@pytest.fixture
def unprotect_afterwards(dynamodb_tables):
    # The per-test tables are dropped after the test; protected ones could not be.
    yield
    client = dynamodb.boto3_client()
    for model in dynamodb.all_models():
        client.update_table(TableName=model.Meta.table_name, DeletionProtectionEnabled=False)


def test_protect_creates_on_demand_tables_that_cannot_be_dropped(unprotect_afterwards, capsys):
    call_command("create_tables", "--protect")

    client = dynamodb.boto3_client()
    for model in dynamodb.all_models():
        name = model.Meta.table_name
        assert _protection(name) == (True, "ENABLED")
        assert client.describe_table(TableName=name)["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        with pytest.raises(client.exceptions.ClientError, match="DeletionProtectionEnabled"):
            client.delete_table(TableName=name)
    assert capsys.readouterr().out.count("(deletion protection, point-in-time recovery)") == len(dynamodb.all_models())


def test_protecting_twice_changes_nothing_the_second_time(unprotect_afterwards, capsys):
    call_command("create_tables", "--protect")
    capsys.readouterr()

    call_command("create_tables", "--protect")

    out = capsys.readouterr().out
    assert "protected" not in out and out.count("ok protection ") == len(dynamodb.all_models())


def test_check_reports_tables_without_protection(capsys):
    call_command("create_tables")

    with pytest.raises(CommandError):
        call_command("create_tables", "--check", "--protect")

    out = capsys.readouterr().out
    assert out.count("MISSING deletion protection and point-in-time recovery on ") == len(dynamodb.all_models())
    assert _protection(dynamodb.all_models()[0].Meta.table_name) == (False, "DISABLED")
