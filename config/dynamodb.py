"""One place that points every PynamoDB model at its table: endpoint, region and stage prefix.

Models register with `@dynamodb.table`; `configure()` re-points all of them (used at start-up,
by runserver once it has started the embedded stack, and by tests for per-test tables).
"""
from dataclasses import dataclass

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
    _models.append(model_cls)
    _apply(model_cls, _current_target())
    return model_cls


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
    from pynamodb.connection import Connection

    target = _current_target()
    key = "local" if target.host else None
    return Connection(
        region=target.region,
        host=target.host,
        connect_timeout_seconds=2,
        read_timeout_seconds=5,
        max_retry_attempts=4,
        aws_access_key_id=key,
        aws_secret_access_key=key,
    )


def boto3_client(service="dynamodb"):
    """A boto3 client for the current target (table admin, dumps); not used on request paths."""
    import boto3

    target = _current_target()
    options = {"region_name": target.region}
    if target.host:
        options.update(endpoint_url=target.host, aws_access_key_id="local", aws_secret_access_key="local")
    return boto3.client(service, **options)
