"""One place that points every PynamoDB model at its table: endpoint, region and stage prefix.

Models register with `@dynamodb.table`; `configure()` re-points all of them (used at start-up,
by runserver once it has started the embedded stack, and by tests for per-test tables).
"""
import functools
from dataclasses import dataclass

from pynamodb.models import Model

_models = []


@dataclass(frozen=True)
class Target:
    host: str | None
    region: str
    prefix: str


_target: Target | None = None


def table(model_cls):
    """Class decorator: `Meta.table_name` is the base name; the stage prefix is added here."""
    model_cls._base_table_name = model_cls.Meta.table_name
    # Fail fast instead of hanging a request on a slow DynamoDB; botocore still retries throttles.
    model_cls.Meta.connect_timeout_seconds = 2
    model_cls.Meta.read_timeout_seconds = 5
    model_cls.Meta.max_retry_attempts = 4
    model_cls._get_connection = classmethod(_shared_table_connection)
    _models.append(model_cls)
    _apply(model_cls, _current_target())
    return model_cls


def _shared_table_connection(model_cls):
    """PynamoDB gives every model its own botocore client (~100 ms each on a cold start);
    all our models share the one connection of the current target instead."""
    table_connection = Model._get_connection.__func__(model_cls)
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
    if (meta.table_name, meta.host, meta.region) == (target.prefix + model_cls._base_table_name, target.host,
                                                     target.region) and model_cls._connection is not None:
        return  # already pointed there: keep the connection (and its client)
    meta.table_name = target.prefix + model_cls._base_table_name
    meta.host = target.host
    meta.region = target.region
    if target.host:
        # A local endpoint (moto, DynamoDB Local) accepts any credentials; don't go looking for real ones.
        meta.aws_access_key_id = "local"
        meta.aws_secret_access_key = "local"
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
    from pynamodb.connection import Connection

    key = "local" if host else None
    return Connection(
        region=region,
        host=host,
        connect_timeout_seconds=2,
        read_timeout_seconds=5,
        max_retry_attempts=4,
        # Shared by every model and thread of the process (threaded servers, reconciliation).
        max_pool_connections=50,
        aws_access_key_id=key,
        aws_secret_access_key=key,
    )


def boto3_client(service="dynamodb"):
    """A boto3 client for the current target (table admin, dumps); not used on request paths."""
    target = _current_target()
    return _boto3_client(service, target.host, target.region)


@functools.cache
def _boto3_client(service, host, region):
    import boto3  # creating a client is slow: one per endpoint is enough

    options = {"region_name": region}
    if host:
        options.update(endpoint_url=host, aws_access_key_id="local", aws_secret_access_key="local")
    return boto3.client(service, **options)


def is_condition_failure(error) -> bool:
    """A conditional write that lost: a normal outcome of optimistic locking, not a fault."""
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"
