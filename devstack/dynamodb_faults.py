"""Dev-only: DynamoDB faults for tests and chaos runs. Client side: throttling injected into every
botocore DynamoDB client. Server side (`ServerFaults`, in front of moto): transaction conflicts,
sustained throttling, UnprocessedKeys, a write applied but answered 500, latency.

Nothing in the shop imports this. The chaos web server (`chaos/server.py`) calls
`activate_from_env()`, which does something only when DYNAMODB_FAULT_THROTTLE_RATE is set.
The injected answers are what DynamoDB sends when it throttles: a 400 with
`ProvisionedThroughputExceededException` or `ThrottlingException` (botocore retries those with
backoff, like in production), and for transactions also a `TransactionCanceledException` whose
reasons say `ThrottlingError` (botocore does not retry that one; the caller must).
"""

import io
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse

log = logging.getLogger(__name__)

THROTTLE_RATE_ENV = "DYNAMODB_FAULT_THROTTLE_RATE"
SEED_ENV = "DYNAMODB_FAULT_SEED"

# Reads and writes of items: what a busy table throttles. Table administration (create,
# describe) is left alone so that start-up and health checks are not what we test.
DATA_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
THROTTLE_CODES = ("ProvisionedThroughputExceededException", "ThrottlingException")

_client_hooks: list[Callable] = []
_patch_lock = threading.Lock()
_original_create_client = None


def hook_dynamodb_clients(register):
    """Calls `register(client)` for every DynamoDB client PynamoDB has made or will make.

    New clients are caught where botocore creates them; the ones that exist already (models
    and the shared connection keep theirs) are looked up. `register` must be idempotent (use a
    `unique_id`). Also used by bench/call_counts.py to count calls.
    """
    global _original_create_client
    with _patch_lock:
        if _original_create_client is None:
            _original_create_client = botocore.session.Session.create_client

            def create_client(session, service_name, *args, **kwargs):
                client = _original_create_client(session, service_name, *args, **kwargs)
                if service_name == "dynamodb":
                    for hook in list(_client_hooks):
                        hook(client)
                return client

            botocore.session.Session.create_client = create_client
        if register not in _client_hooks:
            _client_hooks.append(register)
    for client in _existing_clients():
        register(client)


def _existing_clients():
    try:
        from config import dynamodb
    except ImportError:  # used outside the shop
        return []
    connections = [model._get_connection().connection for model in dynamodb.all_models()]
    connections.append(dynamodb.connection())
    return list({id(connection.client): connection.client for connection in connections}.values())


class ThrottleInjector:
    """A botocore `before-send` handler that answers a seeded share of calls as throttled."""

    def __init__(self, *, rate, seed=None, operations=DATA_OPERATIONS, transaction_cancel_share=0.5):
        if not 0 <= rate <= 1:
            raise ValueError(f"throttle rate must be between 0 and 1, not {rate}")
        self.rate = rate
        # Share of throttled transactions answered the way DynamoDB reports a throttled item in a
        # transaction (TransactionCanceledException, not retried by botocore).
        self.transaction_cancel_share = transaction_cancel_share
        self.operations = frozenset(operations)
        self.armed = True
        self.injected = {}  # operation name -> count
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def register(self, client):
        client.meta.events.register("before-send.dynamodb", self, unique_id=f"throttle-{id(self)}")

    def __call__(self, request, event_name="", **kwargs):
        operation = event_name.rsplit(".", 1)[-1]
        if not self.armed or operation not in self.operations:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            self.injected[operation] = self.injected.get(operation, 0) + 1
            as_transaction = operation == "TransactWriteItems" and self._rng.random() < self.transaction_cancel_share
            code = THROTTLE_CODES[self._rng.randrange(len(THROTTLE_CODES))]
        _meet("throttling")
        if as_transaction:
            body = _transaction_throttled(request)
            code = "TransactionCanceledException(ThrottlingError)"
        else:
            body = {
                "__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                "message": "Rate of requests exceeds the allowed throughput (injected by devstack.dynamodb_faults)",
            }
        log.info("dynamodb fault injected: %s on %s", code, operation)
        return _response(request, body)

    def total(self):
        with self._lock:
            return sum(self.injected.values())


def _transaction_throttled(request):
    try:
        item_count = len(json.loads(request.body)["TransactItems"])
    except (TypeError, ValueError, KeyError):
        item_count = 1
    reasons = [
        {"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity of your table or index."}
    ]
    reasons += [{"Code": "None"}] * (item_count - 1)
    return {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
        f"[{', '.join(reason['Code'] for reason in reasons)}]",
        "CancellationReasons": reasons,
    }


def _response(request, body):
    response = AWSResponse(
        request.url,
        400,
        {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected-throttle"},
        raw=None,
    )
    response._content = json.dumps(body).encode()  # no raw stream: botocore reads `content`
    return response


def install(*, rate, seed=None, operations=DATA_OPERATIONS, transaction_cancel_share=0.5) -> ThrottleInjector:
    """Throttles from now on; `injector.armed = False` pauses it (handlers cannot be removed from
    clients that are already made, so an injector is switched off rather than uninstalled)."""
    injector = ThrottleInjector(
        rate=rate, seed=seed, operations=operations, transaction_cancel_share=transaction_cancel_share
    )
    hook_dynamodb_clients(injector.register)
    return injector


# --- What the current thread met: a chaos run tells the 503s these faults explain from others ---

SERVER_FAULT_REQUEST_ID = "injected-fault"  # the x-amzn-RequestId of every answer ServerFaults makes
_met = threading.local()


def forget_faults_met():
    """At the start of a request (the chaos web server's middleware)."""
    _met.kinds = set()


def faults_met() -> set:
    """Kinds of injected faults the current thread met since `forget_faults_met()`: "throttling",
    "conflict", "unprocessed keys", "lost answer" (and what `note_fault_met` was told)."""
    return set(getattr(_met, "kinds", ()))


def note_fault_met(kind):
    """For faults injected elsewhere (the Mollie sandbox's), seen by the chaos web server."""
    _meet(kind)


def _meet(kind):
    if getattr(_met, "kinds", None) is None:
        _met.kinds = set()
    _met.kinds.add(kind)


def track_faults_met():
    """Notes, per thread, every answer the double's `ServerFaults` injected (client-side
    throttles note themselves)."""
    hook_dynamodb_clients(_register_tracker)


def _register_tracker(client):
    client.meta.events.register("needs-retry.dynamodb", _note_injected_answer, unique_id="faults-met")


def _note_injected_answer(response=None, **kwargs):
    if not response or response[0].headers.get("x-amzn-RequestId") != SERVER_FAULT_REQUEST_ID:
        return
    parsed = response[1] or {}
    code = parsed.get("Error", {}).get("Code")
    reasons = {reason.get("Code") for reason in parsed.get("CancellationReasons") or []}
    if code in THROTTLE_CODES or "ThrottlingError" in reasons:
        _meet("throttling")
    elif code == "TransactionConflictException" or "TransactionConflict" in reasons:
        _meet("conflict")
    elif parsed.get("UnprocessedKeys"):
        _meet("unprocessed keys")
    elif response[0].status_code >= 500:
        _meet("lost answer")
    return  # botocore decides about the retry as ever


def activate_from_env(environ=None):
    """Installs the injector when DYNAMODB_FAULT_THROTTLE_RATE is set (> 0); returns it or None."""
    environ = os.environ if environ is None else environ
    rate = float(environ.get(THROTTLE_RATE_ENV) or 0)
    if rate <= 0:
        return None
    seed = environ.get(SEED_ENV) or None
    injector = install(rate=rate, seed=seed)
    log.warning("DynamoDB throttling injected at rate %s (seed %s): dev-only, never in production", rate, seed)
    return injector


# --- Server side: what DynamoDB does to all its callers at once ----------------------------------
#
# `ServerFaults` wraps moto's app and its locks (devstack/moto_locks.py) in devstack/moto_server.py. Off by default; tests
# switch parts on directly, chaos runs through the environment (`ServerFaults.from_env`).

TRANSACTION_HOLD_ENV = "DYNAMODB_FAULT_TRANSACTION_HOLD_SECONDS"
THROTTLE_WINDOWS_PER_MINUTE_ENV = "DYNAMODB_FAULT_THROTTLE_WINDOWS_PER_MINUTE"
THROTTLE_WINDOW_SECONDS_ENV = "DYNAMODB_FAULT_THROTTLE_WINDOW_SECONDS"
UNPROCESSED_KEYS_RATE_ENV = "DYNAMODB_FAULT_UNPROCESSED_KEYS_RATE"
TARGET_PREFIX = "DynamoDB_20120810."
PLAIN_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
CONFLICT_MESSAGE = "Transaction is ongoing for the item"
PLAIN_WRITE_HOLD_SHARE = 0.2  # a plain write is in flight for this share of a transaction's time


class ServerFaults:
    """WSGI middleware in front of moto's DynamoDB that makes it as strict as DynamoDB where
    concurrency and capacity show (developer guide, "Transaction conflict handling";
    BatchGetItem API reference, "UnprocessedKeys"):

    - `transaction_hold_seconds` > 0: a TransactWriteItems holds its items that long before it
      commits (a plain write a fifth of it). Meanwhile a plain PutItem/UpdateItem/DeleteItem on
      one of them fails with TransactionConflictException, and a TransactWriteItems or
      TransactGetItems touching one of them (or an item a plain write is writing) is canceled
      with reason TransactionConflict.
    - `throttle_for(seconds)`, or `throttle_windows_per_minute` × `throttle_window_seconds`:
      every data call is throttled for seconds on end, as a hot partition is, not one request
      now and then. Windows start at random times (a Poisson process in wall-clock time), so
      the share of time throttled is the same however busy the run is; at a chance per request
      a 1,000-shopper run was throttled half of its busiest minute, which no retry gets past.
    - `unprocessed_keys_rate`: BatchGetItem leaves that share of keys (at least one key is always
      served) in UnprocessedKeys.
    - `fail_after_applying(operation)`: the next such call is applied, then answered with a 500,
      which botocore retries: the retried non-idempotent write.
    - `latency_seconds`: every data call that is served takes that much longer.
    - `cancel_transactions(code, times)`: the next TransactWriteItems are canceled with that
      reason on their first item (e.g. ValidationError, which no retry can fix).
    """

    def __init__(self, app, *, seed=None):
        self.app = app
        self.transaction_hold_seconds = 0.0
        self.throttle_windows_per_minute = 0.0
        self.throttle_window_seconds = 0.0
        self._next_window_at = None
        self.unprocessed_keys_rate = 0.0
        self.latency_seconds = 0.0
        self.injected = {}  # fault name -> count
        self._throttled_until = 0.0
        self._fail_after_applying = {}
        self._cancellations = []  # reason codes for the next TransactWriteItems
        self.calls = {}  # operation -> count of calls that reached this layer
        self._held = {}  # item key -> kinds in flight on it ("transaction", "write")
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    @classmethod
    def from_env(cls, app, environ=None):
        environ = os.environ if environ is None else environ
        faults = cls(app, seed=environ.get(SEED_ENV) or None)
        faults.transaction_hold_seconds = float(environ.get(TRANSACTION_HOLD_ENV) or 0)
        faults.throttle_windows_per_minute = float(environ.get(THROTTLE_WINDOWS_PER_MINUTE_ENV) or 0)
        faults.throttle_window_seconds = float(environ.get(THROTTLE_WINDOW_SECONDS_ENV) or 0)
        faults.unprocessed_keys_rate = float(environ.get(UNPROCESSED_KEYS_RATE_ENV) or 0)
        return faults

    def reset(self):
        with self._lock:
            self.transaction_hold_seconds = self.throttle_windows_per_minute = self.throttle_window_seconds = 0.0
            self._next_window_at = None
            self.unprocessed_keys_rate = self.latency_seconds = 0.0
            self._throttled_until = 0.0
            self._fail_after_applying.clear()
            self._cancellations.clear()
            self.calls.clear()

    def throttle_for(self, seconds):
        with self._lock:
            self._throttled_until = time.monotonic() + seconds

    def fail_after_applying(self, operation, times=1):
        with self._lock:
            self._fail_after_applying[operation] = times

    def cancel_transactions(self, code, times=1):
        with self._lock:
            self._cancellations += [code] * times

    def held_items(self):
        with self._lock:
            return {key: list(kinds) for key, kinds in self._held.items()}

    def _count(self, fault):
        self.injected[fault] = self.injected.get(fault, 0) + 1

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(TARGET_PREFIX):
            return self.app(environ, start_response)  # S3, Secrets Manager, table-less calls
        operation = target[len(TARGET_PREFIX) :]
        if operation not in DATA_OPERATIONS:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
            cancellation = (
                self._cancellations.pop(0) if operation == "TransactWriteItems" and self._cancellations else None
            )
        if cancellation:
            self._count(f"TransactWriteItems canceled: {cancellation}")
            count = len(request.get("TransactItems", [])) or 1
            return _answer(
                start_response,
                400,
                _canceled([True] + [False] * (count - 1), cancellation, "Injected by devstack.dynamodb_faults"),
            )
        if self._throttled(operation):  # answered at once, as DynamoDB does
            return _answer(
                start_response,
                400,
                {
                    "__type": f"com.amazonaws.dynamodb.v20120810#{THROTTLE_CODES[1]}",
                    "message": "Rate of requests exceeds the allowed throughput "
                    "(sustained, injected by devstack.dynamodb_faults)",
                },
            )
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        if operation == "BatchGetItem" and self.unprocessed_keys_rate:
            return self._batch_get_leaving_keys(environ, start_response, request)
        keys = _item_keys(operation, request, environ)
        refusal = self._claim(operation, keys)
        if refusal is not None:
            return _answer(start_response, 400, refusal)
        if keys and operation != "TransactGetItems" and self.transaction_hold_seconds:
            # In flight: others meet its items now. Released before the double's locks are taken:
            # waiting for them (on a busy machine) is not DynamoDB's time, whose writes take
            # milliseconds and transactions a little longer.
            try:
                time.sleep(
                    self.transaction_hold_seconds * (1 if operation == "TransactWriteItems" else PLAIN_WRITE_HOLD_SHARE)
                )
            finally:
                self._release(operation, keys)
        return self._forward(environ, start_response, body, operation)

    def _throttled(self, operation):
        with self._lock:
            now = time.monotonic()
            if self.throttle_windows_per_minute and now >= self._throttled_until:
                if self._next_window_at is None:
                    self._next_window_at = now + self._until_next_window()
                elif now >= self._next_window_at:
                    self._throttled_until = now + self.throttle_window_seconds
                    self._next_window_at = self._throttled_until + self._until_next_window()
                    self._count("throttle windows")
            if now < self._throttled_until:
                self._count(f"sustained throttle on {operation}")
                return True
        return False

    def _until_next_window(self):
        return self._rng.expovariate(self.throttle_windows_per_minute / 60)

    def _claim(self, operation, keys):
        """Marks the items in flight, or returns the error DynamoDB gives for a conflict."""
        if not keys or not self.transaction_hold_seconds:
            return None
        with self._lock:
            if operation in PLAIN_WRITES:
                if any("transaction" in self._held.get(key, ()) for key in keys):
                    self._count("TransactionConflictException")
                    return {
                        "__type": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
                        "message": CONFLICT_MESSAGE,
                    }
            elif operation in ("TransactWriteItems", "TransactGetItems"):
                busy = [key in self._held for key in keys]
                if any(busy):
                    self._count(f"{operation} canceled: TransactionConflict")
                    return _canceled(busy, "TransactionConflict", CONFLICT_MESSAGE)
            if operation == "TransactGetItems":
                return None  # a read holds nothing
            for key in keys:
                self._held.setdefault(key, []).append("transaction" if operation == "TransactWriteItems" else "write")
        return None

    def _release(self, operation, keys):
        if operation == "TransactGetItems" or not keys:
            return
        kind = "transaction" if operation == "TransactWriteItems" else "write"
        with self._lock:
            for key in keys:
                kinds = self._held.get(key, [])
                if kind in kinds:
                    kinds.remove(kind)
                if not kinds:
                    self._held.pop(key, None)

    def _forward(self, environ, start_response, body, operation):
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        with self._lock:
            fail = self._fail_after_applying.get(operation, 0)
            if fail:
                self._fail_after_applying[operation] = fail - 1
        if not fail:
            return self.app(environ, start_response)
        self._count(f"{operation} applied, answered 500")
        chunks = self.app(environ, lambda *args, **kwargs: None)  # applied; its answer is lost
        b"".join(chunks)
        return _answer(
            start_response,
            500,
            {
                "__type": "com.amazon.coral.availability#InternalServerError",
                "message": "Internal server error (injected after applying)",
            },
        )

    def _batch_get_leaving_keys(self, environ, start_response, request):
        served: dict[str, dict] = {}  # table -> its BatchGetItem spec, with the keys served
        left: dict[str, dict] = {}  # table -> its spec, with the keys left unprocessed
        with self._lock:
            for table, spec in (request.get("RequestItems") or {}).items():
                for key in spec.get("Keys", []):
                    if self._rng.random() < self.unprocessed_keys_rate:
                        left.setdefault(table, {**spec, "Keys": []})["Keys"].append(key)
                    else:
                        served.setdefault(table, {**spec, "Keys": []})["Keys"].append(key)
            if not served and left:  # DynamoDB serves at least one key, or throttles the call
                table, spec = next(iter(left.items()))
                served[table] = {**spec, "Keys": [spec["Keys"].pop(0)]}
                if not spec["Keys"]:
                    del left[table]
            if left:
                self._count("BatchGetItem UnprocessedKeys")
        captured: dict[str, Any] = {}  # the status line and headers moto answered
        chunks = self.app(
            {**environ, **_json_input({**request, "RequestItems": served})},
            lambda status, headers, exc_info=None: captured.update(status=status, headers=headers),
        )
        answer = json.loads(b"".join(chunks) or b"{}")
        if not captured.get("status", "").startswith("200"):
            return _answer(start_response, int(captured["status"].split()[0]), answer)
        answer["UnprocessedKeys"] = {**answer.get("UnprocessedKeys", {}), **left}
        return _answer(start_response, 200, answer)


def _canceled(at_fault, code, message):
    """A TransactionCanceledException body: `code` for the items at fault, "None" for the rest."""
    reasons = [{"Code": code, "Message": message} if fault else {"Code": "None"} for fault in at_fault]
    return {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific "
        f"reasons [{', '.join(reason['Code'] for reason in reasons)}]",
        "CancellationReasons": reasons,
    }


def _json_input(request):
    body = json.dumps(request).encode()
    return {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}


def _answer(start_response, status, body):
    payload = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 500: "Internal Server Error"}[status]
    start_response(
        f"{status} {reason}",
        [
            ("Content-Type", "application/x-amz-json-1.0"),
            ("Content-Length", str(len(payload))),
            ("x-amzn-RequestId", SERVER_FAULT_REQUEST_ID),
        ],
    )
    return [payload]


def _item_keys(operation, request, environ):
    """(table, key) of every item a write or transaction touches; [] for other calls."""
    if operation in PLAIN_WRITES:
        entries = [(request.get("TableName"), request.get("Key") or request.get("Item"))]
    elif operation == "TransactWriteItems":
        entries = [
            (op.get("TableName"), op.get("Key") or op.get("Item"))
            for item in request.get("TransactItems", [])
            for op in item.values()
        ]
    elif operation == "TransactGetItems":
        entries = [
            (item.get("Get", {}).get("TableName"), item.get("Get", {}).get("Key"))
            for item in request.get("TransactItems", [])
        ]
    else:
        return []
    return [_item_key(table, attributes, environ) for table, attributes in entries if table and attributes]


def _item_key(table_name, attributes, environ):
    key_names = _key_names(table_name, environ)
    key = {name: value for name, value in attributes.items() if key_names is None or name in key_names}
    return table_name, json.dumps(key, sort_keys=True)


def _key_names(table_name, environ):
    """The table's key attribute names, from moto's own backend (a Put carries the whole item)."""
    try:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[1]
        region = credential.split("/")[2]
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(table_name)
    except Exception:  # noqa: BLE001 - an unknown table: moto answers that itself
        return None
    return {table.hash_key_attr} | ({table.range_key_attr} if table.range_key_attr else set())
