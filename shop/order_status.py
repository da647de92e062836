"""What the shopper's order page says: a presenter over the order's own status and its latest
attempt. No reads, no writes."""

from dataclasses import dataclass

from payments.enums import AttemptStatus, OrderStatus


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
        return ShopperView("paid", "Thank you! Your payment was received.", "We have your order and will send it soon.")
    if order.status in (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
        refunded = "fully" if order.status == OrderStatus.REFUNDED else "partly"
        return ShopperView("paid", "Your order was paid.", f"It has been {refunded} refunded.")
    if order.status == OrderStatus.EXPIRED:
        return ShopperView(
            "expired",
            "This order has expired.",
            "No payment was completed in time, and nothing was charged. Your cart is kept, so you can order again.",
        )
    if order.status == OrderStatus.CANCELED:
        return ShopperView("canceled", "This order was canceled.", "Nothing was charged.")
    attempt_status = order.latest_attempt_status
    if attempt_status == AttemptStatus.OPEN:
        # The common return: a payment that failed or was canceled inside Mollie's checkout stays
        # open (the shopper is sent back to choose a method), or the shopper came back unfinished.
        return ShopperView(
            "open",
            "Your payment is not complete yet.",
            "Nothing has been charged. If a payment did not go through, continue to the payment "
            "page and try again or choose another method. This page updates by itself.",
            keep_polling=True,
            can_continue_payment=bool(order.latest_checkout_url),
        )
    if attempt_status == AttemptStatus.PAID:
        # Paid at Mollie but not accepted yet (e.g. the amount differs): staff are looking at it.
        return ShopperView(
            "checking",
            "We received a payment and are checking it.",
            "Please do not pay again; we will contact you if anything is needed.",
        )
    if attempt_status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
        return ShopperView(
            "pending",
            "Your payment is being processed.",
            "This can take a little while. This page updates by itself; you may also close it "
            "and come back to this address later.",
            keep_polling=True,
        )
    if attempt_status == AttemptStatus.CREATED:
        return ShopperView(
            "not_started",
            "Your payment has not started yet.",
            "We could not reach our payment provider. Your order is saved and nothing was charged.",
            can_pay_again=True,
        )
    if attempt_status == AttemptStatus.REJECTED:
        # Mollie refused the payment itself: the same request would be refused again.
        return ShopperView(
            "rejected",
            "Our payment provider could not accept this payment.",
            "Nothing was charged. Paying again would not help: please contact us, or change your cart and order again.",
        )
    if attempt_status == AttemptStatus.CANCELED:
        return ShopperView(
            "canceled_payment",
            "You canceled the payment.",
            "Nothing was charged. You can pay again, or go back to the shop: your cart is kept.",
            can_pay_again=True,
        )
    if attempt_status == AttemptStatus.EXPIRED:
        return ShopperView(
            "expired_payment",
            "The payment expired before it was completed.",
            "Nothing was charged. You can pay again, or go back to the shop: your cart is kept.",
            can_pay_again=True,
        )
    return ShopperView(
        "failed",
        "Your payment did not succeed.",
        "Nothing was charged. You can pay again, or go back to the shop: your cart is kept.",
        can_pay_again=True,
    )
