"""The orders table's secondary indexes (their access patterns are listed in payments/models.py)."""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from config import dynamodb


class OrderShardIndex(dynamodb.AllProjectionIndex):
    order_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderNumberIndex(dynamodb.AllProjectionIndex):
    order_shard = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute(range_key=True)


class OrderStatusShardIndex(dynamodb.AllProjectionIndex):
    status_shard = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class AttentionIndex(dynamodb.AllProjectionIndex):
    """Sparse: only orders flagged for staff carry `attention`."""

    attention = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ToShipIndex(dynamodb.AllProjectionIndex):
    """Sparse: paid orders with lines left to ship."""

    to_ship = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class TransferHoldIndex(dynamodb.AllProjectionIndex):
    """Sparse: only orders that may be paid by bank transfer while waiting carry `transfer_hold`
    (their client's key), so a checkout counts what one client address holds with one Query."""

    transfer_hold = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrderEmailIndex(dynamodb.AllProjectionIndex):
    customer_email = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)
