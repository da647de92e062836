"""Where a person's data is still stored: every DynamoDB table and every S3 object, read raw."""

import json

from config import dynamodb


def traces(values, *, skip_orders=()):
    """(place, key) of every stored item or object that contains any of `values` (any case),
    leaving out the items of `skip_orders` (orders the law keeps)."""
    wanted = [value.lower() for value in values]
    found = []
    client = dynamodb.boto3_client()
    for model in dynamodb.all_models():
        table = model.Meta.table_name
        for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            for item in page["Items"]:
                if item.get("order_id", {}).get("S") in skip_orders:
                    continue
                text = json.dumps(item).lower()
                if any(value in text for value in wanted):
                    found.append((table, json.dumps(item)[:200]))
    s3 = dynamodb.boto3_client("s3")
    for bucket in s3.list_buckets().get("Buckets", []):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for listed in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket["Name"], Key=listed["Key"])["Body"].read().decode(errors="replace")
                if any(value in body.lower() for value in wanted):
                    found.append((bucket["Name"], listed["Key"]))
    return found


def empty_buckets():
    """Removes what earlier tests of this worker left in its moto S3 (their CSV exports name other
    shoppers called Ada): the tables start empty for each test, and so must S3 for a scan of it."""
    s3 = dynamodb.boto3_client("s3")
    for bucket in s3.list_buckets().get("Buckets", []):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for listed in page.get("Contents", []):
                s3.delete_object(Bucket=bucket["Name"], Key=listed["Key"])
