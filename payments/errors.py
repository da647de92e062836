"""What the payment workflow refuses, with a message fit to show a shopper or staff member."""


REJECTED_PAYMENT = ("Our payment provider cannot accept a payment for this order, so nothing was charged. "
                    "Trying again would not help: please contact us, or change your cart and order again.")


class WorkflowError(Exception):
    """A request the workflow refuses, with a message fit to show a shopper or staff member."""


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

    def __init__(self, message, *, order):
        super().__init__(message)
        self.order = order