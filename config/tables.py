"""Create or check every model's table and its indexes. Idempotent: existing tables are kept."""
from config import dynamodb


def ensure_tables(*, check_only=False, protect=False):
    """Returns one line per table saying what was found or done.

    `protect` turns on point-in-time recovery and deletion protection (deployed stages).
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
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            report.append(f"created table {name}")
        else:
            existing = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes", [])}
            missing = [index for index in _index_schemas(model) if index["index_name"] not in existing]
            for index in missing:
                if check_only:
                    report.append(f"MISSING index {index['index_name']} on {name}")
                else:
                    _add_index(client, model, name, index)
                    report.append(f"added index {index['index_name']} to {name}")
            if not missing:
                report.append(f"ok {name}")
        if protect and not check_only:
            client.update_table(TableName=name, DeletionProtectionEnabled=True)
            client.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
            report.append(f"protected {name} (deletion protection, point-in-time recovery)")
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
            {"Create": {"IndexName": index["index_name"], "KeySchema": index["key_schema"], "Projection": index["projection"]}}
        ],
    )
