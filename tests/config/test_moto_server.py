"""devstack.moto_server: atomic conditional writes and transactions that roll back only their own
items, and reads that go on while others write (devstack.moto_locks)."""

import functools
import itertools
import sys
import threading
import uuid

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import MotoServer
from tests.concurrency import run_concurrently, wait_until


@pytest.fixture(scope="module")
def moto_server():
    server = MotoServer().start()
    yield server
    server.stop()


def make_client(server, service="dynamodb"):
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        # A read that waits for a lock it should not wait for fails the test instead of hanging it.
        config=botocore.config.Config(read_timeout=20, retries={"total_max_attempts": 1}, max_pool_connections=50),
    )


@pytest.fixture
def new_table(moto_server):
    client = make_client(moto_server)
    made = []

    def create(*, range_key=None):
        name = f"t-{uuid.uuid4().hex[:10]}"
        keys = [("slug", "HASH", "S")] + ([(range_key, "RANGE", "N")] if range_key else [])
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": attr, "KeyType": kind} for attr, kind, _ in keys],
            AttributeDefinitions=[{"AttributeName": attr, "AttributeType": type_} for attr, _, type_ in keys],
            BillingMode="PAY_PER_REQUEST",
        )
        made.append(name)
        return name

    yield create
    for name in made:
        client.delete_table(TableName=name)


@pytest.fixture
def eager_thread_switches():
    """Threads take turns every few microseconds instead of every 5 ms, so a race the double
    leaves open shows in a few hundred requests (the server runs in this process)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def stock_table(moto_server, new_table):
    return make_client(moto_server), new_table()


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


def test_every_kind_of_attribute_comes_back_as_it_was_stored(stock_table):
    client, table = stock_table
    item = {
        "slug": {"S": "kinds"},
        "n": {"N": "-12.50"},
        "flag": {"BOOL": False},
        "nothing": {"NULL": True},
        "names": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2.5"]},
        "blob": {"B": b"\x00\xffraw"},
        "blobs": {"BS": [b"\x01", b"\x02"]},
        "lines": {"L": [{"M": {"slug": {"S": "cup"}, "quantity": {"N": "2"}}}, {"L": [{"B": b"\x03"}]}, {"S": ""}]},
        "empty": {"M": {}},
    }
    client.put_item(TableName=table, Item=item)
    client.update_item(
        TableName=table,
        Key={"slug": {"S": "kinds"}},
        UpdateExpression="SET tally = :one ADD amount :two",
        ExpressionAttributeValues={":one": {"N": "1"}, ":two": {"N": "2"}},
    )
    client.update_item(
        TableName=table,
        Key={"slug": {"S": "kinds"}},
        UpdateExpression="SET tally = tally + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    expected = {**item, "tally": {"N": "2"}, "amount": {"N": "2"}}

    got = client.get_item(TableName=table, Key={"slug": {"S": "kinds"}}, ConsistentRead=True)["Item"]
    queried = client.query(
        TableName=table, KeyConditionExpression="slug = :s", ExpressionAttributeValues={":s": {"S": "kinds"}}
    )["Items"]

    normalized = {**got, "names": {"SS": sorted(got["names"]["SS"])}, "numbers": {"NS": sorted(got["numbers"]["NS"])}}
    assert normalized == {**expected, "blobs": got["blobs"]} and sorted(got["blobs"]["BS"]) == [b"\x01", b"\x02"]
    assert queried == [got]


def test_a_failed_transaction_leaves_its_items_as_they_were(stock_table):
    client, table = stock_table
    client.put_item(TableName=table, Item={"slug": {"S": "cup"}, "stock": {"N": "1"}})
    client.put_item(TableName=table, Item={"slug": {"S": "order-1"}})

    with pytest.raises(ClientError) as raised:
        take_one(client, table, "cup", 1)  # the order exists: the whole transaction is canceled

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    item = client.get_item(TableName=table, Key={"slug": {"S": "cup"}}, ConsistentRead=True)["Item"]
    assert item["stock"]["N"] == "1"


def test_concurrent_conditional_writes_on_one_item_let_exactly_one_win(stock_table, eager_thread_switches):
    client, table = stock_table
    client.put_item(TableName=table, Item={"slug": {"S": "mill"}, "version": {"N": "1"}})

    def create(n):
        try:
            client.put_item(
                TableName=table,
                Item={"slug": {"S": "order-1"}, "by": {"N": str(n)}},
                ConditionExpression="attribute_not_exists(slug)",
            )
            return n
        except ClientError as error:
            return error.response["Error"]["Code"]

    def bump(n):
        try:
            client.update_item(
                TableName=table,
                Key={"slug": {"S": "mill"}},
                UpdateExpression="SET version = :next, edited_by = :n",
                ConditionExpression="version = :read",
                ExpressionAttributeValues={":read": {"N": "1"}, ":next": {"N": "2"}, ":n": {"N": str(n)}},
            )
            return n
        except ClientError as error:
            return error.response["Error"]["Code"]

    created = run_concurrently(*(functools.partial(create, n) for n in range(16)))
    bumped = run_concurrently(*(functools.partial(bump, n) for n in range(16)))

    for outcomes, slug, attribute in ((created, "order-1", "by"), (bumped, "mill", "edited_by")):
        winners = [outcome for outcome in outcomes if isinstance(outcome, int)]
        assert len(winners) == 1
        assert outcomes.count("ConditionalCheckFailedException") == 15
        item = client.get_item(TableName=table, Key={"slug": {"S": slug}}, ConsistentRead=True)["Item"]
        assert item[attribute]["N"] == str(winners[0])  # the one that won is the one stored


class PausedWrites:
    """UpdateItems on one table stop inside moto, holding their locks, until `release()`."""

    def __init__(self, monkeypatch, table):
        from moto.dynamodb.models import DynamoDBBackend

        original = DynamoDBBackend.update_item
        self.entered, self._release = threading.Event(), threading.Event()

        def update_item(backend, table_name, *args, **kwargs):
            if table_name == table:
                self.entered.set()
                self._release.wait(30)
            return original(backend, table_name, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, "update_item", update_item)

    def release(self):
        self._release.set()


def in_background(call):
    """Starts `call` in a thread; returns (thread, outcome) where outcome gets "result" or "error"."""
    outcome = {}

    def run():
        try:
            outcome["result"] = call()
        except Exception as error:  # noqa: BLE001 (handed to the test through `outcome`)
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def waiting_for(server, count):
    """Until `count` requests wait for a lock (they have reached the double and stand in line)."""

    def waiting():
        return sum(len(queued) for _, queued in server.locks.locks.busy().values()) >= count

    wait_until(waiting, timeout=20, what=f"{count} requests waiting for a lock")


def test_a_reader_never_sees_half_of_a_transaction(moto_server, new_table, monkeypatch):
    client = make_client(moto_server)
    stock, sold = new_table(), new_table()  # a transaction over two tables, like an order and its stock
    client.put_item(TableName=stock, Item={"slug": {"S": "mill"}, "n": {"N": "10"}})
    client.put_item(TableName=sold, Item={"slug": {"S": "mill"}, "n": {"N": "0"}})
    key = {"slug": {"S": "mill"}}
    paused = PausedWrites(monkeypatch, sold)  # the transaction stops after it took one from stock

    writer, written = in_background(
        lambda: client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": stock,
                        "Key": key,
                        "UpdateExpression": "SET n = n - :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "Update": {
                        "TableName": sold,
                        "Key": key,
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    )
    assert paused.entered.wait(20)
    readers = [
        in_background(
            lambda: [
                item["Item"]["n"]["N"]
                for item in client.transact_get_items(
                    TransactItems=[{"Get": {"TableName": stock, "Key": key}}, {"Get": {"TableName": sold, "Key": key}}]
                )["Responses"]
            ]
        ),
        in_background(
            lambda: [
                client.batch_get_item(RequestItems={table: {"Keys": [key], "ConsistentRead": True}})["Responses"][
                    table
                ][0]["n"]["N"]
                for table in (stock, sold)
            ]
        ),
        in_background(lambda: [client.get_item(TableName=stock, Key=key, ConsistentRead=True)["Item"]["n"]["N"]]),
        in_background(
            lambda: [
                client.query(
                    TableName=stock, KeyConditionExpression="slug = :s", ExpressionAttributeValues={":s": key["slug"]}
                )["Items"][0]["n"]["N"]
            ]
        ),
    ]
    waiting_for(moto_server, len(readers))  # each one stands in line: none has read
    assert all(not outcome for _, outcome in readers)

    paused.release()
    writer.join(20)
    for thread, _ in readers:
        thread.join(20)

    assert "error" not in written
    assert [outcome.get("result") for _, outcome in readers] == [["9", "1"], ["9", "1"], ["9"], ["9"]]


def test_reads_go_on_while_a_slow_write_is_in_progress(moto_server, new_table, monkeypatch):
    client = make_client(moto_server)
    table, other = new_table(), new_table()
    for slug in ("busy", "calm"):
        client.put_item(TableName=table, Item={"slug": {"S": slug}, "n": {"N": "1"}})
    client.put_item(TableName=other, Item={"slug": {"S": "calm"}, "n": {"N": "1"}})
    busy, calm = {"slug": {"S": "busy"}}, {"slug": {"S": "calm"}}
    paused = PausedWrites(monkeypatch, table)
    writer, written = in_background(
        lambda: client.update_item(
            TableName=table, Key=busy, UpdateExpression="SET n = :two", ExpressionAttributeValues={":two": {"N": "2"}}
        )
    )
    assert paused.entered.wait(20)

    # While the write holds its item: other items of its table, other tables, other services.
    assert client.get_item(TableName=table, Key=calm, ConsistentRead=True)["Item"]["n"]["N"] == "1"
    assert client.batch_get_item(RequestItems={table: {"Keys": [calm]}})["Responses"][table][0]["n"]["N"] == "1"
    assert len(client.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": calm}}])["Responses"]) == 1
    assert (
        client.query(
            TableName=other, KeyConditionExpression="slug = :s", ExpressionAttributeValues={":s": calm["slug"]}
        )["Count"]
        == 1
    )
    assert client.scan(TableName=other)["Count"] == 1
    client.put_item(TableName=table, Item={"slug": {"S": "new"}, "n": {"N": "3"}})  # another item: written
    s3 = make_client(moto_server, "s3")
    s3.create_bucket(Bucket="exports", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket="exports", Key="a.csv", Body=b"x")
    assert s3.get_object(Bucket="exports", Key="a.csv")["Body"].read() == b"x"
    assert writer.is_alive() and not written  # all of that while the write was still in progress

    # Its own item, and a Query of its table (which reads every item), wait for it.
    readers = [
        in_background(lambda: client.get_item(TableName=table, Key=busy, ConsistentRead=True)["Item"]["n"]["N"]),
        in_background(lambda: sorted(item["n"]["N"] for item in client.scan(TableName=table)["Items"])),
    ]
    waiting_for(moto_server, len(readers))
    paused.release()
    writer.join(20)
    for thread, _ in readers:
        thread.join(20)
    assert [outcome.get("result") for _, outcome in readers] == ["2", ["1", "2", "3"]]


def test_queries_during_heavy_concurrent_writes_and_missed_reads_never_fail(
    moto_server, new_table, eager_thread_switches
):
    client = make_client(moto_server)
    table = new_table(range_key="n")
    writers, readers, rounds = 8, 8, 25
    counter = itertools.count()

    def put(w):
        for r in range(rounds):
            client.put_item(TableName=table, Item={"slug": {"S": f"item-{w}-{r}"}, "n": {"N": "0"}})
            # A read of an item that is not there, meanwhile (moto would add an empty entry for it).
            client.get_item(TableName=table, Key={"slug": {"S": f"none-{next(counter)}"}, "n": {"N": "0"}})

    def read(_):
        counts = []
        for _ in range(rounds):
            # Both go through every item in moto; Select="COUNT" keeps the answers small.
            client.query(
                TableName=table,
                KeyConditionExpression="slug = :s",
                ExpressionAttributeValues={":s": {"S": "item-0-0"}},
                ConsistentRead=True,
                Select="COUNT",
            )
            counts.append(client.scan(TableName=table, Select="COUNT", ConsistentRead=True)["Count"])
        return counts

    outcomes = run_concurrently(
        *(functools.partial(put, w) for w in range(writers)), *(functools.partial(read, q) for q in range(readers))
    )

    for counts in outcomes[writers:]:
        assert counts == sorted(counts)  # items only came; no read failed (it would have raised)
    assert client.scan(TableName=table, Select="COUNT")["Count"] == writers * rounds
