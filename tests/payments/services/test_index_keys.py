"""Sharded index keys (issue 16): derived on every save, spread over the shards, and backfilled on
orders stored before they existed by `manage.py migrate_order_keys`."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from config import dynamodb
from payments.enums import OrderStatus
from payments.models import Order, PaymentAttempt
from payments.selectors import attempts_in_status, orders_in_status
from payments.sharding import ORDER_SHARDS, order_shard
from tests.fixtures.orders import make_order

DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_the_keys_every_order_shares_are_spread_over_the_shards():
    orders = [make_order(created_at=DAY - timedelta(minutes=minute)) for minute in range(64)]

    shards = Counter(Order.get(order.order_id).order_shard for order in orders)

    assert len(shards) == ORDER_SHARDS  # 64 random order numbers: every shard used
    assert max(shards.values()) < 64 // 2  # none takes the bulk
    assert {Order.get(order.order_id).status_shard.split("#")[0] for order in orders} == {"paid"}


def test_a_status_change_moves_the_order_to_its_new_status_key():
    order = make_order(created_at=DAY, status=OrderStatus.PENDING_PAYMENT)
    order.status = OrderStatus.EXPIRED
    order.save()

    stored = Order.get(order.order_id)
    assert stored.status_shard == f"expired#{order_shard(order.order_id)}"
    assert [o.order_id for o in orders_in_status(OrderStatus.EXPIRED)] == [order.order_id]
    assert list(orders_in_status(OrderStatus.PENDING_PAYMENT)) == []


def test_only_flagged_orders_are_in_the_attention_index():
    make_order(created_at=DAY)
    flagged = make_order(created_at=DAY, needs_attention=True, attention_reasons=["Double payment"])

    assert [o.order_id for o in Order.attention_index.query(Order.FLAGGED)] == [flagged.order_id]


def _as_stored_before_issue_16(order):
    """What an order written by the earlier code looks like: none of the derived keys."""
    dynamodb.boto3_client().update_item(
        TableName=Order.Meta.table_name,
        Key={"order_id": {"S": order.order_id}},
        UpdateExpression="REMOVE order_shard, status_shard, attention SET entity = :order",
        ExpressionAttributeValues={":order": {"S": "order"}},
    )


def test_migrate_order_keys_backfills_orders_stored_before(staff_client, capsys):
    old = [make_order(created_at=DAY - timedelta(hours=hour), status=OrderStatus.PAID) for hour in range(3)]
    for order in old:
        _as_stored_before_issue_16(order)
    assert list(orders_in_status(OrderStatus.PAID)) == []

    with pytest.raises(CommandError, match="3 item"):
        call_command("migrate_order_keys", "--check")
    assert "3 lack current keys" in capsys.readouterr().out

    call_command("migrate_order_keys")
    assert "orders: 3 looked at, 3 updated" in capsys.readouterr().out

    assert sorted(o.order_id for o in orders_in_status(OrderStatus.PAID)) == sorted(o.order_id for o in old)
    assert old[0].order_id in staff_client.get("/staff/orders/").content.decode()
    call_command("migrate_order_keys", "--check")  # nothing left: no error
    assert "orders: 3 looked at, 0 lack current keys" in capsys.readouterr().out


def test_migrate_order_keys_retires_the_single_key_indexes():
    client = dynamodb.boto3_client()
    table = Order.Meta.table_name
    client.update_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "status", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "status_index",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )

    call_command("migrate_order_keys", "--retire-old-indexes")

    indexes = {
        index["IndexName"] for index in client.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    }
    assert "status_index" not in indexes and "status_shard_index" in indexes
    attempts = PaymentAttempt.Meta.table_name
    assert "attempt_status_shard_index" in {
        index["IndexName"] for index in client.describe_table(TableName=attempts)["Table"]["GlobalSecondaryIndexes"]
    }


def test_migrate_order_keys_backfills_payment_attempts_for_reconciliation(capsys):
    order = make_order(created_at=DAY, status=OrderStatus.PENDING_PAYMENT, mollie_payment_id="tr_oldOpen1")
    dynamodb.boto3_client().update_item(
        TableName=PaymentAttempt.Meta.table_name,
        Key={"order_id": {"S": order.order_id}, "attempt_no": {"N": "1"}},
        UpdateExpression="REMOVE status_shard",
    )
    assert list(attempts_in_status("open")) == []

    call_command("migrate_order_keys")

    assert "payment_attempts: 1 looked at, 1 updated" in capsys.readouterr().out
    assert [(a.order_id, a.attempt_no) for a in attempts_in_status("open")] == [(order.order_id, 1)]
