"""Read-only queries of orders, attempts and refunds (strongly consistent: the workflow decides on
them). No writes here."""

from collections.abc import Iterator

from django.utils.crypto import constant_time_compare
from pynamodb.exceptions import TransactGetError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactGet

from config import dynamodb
from config.dynamodb import get_or_none, optimistic_retries, retries_exhausted
from payments.converters import ORDER_ID_PATTERN
from payments.models import Order, PaymentAttempt, Refund
from payments.sharding import shard_keys


def order_for_shopper(*, order_id: str, token: str) -> Order | None:
    """The order, only for someone who holds its unguessable token; None otherwise."""
    if not ORDER_ID_PATTERN.match(order_id or "") or not token or len(token) > 64:
        return None
    order = get_order(order_id)
    return order if order is not None and constant_time_compare(order.public_token, token) else None


def attempts_of(order_id: str) -> list[PaymentAttempt]:
    return list(PaymentAttempt.query(order_id, consistent_read=True))


def refunds_of(order_id: str) -> list[Refund]:
    return list(Refund.query(order_id, consistent_read=True))


def get_order(order_id: str) -> Order | None:
    return get_or_none(Order, order_id)


def get_attempt(order_id: str, attempt_no: int) -> PaymentAttempt | None:
    return get_or_none(PaymentAttempt, order_id, attempt_no)


def get_refund(order_id: str, refund_key: str) -> Refund | None:
    return get_or_none(Refund, order_id, refund_key)


def get_order_and_attempt(order_id: str, attempt_no: int) -> tuple[Order | None, PaymentAttempt | None]:
    """Both in one strongly consistent read (TransactGetItems): the webhook's hot path.

    DynamoDB cancels a TransactGetItems that overlaps a write on its items (TransactionConflict):
    wait and read again, like a write that met a busy item.
    """
    for read_try in optimistic_retries(order_id):
        try:
            with TransactGet(connection=dynamodb.connection()) as transaction:
                order_future = transaction.get(Order, order_id)
                attempt_future = transaction.get(PaymentAttempt, order_id, attempt_no)
        except TransactGetError as error:
            read_try.lost(error)
            continue
        return _resolved(order_future), _resolved(attempt_future)
    retries_exhausted(order_id)


def _resolved(future):
    try:
        return future.get()
    except (Order.DoesNotExist, PaymentAttempt.DoesNotExist):
        return None


def attempt_by_mollie_id(payment_id: str) -> PaymentAttempt | None:
    for attempt in PaymentAttempt.mollie_payment_index.query(payment_id, limit=1):
        return get_attempt(attempt.order_id, attempt.attempt_no)
    return None


def orders_in_status(status: str, created_condition: Condition | None = None) -> Iterator[Order]:
    """Every order in `status` (placed as `created_condition` says), one Query per shard of the
    status index, oldest shard first; eventually consistent, like any index."""
    for key in shard_keys(status):
        yield from Order.status_shard_index.query(key, created_condition)


def attempts_in_status(status: str, created_condition: Condition | None = None) -> Iterator[PaymentAttempt]:
    """Every payment attempt in `status`, one Query per shard of the attempt status index."""
    for key in shard_keys(status):
        yield from PaymentAttempt.attempt_status_shard_index.query(key, created_condition)
