"""Create or check every model's table and its indexes. Idempotent: existing tables are kept."""

import time

from config import dynamodb

# Index builds and the first backup setup of a new table take minutes on AWS (moto: none).
WAIT_TIMEOUT_SECONDS = 15 * 60
WAIT_INTERVAL_SECONDS = 5


def ensure_tables(*, check_only=False, protect=False):
    """Returns one line per table saying what was found or done.

    `protect` turns on point-in-time recovery and deletion protection (deployed stages); with
    `check_only` it reports tables that lack them as MISSING.
    """
    client = dynamodb.boto3_client()
    report = []
    for model in dynamodb.all_models():
        name = model.Meta.table_name
        description = _describe(client, name)
        if description is None:
            if check_only:
                report.append(f"MISSING table {name}")
                continue
            model.create_table(wait=True)  # on demand: `dynamodb.table` sets Meta.billing_mode
            report.append(f"created table {name}")
        else:
            existing = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes", [])}
            missing = [index for index in _index_schemas(model) if index["index_name"] not in existing]
            for index in missing:
                if check_only:
                    report.append(f"MISSING index {index['index_name']} on {name}")
                else:
                    _wait_until_idle(client, name)  # DynamoDB builds one new index at a time
                    _add_index(client, model, name, index)
                    report.append(f"added index {index['index_name']} to {name}")
            if not missing:
                report.append(f"ok {name}")
            if not check_only:
                model.update_ttl(ignore_update_ttl_errors=True)  # no-op when expiry is already on
        if protect and (description is not None or not check_only):
            report.append(_protect(client, name, check_only=check_only))
    return report


def missing_tables(report):
    return [line for line in report if line.startswith("MISSING")]


def _describe(client, name):
    try:
        return client.describe_table(TableName=name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        return None


def _index_schemas(model):
    return model._get_schema()["global_secondary_indexes"]


def _add_index(client, model, table_name, index):
    # DynamoDB adds one GSI per update_table call.
    client.update_table(
        TableName=table_name,
        AttributeDefinitions=model._get_schema()["attribute_definitions"],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": index["index_name"],
                    "KeySchema": index["key_schema"],
                    "Projection": index["projection"],
                }
            }
        ],
    )


def _protect(client, name, *, check_only):
    """Deletion protection and point-in-time recovery, each switched on only when it is off."""
    deletion_protected = client.describe_table(TableName=name)["Table"].get("DeletionProtectionEnabled", False)
    backups = client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    recoverable = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") == "ENABLED"
    missing = [
        label
        for label, on in (("deletion protection", deletion_protected), ("point-in-time recovery", recoverable))
        if not on
    ]
    if not missing:
        return f"ok protection {name}"
    if check_only:
        return f"MISSING {' and '.join(missing)} on {name}"
    _wait_until_idle(client, name)
    if not deletion_protected:
        client.update_table(TableName=name, DeletionProtectionEnabled=True)
    if not recoverable:
        _retry_while_backups_unavailable(
            client,
            lambda: client.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            ),
        )
    return f"protected {name} ({', '.join(missing)})"


def _wait_until_idle(client, name):
    """Until the table and all its indexes are ACTIVE: UpdateTable is refused while one is busy."""
    deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
    while True:
        table = client.describe_table(TableName=name)["Table"]
        statuses = [table["TableStatus"]] + [index["IndexStatus"] for index in table.get("GlobalSecondaryIndexes", [])]
        if all(status == "ACTIVE" for status in statuses):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} is still busy ({', '.join(statuses)}); run the command again later.")
        time.sleep(WAIT_INTERVAL_SECONDS)


def _retry_while_backups_unavailable(client, call):
    # A table created moments ago answers ContinuousBackupsUnavailableException for a while.
    deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
    while True:
        try:
            return call()
        except client.exceptions.ContinuousBackupsUnavailableException:
            if time.monotonic() > deadline:
                raise
        time.sleep(WAIT_INTERVAL_SECONDS)


def retire_indexes(model, index_names, *, check_only=False):
    """Deletes indexes a model no longer declares (one per UpdateTable call, like adding them).
    Returns one line per index found."""
    client = dynamodb.boto3_client()
    name = model.Meta.table_name
    description = _describe(client, name) or {}
    existing = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes", [])}
    report = []
    for index_name in index_names:
        if index_name not in existing:
            continue
        if check_only:
            report.append(f"RETIRED index {index_name} still on {name}")
            continue
        _wait_until_idle(client, name)
        client.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index_name}}])
        report.append(f"deleted index {index_name} from {name}")
    return report
