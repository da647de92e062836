"""devstack.moto_server's CPU patches (issue 28) change what moto spends, never what it answers:
the 400 KB item limit holds to the byte, whether an item is put or grown by an update, and
expressions parsed once still take each request's values and fail as they did."""

import uuid

import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import MotoServer
from tests.config.test_moto_server import make_client

# moto's limit (DynamoDB's 400 KB, as moto measured it): names and values, in UTF-8 bytes.
ITEM_LIMIT = 405_000
KEY = {"slug": {"S": "big"}}
KEY_BYTES = len("slug") + len("big")


@pytest.fixture(scope="module")
def moto_server():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def table(moto_server):
    client = make_client(moto_server)
    name = f"t-{uuid.uuid4().hex[:10]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "slug", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "slug", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield client, name
    client.delete_table(TableName=name)


def blob_of(total_bytes, *, name="blob"):
    """A string attribute that makes an item of only KEY and itself `total_bytes` long."""
    return {name: {"S": "x" * (total_bytes - KEY_BYTES - len(name))}}


def refusal(call):
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def test_an_item_at_the_limit_is_stored_and_one_byte_more_is_refused(table):
    client, name = table
    client.put_item(TableName=name, Item={**KEY, **blob_of(ITEM_LIMIT)})

    assert refusal(lambda: client.put_item(TableName=name, Item={**KEY, **blob_of(ITEM_LIMIT + 1)})) == (
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
    )
    stored = client.get_item(TableName=name, Key=KEY, ConsistentRead=True)["Item"]
    assert len(stored["blob"]["S"]) == ITEM_LIMIT - KEY_BYTES - len("blob")  # the refused put changed nothing


@pytest.mark.parametrize("big_first", [True, False], ids=["big-attribute-first", "big-attribute-last"])
def test_an_item_over_the_limit_is_refused_wherever_its_bytes_sit(table, big_first):
    client, name = table
    small = {f"a{n:02d}": {"S": "y" * 100} for n in range(40)}  # 40 attributes of 103 bytes
    big = blob_of(ITEM_LIMIT - len(small) * 103 + 1)
    item = {**KEY, **big, **small} if big_first else {**KEY, **small, **big}

    assert refusal(lambda: client.put_item(TableName=name, Item=item))[1] == (
        "Item size has exceeded the maximum allowed size"
    )
    assert "Item" not in client.get_item(TableName=name, Key=KEY, ConsistentRead=True)


def test_an_update_that_grows_an_item_past_the_limit_is_refused(table):
    client, name = table
    client.put_item(TableName=name, Item={**KEY, **blob_of(ITEM_LIMIT - 1000)})

    def grow(extra_bytes):
        client.update_item(
            TableName=name,
            Key=KEY,
            UpdateExpression="SET more = :more",
            ExpressionAttributeValues={":more": {"S": "z" * (extra_bytes - len("more"))}},
        )

    assert refusal(lambda: grow(1001)) == (
        "ValidationException",
        "Item size to update has exceeded the maximum allowed size",
    )
    assert "more" not in client.get_item(TableName=name, Key=KEY, ConsistentRead=True)["Item"]
    grow(1000)  # to the byte
    assert "more" in client.get_item(TableName=name, Key=KEY, ConsistentRead=True)["Item"]


def test_an_update_expression_used_again_takes_its_new_values(table):
    client, name = table
    for count in (1, 2, 3):
        client.update_item(
            TableName=name,
            Key=KEY,
            UpdateExpression="SET tally = :count ADD visits :one",
            ConditionExpression="attribute_not_exists(tally) OR tally = :before",
            ExpressionAttributeValues={
                ":count": {"N": str(count)},
                ":one": {"N": "1"},
                ":before": {"N": str(count - 1)},
            },
        )

    item = client.get_item(TableName=name, Key=KEY, ConsistentRead=True)["Item"]
    assert (item["tally"], item["visits"]) == ({"N": "3"}, {"N": "3"})


def test_a_condition_used_again_is_checked_against_its_new_values(table):
    client, name = table
    client.put_item(TableName=name, Item={**KEY, "version": {"N": "1"}})

    def bump(expected):
        client.update_item(
            TableName=name,
            Key=KEY,
            UpdateExpression="SET version = :next",
            ConditionExpression="version = :expected",
            ExpressionAttributeValues={":expected": {"N": str(expected)}, ":next": {"N": str(expected + 1)}},
        )

    bump(1)
    assert refusal(lambda: bump(1))[0] == "ConditionalCheckFailedException"  # stale: 2 now
    bump(2)
    assert client.get_item(TableName=name, Key=KEY, ConsistentRead=True)["Item"]["version"] == {"N": "3"}


@pytest.mark.parametrize(
    "update_expression, condition_expression, message",
    [
        ("SET a = :v, a = :v", None, "Two document paths overlap with each other"),
        ("SET a = :v SET b = :v", None, 'The "SET" section can only be used once in an update expression;'),
        ("SET slug = :v", None, "Cannot update attribute slug. This attribute is part of the key"),
        ("SET a = :v", "status = :v", "Attribute name is a reserved keyword; reserved keyword: status"),
        ("SET a = = :v", None, "Invalid UpdateExpression: Syntax error"),
    ],
)
def test_an_invalid_expression_is_refused_every_time_with_the_same_error(
    table, update_expression, condition_expression, message
):
    client, name = table
    request = {
        "TableName": name,
        "Key": KEY,
        "UpdateExpression": update_expression,
        "ExpressionAttributeValues": {":v": {"S": "x"}},
    }
    if condition_expression:
        request["ConditionExpression"] = condition_expression

    first, second = refusal(lambda: client.update_item(**request)), refusal(lambda: client.update_item(**request))

    assert first == second
    assert first[0] == "ValidationException"
    assert message in first[1]


def test_every_answer_has_a_request_id_of_its_own(table):
    client, name = table
    ids = [client.get_item(TableName=name, Key=KEY)["ResponseMetadata"]["RequestId"] for _ in range(200)]

    assert len(set(ids)) == len(ids)
    assert all(len(request_id) == 52 for request_id in ids)
