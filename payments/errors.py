"""What the payment workflow refuses: a machine-readable code to branch on, and a message fit to
show a shopper or staff member."""

from typing import TYPE_CHECKING

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:  # payments.models imports nothing from here, but keep errors free of models at run time
    from payments.models import Order


class ErrorCode(TextChoices):
    # Checkout
    CART_EMPTY = "cart_empty"
    CART_CHANGED = "cart_changed"
    CART_CHECKED_OUT_TOO_OFTEN = "cart_checked_out_too_often"
    ARTICLE_NOT_SOLD = "article_not_sold"
    OUT_OF_STOCK = "out_of_stock"
    MIXED_CURRENCIES = "mixed_currencies"
    AMOUNT_TOO_HIGH = "amount_too_high"
    NOT_SHIPPED_THERE = "not_shipped_there"
    NOTHING_TO_SHIP = "nothing_to_ship"
    CAPTURE_FAILED = "capture_failed"
    BANK_TRANSFER_NOT_OFFERED = "bank_transfer_not_offered"
    EARLIER_ORDER_PAID = "earlier_order_paid"
    EARLIER_PAYMENT_IN_PROGRESS = "earlier_payment_in_progress"
    # Paying
    ORDER_NOT_FOUND = "order_not_found"
    ALREADY_PAID = "already_paid"
    ORDER_EXPIRED = "order_expired"
    ORDER_CANCELED = "order_canceled"
    PAYMENT_WINDOW_OVER = "payment_window_over"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAYMENT_REJECTED = "payment_rejected"
    # Staff actions
    NEVER_REGISTERED = "never_registered"
    PAYMENT_NOT_OPEN = "payment_not_open"
    ORDER_NOT_OPEN = "order_not_open"
    MOLLIE_CANNOT_CANCEL = "mollie_cannot_cancel"
    PAYMENT_STARTING = "payment_starting"
    NOT_A_DOUBLE_PAYMENT = "not_a_double_payment"
    NO_SUCH_CHARGEBACK = "no_such_chargeback"
    CHARGEBACK_REVERSED = "chargeback_reversed"
    # Refunds
    NOT_PAID = "not_paid"
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range"
    DUPLICATE_REFUND = "duplicate_refund"
    REFUND_REJECTED = "refund_rejected"
    REFUND_UNCONFIRMED = "refund_unconfirmed"


REJECTED_PAYMENT = gettext_lazy(
    "Our payment provider cannot accept a payment for this order, so nothing was charged. "
    "Trying again would not help: please contact us, or change your cart and order again."
)

PAYMENT_NOT_STOPPED = gettext_lazy(
    "An earlier payment of this order is still in progress and our payment provider cannot stop it. "
    "Please finish that payment or wait until it expires."
)


class WorkflowError(Exception):
    """A request the workflow refuses: `code` says why (an ErrorCode), the message says it to people."""

    def __init__(self, code: ErrorCode, message: str):
        super().__init__(message)
        self.code = code


class CheckoutRefused(WorkflowError):
    pass


class OrderNotPayable(WorkflowError):
    pass


class RefundRefused(WorkflowError):
    pass


class ActionRefused(WorkflowError):
    pass


class EarlierOrderInTheWay(WorkflowError):
    """The cart's earlier order still has a payment that may be paid (or it was paid): a new order
    now could take the shopper's money twice. `order` is that earlier order."""

    def __init__(self, code: ErrorCode, message: str, *, order: "Order"):
        super().__init__(code, message)
        self.order = order
