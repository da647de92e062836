"""Dev-only: DynamoDB throttling injected into every botocore DynamoDB client, for chaos runs.

Nothing in the shop imports this. The chaos web server (`chaos/server.py`) calls
`activate_from_env()`, which does something only when DYNAMODB_FAULT_THROTTLE_RATE is set.
The injected answers are what DynamoDB sends when it throttles: a 400 with
`ProvisionedThroughputExceededException` or `ThrottlingException` (botocore retries those with
backoff, like in production), and for transactions also a `TransactionCanceledException` whose
reasons say `ThrottlingError` (botocore does not retry that one; the caller must).
"""
import json
import logging
import os
import random
import threading

import botocore.session
from botocore.awsrequest import AWSResponse

log = logging.getLogger(__name__)

THROTTLE_RATE_ENV = "DYNAMODB_FAULT_THROTTLE_RATE"
SEED_ENV = "DYNAMODB_FAULT_SEED"

# Reads and writes of items: what a busy table throttles. Table administration (create,
# describe) is left alone so that start-up and health checks are not what we test.
DATA_OPERATIONS = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
    "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
})
THROTTLE_CODES = ("ProvisionedThroughputExceededException", "ThrottlingException")

_client_hooks = []
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
        if as_transaction:
            body = _transaction_throttled(request)
            code = "TransactionCanceledException(ThrottlingError)"
        else:
            body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                    "message": "Rate of requests exceeds the allowed throughput (injected by devstack.dynamodb_faults)"}
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
    reasons = [{"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity of your table or index."}]
    reasons += [{"Code": "None"}] * (item_count - 1)
    return {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                   f"[{', '.join(reason['Code'] for reason in reasons)}]",
        "CancellationReasons": reasons,
    }


def _response(request, body):
    response = AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0",
                                              "x-amzn-RequestId": "injected-throttle"}, raw=None)
    response._content = json.dumps(body).encode()  # no raw stream: botocore reads `content`
    return response


def install(*, rate, seed=None, operations=DATA_OPERATIONS, transaction_cancel_share=0.5) -> ThrottleInjector:
    """Throttles from now on; `injector.armed = False` pauses it (handlers cannot be removed from
    clients that are already made, so an injector is switched off rather than uninstalled)."""
    injector = ThrottleInjector(rate=rate, seed=seed, operations=operations,
                                transaction_cancel_share=transaction_cancel_share)
    hook_dynamodb_clients(injector.register)
    return injector


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
