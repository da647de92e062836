"""One place that points every PynamoDB model at its table: endpoint, region and stage prefix.

Models register with `@dynamodb.table`; `configure()` re-points all of them (used at start-up,
by runserver once it has started the embedded stack, and by tests for per-test tables).
Also the one retry helper for optimistic writes (`optimistic_retries`) and the back-off for
BatchGetItem's UnprocessedKeys: what real DynamoDB asks of its callers under contention.
"""

import functools
import random
import time
from dataclasses import dataclass
from typing import NoReturn

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from config import aws_session, metrics

_models: list[type[Model]] = []

# Sized to the request deadline (config/deadline.py): one try takes at most the connect plus the
# read timeout (settings.DYNAMODB_*_TIMEOUT_SECONDS, deadline.write_seconds()), and botocore's
# retries of throttles (standard mode, back-off up to 2**n s) stop before the deadline because
# every try is checked against it (`refuse_late_calls`).
MAX_BOTOCORE_RETRIES = 3


def _timeouts():
    from django.conf import settings

    return settings.DYNAMODB_CONNECT_TIMEOUT_SECONDS, settings.DYNAMODB_READ_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Target:
    host: str | None
    region: str
    prefix: str


_target: Target | None = None


def table(model_cls):
    """Class decorator: `Meta.table_name` is the base name; the stage prefix is added here."""
    model_cls._base_table_name = model_cls.Meta.table_name
    # On-demand capacity for every table: no throughput to plan, and a flash sale is not throttled.
    model_cls.Meta.billing_mode = "PAY_PER_REQUEST"
    # Fail fast instead of hanging a request on a slow DynamoDB; botocore still retries throttles.
    model_cls.Meta.connect_timeout_seconds, model_cls.Meta.read_timeout_seconds = _timeouts()
    model_cls.Meta.max_retry_attempts = MAX_BOTOCORE_RETRIES
    model_cls._get_connection = classmethod(_shared_table_connection)
    model_cls._batch_get_page = classmethod(_batch_get_page_with_backoff)
    _models.append(model_cls)
    _apply(model_cls, _current_target())
    return model_cls


class AllProjectionIndex(GlobalSecondaryIndex):
    """A GSI that carries whole items, so a Query on it needs no second read. Declare only its keys:
    PynamoDB names the index after the model's attribute that holds it (`order_shard_index = ...`)."""

    def __init_subclass__(cls, **kwargs):
        # Each index needs a Meta of its own: PynamoDB stores the index's name and keys on it.
        if "Meta" in cls.__dict__:
            # Its Meta would be replaced, and an index_name in it lost: the index renamed on deploy.
            raise TypeError(f"{cls.__name__}: an AllProjectionIndex declares only its keys, no Meta")
        cls.Meta = type("Meta", (), {"projection": AllProjection()})
        super().__init_subclass__(**kwargs)


def _shared_table_connection(model_cls):
    """PynamoDB gives every model its own botocore client (~100 ms each on a cold start);
    all our models share the one connection of the current target instead."""
    # The stubs type the classmethod as bound; its underlying function takes the class.
    table_connection = Model._get_connection.__func__(model_cls)  # type: ignore[attr-defined]
    shared = connection()
    if table_connection.connection is not shared:
        name = model_cls.Meta.table_name
        if name not in shared._tables:
            shared.add_meta_table(table_connection.connection.get_meta_table(name))
        table_connection.connection = shared
    return table_connection


def all_models():
    return list(_models)


def configure(*, host=None, region=None, prefix=None):
    global _target
    base = _current_target()
    _target = Target(
        host=host if host is not None else base.host,
        region=region or base.region,
        prefix=prefix if prefix is not None else base.prefix,
    )
    for model_cls in _models:
        _apply(model_cls, _target)
    return _target


def current_target():
    return _current_target()


def _current_target():
    if _target is not None:
        return _target
    from django.conf import settings

    return Target(
        host=settings.DYNAMODB_ENDPOINT_URL or None,
        region=settings.AWS_REGION,
        prefix=settings.DYNAMODB_TABLE_PREFIX,
    )


def _apply(model_cls, target):
    meta = model_cls.Meta
    if (meta.table_name, meta.host, meta.region) == (
        target.prefix + model_cls._base_table_name,
        target.host,
        target.region,
    ) and model_cls._connection is not None:
        return  # already pointed there: keep the connection (and its client)
    meta.table_name = target.prefix + model_cls._base_table_name
    meta.host = target.host
    meta.region = target.region
    if target.host:
        # A local endpoint (moto, DynamoDB Local) accepts any credentials; don't go looking for real ones.
        meta.aws_access_key_id = "local"
        meta.aws_secret_access_key = "local"  # noqa: S105 (a placeholder, for local endpoints only)
    else:
        meta.aws_access_key_id = None
        meta.aws_secret_access_key = None
    model_cls._connection = None


def connection():
    """A PynamoDB connection to the current target, for TransactWrite/TransactGet."""
    target = _current_target()
    return _connection(target.host, target.region)


@functools.cache
def _connection(host, region):
    # Cached: each Connection builds its own botocore client, which costs ~100 ms.
    from config.deadline import refuse_late_calls

    key = "local" if host else None
    connect_timeout, read_timeout = _timeouts()
    shared = _SharedSessionConnection(
        region=region,
        host=host,
        connect_timeout_seconds=connect_timeout,
        read_timeout_seconds=read_timeout,
        max_retry_attempts=MAX_BOTOCORE_RETRIES,
        # Shared by every model and thread of the process (threaded servers, reconciliation).
        max_pool_connections=50,
        aws_access_key_id=key,
        aws_secret_access_key=key,
    )
    shared.client.meta.events.register("before-send.dynamodb", refuse_late_calls, unique_id="request-deadline")
    shared.client.meta.events.register("after-call.dynamodb", metrics.dynamodb_answered, unique_id="metrics")
    return shared


class _SharedSessionConnection(Connection):
    """PynamoDB's Connection, making its client on the process's one botocore session
    (config.aws_session) instead of a session of its own per thread."""

    @property
    def session(self):
        return aws_session.SharedSession(
            aws_access_key_id=self._aws_access_key_id, aws_secret_access_key=self._aws_secret_access_key
        )


def boto3_client(service="dynamodb"):
    """A boto3 client for the current target (table admin, dumps, the export's S3 bucket)."""
    target = _current_target()
    return aws_session.boto3_client(service, target.host, target.region)


def get_or_none(model_cls, hash_key, range_key=None, *, consistent_read=True):
    """The item, or None when it does not exist: the one place that turns DoesNotExist into None."""
    try:
        return model_cls.get(hash_key, range_key, consistent_read=consistent_read)
    except model_cls.DoesNotExist:
        return None


def is_condition_failure(error) -> bool:
    """A conditional write that lost: a normal outcome of optimistic locking, not a fault."""
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def save_new(item) -> bool:
    """Puts a new item unless one with its key is stored already (a double submit, a second seed):
    True if this call stored it, False if the item was there (and is left as it was)."""
    try:
        item.save(condition=type(item)._hash_key_attribute().does_not_exist())
    except PutError as error:
        if not is_condition_failure(error):
            raise
        return False
    return True


# --- Optimistic writes: the one retry helper ---------------------------------------------------

MAX_WRITE_RETRIES = 8
# Full-jitter exponential back-off between tries that met a busy item or table (AWS Architecture
# Blog, "Exponential Backoff And Jitter"): sleep uniform(0, min(cap, base * 2**n)).
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 1.0
# CancellationReasons codes (TransactWriteItems/TransactGetItems API reference) that pass if asked
# again later; every other reason but ConditionalCheckFailed is a bug and is raised at once.
CONTENTION_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
# A plain write on an item a running transaction holds (developer guide, "Transaction conflict
# handling"); botocore does not retry it.
CONTENTION_CODES = frozenset({"TransactionConflictException"})


class ConcurrentUpdateConflict(Exception):
    """Too many concurrent writers on one item, or no time left to wait for them; the caller
    answers 503 (Mollie retries a webhook, a shopper presses reload)."""


class WriteLost(Exception):
    """An optimistic write lost to another writer. `back_off` is False when a condition failed
    (re-read and decide at once), True when the item or table was busy (wait, then try again)."""

    def __init__(self, *, back_off, reason=""):
        super().__init__(reason or ("busy" if back_off else "condition failed"))
        self.back_off = back_off


def write_lost(error) -> WriteLost | None:
    """What a failed DynamoDB call means for an optimistic writer: a WriteLost, or None when it is
    not a lost race (a validation error, a missing table, …), which the caller must raise.

    A canceled transaction is read item by item from its CancellationReasons: any
    ValidationError (or unknown code) makes it a bug, any TransactionConflict or throttling makes
    it `back_off`, and failed conditions alone mean "re-read".
    """
    if isinstance(error, WriteLost):
        return error
    code = getattr(error, "cause_response_code", None)
    if code == "ConditionalCheckFailedException":
        return WriteLost(back_off=False)
    if code in CONTENTION_CODES:
        return WriteLost(back_off=True, reason=code)
    if code != "TransactionCanceledException":
        return None
    codes = {reason.code for reason in getattr(error, "cancellation_reasons", None) or [] if reason}
    codes.discard("None")
    if not codes or not codes <= CONTENTION_REASONS | {"ConditionalCheckFailed"}:
        return None
    if codes & CONTENTION_REASONS:
        return WriteLost(back_off=True, reason=", ".join(sorted(codes)))
    return WriteLost(back_off=False)


class _Try:
    def __init__(self, number, attempts):
        self.number = number
        self.is_last = number + 1 == attempts
        self.back_off = False

    def lost(self, error):
        """Call from the `except` of a failed write: re-raises what is not a lost race, and
        asks for back-off before the next try when the item or table was busy."""
        lost = write_lost(error)
        if lost is None:
            raise error
        self.back_off = lost.back_off

    def wait(self):
        """The other party is still at work (a twin request Mollie is processing): back off."""
        self.back_off = True


def optimistic_retries(key, *, attempts=None, delays=None, on_exhausted=None, sleep=time.sleep, rng=random.random):
    """Yields up to `attempts` tries of a read-decide-write; the body re-reads on each try,
    `return`s when done, and on a failed write calls `attempt.lost(error)` and `continue`s.

    Between tries: none after a failed condition (the re-read decides), full-jitter exponential
    back-off after a conflict or throttling, never past the request's deadline (config.deadline).
    On exhaustion, or when the back-off would not fit before the deadline, it raises
    ConcurrentUpdateConflict(key): one behaviour, which callers answer with 503 or count as a
    per-item error. `on_exhausted()`, where given, makes the exception to raise instead when the
    tries run out (the login throttle: that many writers on one counter is an attack).

    The second mode, `delays`, waits for a twin request at Mollie (409 while the same
    Idempotency-Key is in flight): one try more than delays, `attempt.wait()` sleeps the next
    fixed delay, and the body re-raises Mollie's error itself on the try that `is_last`.
    """
    from config import deadline

    attempts = len(delays) + 1 if delays else attempts or MAX_WRITE_RETRIES
    backoffs = 0
    for number in range(attempts):
        attempt = _Try(number, attempts)
        yield attempt
        if attempt.back_off and number + 1 < attempts:
            if delays:
                delay = delays[backoffs]
            else:
                delay = rng() * min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**backoffs)
            backoffs += 1
            if deadline.remaining() < delay + deadline.write_seconds():
                metrics.count(metrics.Metric.DYNAMODB_CONFLICTS)
                raise ConcurrentUpdateConflict(f"{key} (no time left to wait for a busy item)")
            sleep(delay)
    metrics.count(metrics.Metric.DYNAMODB_CONFLICTS)
    if on_exhausted is not None:
        raise on_exhausted()
    raise ConcurrentUpdateConflict(key)


def retries_exhausted(key) -> NoReturn:
    """The line after an optimistic_retries loop whose body returns its result. Never reached: the
    loop itself raises when its tries run out (ConcurrentUpdateConflict, or on_exhausted's
    exception). Written out so the type checker, which cannot see into the generator, knows the
    function never ends without a result."""
    raise ConcurrentUpdateConflict(key)


# --- BatchGetItem: UnprocessedKeys ----------------------------------------------------------------

UNPROCESSED_KEYS_TRIES = 5


class UnprocessedKeysLeft(ConcurrentUpdateConflict):
    """DynamoDB kept leaving keys unprocessed (it does so when throttled): answer 503."""


def _batch_get_page_with_backoff(model_cls, keys_to_get, consistent_read, attributes_to_get, *, sleep=None, rng=None):
    """PynamoDB's batch_get re-requests UnprocessedKeys at once and without limit; DynamoDB's
    BatchGetItem reference asks for exponential back-off. So each page is completed here, with
    full-jitter back-off, a bounded number of times and never past the request's deadline."""
    from config import deadline

    sleep, rng = sleep or time.sleep, rng or random.random
    items: list[Model] = []
    for number in range(UNPROCESSED_KEYS_TRIES):
        # The stubs type the classmethod as bound; its underlying function takes the class.
        page, unprocessed = Model._batch_get_page.__func__(  # type: ignore[attr-defined]
            model_cls, keys_to_get, consistent_read, attributes_to_get
        )
        items += page or []
        if not unprocessed:
            return items, None
        keys_to_get = unprocessed
        delay = rng() * min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**number)
        if number + 1 == UNPROCESSED_KEYS_TRIES or deadline.remaining() < delay:
            break
        sleep(delay)
    raise UnprocessedKeysLeft(f"{len(keys_to_get)} keys of {model_cls.Meta.table_name} left unprocessed")
