"""Bringing stored orders and attempts up to the current index keys (the sharded keys of issue
16), and retiring the indexes they replace. Run by `manage.py migrate_order_keys` after a deploy
that added the new indexes (`create_tables`); safe while the shop runs: every write is
conditional on the version it read, and the code deployed writes the same keys itself.
"""

from dataclasses import dataclass, field

from pynamodb.exceptions import UpdateError

from config import dynamodb
from config.tables import retire_indexes
from payments.models import Order, PaymentAttempt

# Derived key attributes per model (their `derive_keys` computes them) and the indexes whose
# single hash key every item shared, which the derived keys replace.
DERIVED_KEYS = {Order: ("order_shard", "status_shard", "attention"), PaymentAttempt: ("status_shard",)}
RETIRED_INDEXES = {Order: ("all_orders_index", "status_index"), PaymentAttempt: ("attempt_status_index",)}
TRIES = 3


@dataclass
class KeysReport:
    table: str
    looked_at: int = 0
    behind: int = 0  # items whose stored keys were missing or stale
    updated: int = 0
    errors: list = field(default_factory=list)


def backfill_keys(model: type[Order | PaymentAttempt], *, check_only: bool = False) -> KeysReport:
    """Reads every item once (a Scan, page by page) and sets the derived keys where they differ."""
    report = KeysReport(model.Meta.table_name)
    names = DERIVED_KEYS[model]
    for item in model.scan(page_size=200):
        report.looked_at += 1
        if not _stale(item, names):
            continue
        report.behind += 1
        if check_only:
            continue
        if _bring_up_to_date(model, item, names):
            report.updated += 1
        else:
            report.errors.append(f"{item._get_keys()}: changed {TRIES} times while being updated")
    return report


def _stale(item, names):
    stored = [getattr(item, name) for name in names]
    item.derive_keys()
    return stored != [getattr(item, name) for name in names]


def _bring_up_to_date(model, item, names):
    """True once the item's stored keys are current (or it is gone); False when other writers
    changed it TRIES times while this one tried."""
    try:
        for attempt in dynamodb.optimistic_retries(f"index keys of {item._get_keys()}", attempts=TRIES):
            actions = [
                getattr(model, name).set(getattr(item, name))
                if getattr(item, name) is not None
                else getattr(model, name).remove()
                for name in names
            ]
            try:
                item.update(actions=actions)  # conditional on the version read
                return True
            except UpdateError as error:
                attempt.lost(error)
            item = dynamodb.get_or_none(model, *_key_values(model, item))
            if item is None or not _stale(item, names):
                return True  # deleted, or written meanwhile by code that sets the keys itself
    except dynamodb.ConcurrentUpdateConflict:
        pass
    return False


def _key_values(model, item):
    range_key = model._range_key_attribute()
    hash_value = getattr(item, model._hash_key_attribute().attr_name)
    return (hash_value, getattr(item, range_key.attr_name)) if range_key else (hash_value,)


def retire_old_indexes(*, check_only=False):
    return [
        line for model, names in RETIRED_INDEXES.items() for line in retire_indexes(model, names, check_only=check_only)
    ]
