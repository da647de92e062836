"""devstack.moto_server: atomic conditional writes and transactions that roll back only their own items."""

import functools
import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import SerialMotoServer
from tests.concurrency import run_concurrently


@pytest.fixture(scope="module")
def serial_moto():
    server = SerialMotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def stock_table(serial_moto):
    client = boto3.client(
        "dynamodb",
        endpoint_url=serial_moto.url,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    name = f"stock-{threading.get_ident()}-{id(client)}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "slug", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "slug", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield client, name
    client.delete_table(TableName=name)


def take_one(client, table, slug, order):
    """Reserve one item and record the order, all or nothing (like place_order)."""
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"slug": {"S": slug}},
                    "UpdateExpression": "SET stock = stock - :one",
                    "ConditionExpression": "stock >= :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "Put": {
                    "TableName": table,
                    "Item": {"slug": {"S": f"order-{order}"}},
                    "ConditionExpression": "attribute_not_exists(slug)",
                }
            },
        ]
    )


def test_concurrent_buyers_never_oversell_and_no_write_is_lost(stock_table):
    client, table = stock_table
    client.put_item(TableName=table, Item={"slug": {"S": "grinder"}, "stock": {"N": "5"}})

    def buy(order):
        try:
            take_one(client, table, "grinder", order)
            return "bought"
        except ClientError as error:
            return error.response["Error"]["Code"]

    outcomes = run_concurrently(*(functools.partial(buy, n) for n in range(20)))

    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    orders = [item for item in items if item["slug"]["S"].startswith("order-")]
    stock = next(item for item in items if item["slug"]["S"] == "grinder")["stock"]["N"]
    assert outcomes.count("bought") == 5
    assert len(orders) == 5  # a failed transaction rolled back only its own items
    assert stock == "0"


def test_a_failed_transaction_leaves_its_items_as_they_were(stock_table):
    client, table = stock_table
    client.put_item(TableName=table, Item={"slug": {"S": "cup"}, "stock": {"N": "1"}})
    client.put_item(TableName=table, Item={"slug": {"S": "order-1"}})

    with pytest.raises(ClientError) as raised:
        take_one(client, table, "cup", 1)  # the order exists: the whole transaction is canceled

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    item = client.get_item(TableName=table, Key={"slug": {"S": "cup"}}, ConsistentRead=True)["Item"]
    assert item["stock"]["N"] == "1"
