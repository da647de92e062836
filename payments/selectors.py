"""Read-only queries of orders, attempts and refunds (strongly consistent: the workflow decides on
them). No writes here."""
import re
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare
from pynamodb.exceptions import TransactGetError
from pynamodb.transactions import TransactGet

from config import dynamodb
from config.dynamodb import get_or_none, optimistic_retries
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt, Refund

ORDER_ID_PATTERN = re.compile(r"^SO-[0-9A-F]{5}-[0-9A-F]{5}$")


def order_for_shopper(*, order_id, token):
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


def _resolved(future):
    try:
        return future.get()
    except (Order.DoesNotExist, PaymentAttempt.DoesNotExist):
        return None


def attempt_by_mollie_id(payment_id: str) -> PaymentAttempt | None:
    for attempt in PaymentAttempt.mollie_payment_index.query(payment_id, limit=1):
        return get_attempt(attempt.order_id, attempt.attempt_no)
    return None


@dataclass(frozen=True)
class ShopperView:
    state: str
    title: str
    message: str
    keep_polling: bool = False
    can_pay_again: bool = False
    can_continue_payment: bool = False


def shopper_view(order) -> ShopperView:
    """What the thank-you page tells the shopper, from the order's own status and its latest attempt."""
    if order.status == OrderStatus.PAID:
        return ShopperView("paid", "Thank you! Your payment was received.",
                           "We have your order and will send it soon.")
    if order.status in (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
        refunded = "fully" if order.status == OrderStatus.REFUNDED else "partly"
        return ShopperView("paid", "Your order was paid.", f"It has been {refunded} refunded.")
    if order.status == OrderStatus.EXPIRED:
        return ShopperView("expired", "This order has expired.",
                           "No payment was completed in time, and nothing was charged. Your cart is kept, "
                           "so you can order again.")
    if order.status == OrderStatus.CANCELED:
        return ShopperView("canceled", "This order was canceled.", "Nothing was charged.")
    attempt_status = order.latest_attempt_status
    if attempt_status == AttemptStatus.OPEN:
        # The common return: a payment that failed or was canceled inside Mollie's checkout stays
        # open (the shopper is sent back to choose a method), or the shopper came back unfinished.
        return ShopperView("open", "Your payment is not complete yet.",
                           "Nothing has been charged. If a payment did not go through, continue to the payment "
                           "page and try again or choose another method. This page updates by itself.",
                           keep_polling=True, can_continue_payment=bool(order.latest_checkout_url))
    if attempt_status == AttemptStatus.PAID:
        # Paid at Mollie but not accepted yet (e.g. the amount differs): staff are looking at it.
        return ShopperView("checking", "We received a payment and are checking it.",
                           "Please do not pay again; we will contact you if anything is needed.")
    if attempt_status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
        return ShopperView("pending", "Your payment is being processed.",
                           "This can take a little while. This page updates by itself; you may also close it "
                           "and come back to this address later.", keep_polling=True)
    if attempt_status == AttemptStatus.CREATED:
        return ShopperView("not_started", "Your payment has not started yet.",
                           "We could not reach our payment provider. Your order is saved and nothing was charged.",
                           can_pay_again=True)
    if attempt_status == AttemptStatus.REJECTED:
        # Mollie refused the payment itself: the same request would be refused again.
        return ShopperView("rejected", "Our payment provider could not accept this payment.",
                           "Nothing was charged. Paying again would not help: please contact us, or change "
                           "your cart and order again.")
    if attempt_status == AttemptStatus.CANCELED:
        return ShopperView("canceled_payment", "You canceled the payment.",
                           "Nothing was charged. You can pay again, or go back to the shop: your cart is kept.",
                           can_pay_again=True)
    if attempt_status == AttemptStatus.EXPIRED:
        return ShopperView("expired_payment", "The payment expired before it was completed.",
                           "Nothing was charged. You can pay again, or go back to the shop: your cart is kept.",
                           can_pay_again=True)
    return ShopperView("failed", "Your payment did not succeed.",
                       "Nothing was charged. You can pay again, or go back to the shop: your cart is kept.",
                       can_pay_again=True)
