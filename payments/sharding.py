"""Write sharding of the index keys every order shares (DynamoDB's write sharding): which of
ORDER_SHARDS partitions an order's keys, its attempts' keys and its day counters land in. The
models derive their keys from it (payments.models), the selectors query every shard.
"""

import zlib

# Changing it needs `migrate_order_keys`.
ORDER_SHARDS = 8


def order_shard(order_id: str) -> int:
    """From the order number's first hex digit (SO-7F3K2-…: 7), so a prefix names its shard;
    order numbers are hash digits, hence spread evenly."""
    digit = order_id[3:4]
    if digit and digit in "0123456789ABCDEF":
        return int(digit, 16) % ORDER_SHARDS
    return zlib.crc32(order_id.encode()) % ORDER_SHARDS


def shard_keys(prefix: str) -> list[str]:
    """The hash keys of one sharded key, one per shard: "<prefix>#0" … "<prefix>#7"."""
    return [f"{prefix}#{shard}" for shard in range(ORDER_SHARDS)]
