"""What the embedded moto server runs at once: what DynamoDB would run in parallel, and no more.

moto keeps a table's items in plain dicts, changes an item in place, checks a condition and then
writes, all without locks. DynamoDB serves reads in parallel and makes each write atomic
(developer guide, "Read consistency" and "Isolation levels for DynamoDB transactions").
`TableLocks` (WSGI, in front of moto) locks as finely as that allows, in the modes of a
hierarchical lock (intention-shared, intention-exclusive, shared, exclusive):

- GetItem, BatchGetItem and TransactGetItems read their items (shared item locks) while others
  read or write other items of the same table. A BatchGetItem or TransactGetItems holds all its
  items at once, so it never sees half of a transaction.
- PutItem, UpdateItem, DeleteItem and TransactWriteItems hold their items alone (exclusive item
  locks): a condition is checked and the write applied with nobody in between, and nobody reads
  an item halfway through a write or a transaction. Writes to other items go on.
- Query, Scan and DescribeTable iterate moto's dict of items, so they share the whole table with
  other whole-table reads and item reads, and wait for writes to it (DynamoDB's Query sees each
  item committed; here it also sees whole transactions, which is as strict, never kinder).
- BatchWriteItem, table administration, PartiQL and calls not named here have their tables, or
  DynamoDB, to themselves.
- Locks are taken in one order (DynamoDB, tables by name, items by table and key), and each one
  is granted first come, first served, so neither deadlocks nor starvation.
- Other services (S3, Secrets Manager, SES) run alongside DynamoDB, each under a readers-writer
  lock of its own: GET and HEAD, and Get/List/Describe actions, are its reads.

A request that waits over a second for its locks is logged, so a chaos run tells a busy double
from a slow shop.
"""

import io
import json
import re
import threading
import time
from decimal import Decimal, InvalidOperation

QUEUE_REPORT_SECONDS = 1.0
TARGET_PREFIX = "DynamoDB_20120810."
ITEM_READS = frozenset({"GetItem", "BatchGetItem", "TransactGetItems"})
ITEM_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"})
TABLE_READS = frozenset({"Query", "Scan", "DescribeTable", "DescribeTimeToLive"})
CATALOG_READS = frozenset({"ListTables", "DescribeEndpoints", "DescribeLimits", "ListTagsOfResource"})
READ_ACTION = re.compile(r"^(Get|List|Describe|Head|BatchGet)")
# Which modes may be held at once on one lock (symmetric).
COMPATIBLE = {
    "IS": frozenset({"IS", "IX", "S"}),
    "IX": frozenset({"IS", "IX"}),
    "S": frozenset({"IS", "S"}),
    "X": frozenset(),
}
DYNAMODB = (0,)  # the lock of the list of tables; tables are (1, name), items (2, name, key)


class _Ticket:
    """One request for a lock; compared by identity (two requests in one mode are not one)."""

    __slots__ = ("mode",)

    def __init__(self, mode):
        self.mode = mode


class _Entry:
    def __init__(self, mutex):
        self.cond = threading.Condition(mutex)
        self.held = []  # modes granted
        self.waiting = []  # tickets, first come first


class LockTable:
    """Named locks with modes (see COMPATIBLE). A request is granted when its mode goes with
    every mode held and with every request that waits before it: first come, first served."""

    def __init__(self):
        self._mutex = threading.Lock()
        self._entries = {}

    def acquire(self, name, mode):
        with self._mutex:
            entry = self._entries.get(name)
            if entry is None:
                entry = self._entries[name] = _Entry(self._mutex)
            ticket = _Ticket(mode)
            entry.waiting.append(ticket)
            while not self._grantable(entry, ticket):
                entry.cond.wait()
            entry.waiting.remove(ticket)
            entry.held.append(mode)
            if entry.waiting:
                entry.cond.notify_all()  # the next in line may go along with this one

    def release(self, name, mode):
        with self._mutex:
            entry = self._entries[name]
            entry.held.remove(mode)
            if entry.waiting:
                entry.cond.notify_all()
            elif not entry.held:
                del self._entries[name]

    def busy(self):
        """{name: (modes held, modes waiting)}: what tests look at to know who is where."""
        with self._mutex:
            return {
                name: (list(entry.held), [ticket.mode for ticket in entry.waiting])
                for name, entry in self._entries.items()
            }

    @staticmethod
    def _grantable(entry, ticket):
        allowed = COMPATIBLE[ticket.mode]
        if any(mode not in allowed for mode in entry.held):
            return False
        for earlier in entry.waiting:
            if earlier is ticket:
                return True
            if earlier.mode not in allowed:
                return False
        return True


class TableLocks:
    """WSGI middleware: runs each request under the locks it needs (see the module doc)."""

    def __init__(self, app, *, log=print):
        self.app = app
        self.log = log
        self.locks = LockTable()
        self._key_names = {}  # (region, table) -> key attribute names; forgotten on table changes

    def __call__(self, environ, start_response):
        held: list[tuple[str, str]] = []  # (lock name, mode), released in reverse
        asked = time.monotonic()
        try:
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if target.startswith(TARGET_PREFIX):
                body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
                self._lock_dynamodb(target[len(TARGET_PREFIX) :], body, environ, held)
            else:
                self._take(held, ("service", _service(environ)), "S" if _is_read(environ, target) else "X")
            waited = time.monotonic() - asked
            if waited > QUEUE_REPORT_SECONDS:
                self.log(f"moto: a request queued for {waited:.1f} s ({_what(environ)})", flush=True)
            chunks = self.app(environ, start_response)
            try:
                return [b"".join(chunks)]  # the whole answer is made under the locks
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        finally:
            for name, mode in reversed(held):
                self.locks.release(name, mode)

    def _take(self, held, name, mode):
        self.locks.acquire(name, mode)
        held.append((name, mode))

    def _lock_dynamodb(self, operation, body, environ, held):
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = None
        tables = _tables(operation, request) if isinstance(request, dict) else set()
        if operation in CATALOG_READS:
            return self._take(held, DYNAMODB, "S")
        if not tables:  # administration, PartiQL, unknown or malformed: DynamoDB to itself
            self._take(held, DYNAMODB, "X")
            self._key_names.clear()  # a table may be deleted and made again with other keys
            return None
        self._take(held, DYNAMODB, "IS")  # the tables stay as they are while we look at them
        if operation in TABLE_READS:
            for table in sorted(tables):
                self._take(held, (1, table), "S")
            return None
        items = self._items(operation, request, _region(environ)) if operation in ITEM_READS | ITEM_WRITES else None
        if items is None:  # BatchWriteItem, or keys we cannot tell: the whole tables
            for table in sorted(tables):
                self._take(held, (1, table), "X")
            return None
        write = operation in ITEM_WRITES
        for table in sorted(tables):
            self._take(held, (1, table), "IX" if write else "IS")
        for table, key in sorted(items):
            self._take(held, (2, table, key), "X" if write else "S")
        return None

    def _items(self, operation, request, region):
        """{(table, key)} the call reads or writes, or None when a key cannot be told."""
        if operation == "BatchGetItem":
            entries = [
                (table, key)
                for table, spec in request["RequestItems"].items()
                for key in (spec.get("Keys") or [] if isinstance(spec, dict) else [None])
            ]
        elif operation in ("TransactGetItems", "TransactWriteItems"):
            entries = [
                (op.get("TableName"), op.get("Key") or op.get("Item"))
                for item in request["TransactItems"]
                for op in item.values()
            ]
        else:
            entries = [(request.get("TableName"), request.get("Key") or request.get("Item"))]
        items = set()
        for table, attributes in entries:
            table = _table_name(table)
            names = self._key_names_of(table, region)
            if names is None or not isinstance(attributes, dict) or not names <= set(attributes):
                return None
            items.add((table, _key(attributes, names)))
        return items

    def _key_names_of(self, table, region):
        if (region, table) not in self._key_names:
            try:
                from moto.core import DEFAULT_ACCOUNT_ID
                from moto.dynamodb.models import dynamodb_backends

                found = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.get(table)
            except Exception:  # noqa: BLE001 - no such region or backend: moto answers that itself
                found = None
            if found is None:
                return None  # not cached: the table may be created next
            self._key_names[(region, table)] = frozenset(
                {found.hash_key_attr} | ({found.range_key_attr} if found.range_key_attr else set())
            )
        return self._key_names[(region, table)]


def _tables(operation, request):
    """The tables a data call names, or an empty set for any other call (or a malformed one)."""
    if operation not in ITEM_READS | ITEM_WRITES | TABLE_READS | {"BatchWriteItem"}:
        return set()
    if operation in ("BatchGetItem", "BatchWriteItem"):
        names = list(request.get("RequestItems") or {}) if isinstance(request.get("RequestItems"), dict) else []
    elif operation in ("TransactGetItems", "TransactWriteItems"):
        transact = request.get("TransactItems")
        if not isinstance(transact, list) or not all(isinstance(item, dict) for item in transact):
            return set()
        ops = [op for item in transact for op in item.values()]
        names = [op.get("TableName") if isinstance(op, dict) else None for op in ops]
    else:
        names = [request.get("TableName")]
    if not names or not all(isinstance(name, str) and name for name in names):
        return set()
    return {_table_name(name) for name in names}


def _table_name(name):
    """A table named by its ARN is the same table: one lock."""
    return name.rpartition(":table/")[2] if isinstance(name, str) and name.startswith("arn:") else name


def _key(attributes, names):
    """One string per item: its key attributes, numbers compared as numbers ("1" is "1.0")."""
    parts = []
    for name in sorted(names):
        value = attributes[name]
        if isinstance(value, dict) and "N" in value:
            try:
                value = {"N": str(Decimal(value["N"]).normalize())}
            except (InvalidOperation, TypeError):
                pass
        parts.append([name, value])
    return json.dumps(parts, sort_keys=True)


def _region(environ):
    found = re.search(r"Credential=[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else "us-east-1"


def _service(environ):
    """The service a signed request is for, from its credential scope (…/region/service/aws4_request)."""
    found = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else environ.get("HTTP_HOST", "")


def _is_read(environ, target):
    action = target.rpartition(".")[2]
    if action:
        return bool(READ_ACTION.match(action))
    return environ.get("REQUEST_METHOD") in ("GET", "HEAD")


def _what(environ):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target.rpartition(".")[2] or f"{environ.get('REQUEST_METHOD')} {_service(environ)}"


def patch_reads():
    """moto's Table.get_item looks keys up in a defaultdict, which adds an empty entry for every
    key it does not find: a read that changes the dict under a concurrent Query or Scan of the
    same table ("dictionary changed size during iteration"). Look up without adding."""
    from moto.dynamodb.exceptions import MockValidationException
    from moto.dynamodb.models.table import Table

    def get_item(self, hash_key, range_key=None, projection_expression=None):
        if self.has_range_key and not range_key:
            raise MockValidationException("Table has a range key, but no range key was passed into get_item")
        found = self.items.get(hash_key)
        if range_key and self.has_range_key and found is not None:
            found = found.get(range_key)
        if projection_expression and found is not None:
            found = found.project(projection_expression)
        return found

    Table.get_item = get_item
