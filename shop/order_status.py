"""What the shopper's order page says: a presenter over the order's own status and its latest
attempt. No reads, no writes."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from payments.enums import AttemptStatus, OrderStatus, PaymentMethod


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
    return _closed_order_view(order) or _payment_view(order)


def _closed_order_view(order) -> ShopperView | None:
    """The order's own status, when it says it all (paid, refunded, expired or canceled)."""
    if order.status == OrderStatus.AUTHORIZED:
        return ShopperView(
            "authorized",
            _("Ordered — you pay later via %(method)s.")
            % {"method": PaymentMethod.label_of(order.latest_method) or _("your chosen method")},
            _("We have your order and will send it soon. You pay when it ships, as agreed with your payment provider."),
        )
    if order.status == OrderStatus.PAID:
        return ShopperView(
            "paid", _("Thank you! Your payment was received."), _("We have your order and will send it soon.")
        )
    if order.status in (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
        refunded = (
            _("It has been fully refunded.")
            if order.status == OrderStatus.REFUNDED
            else _("It has been partly refunded.")
        )
        return ShopperView("paid", _("Your order was paid."), refunded)
    if order.status == OrderStatus.EXPIRED:
        return ShopperView(
            "expired",
            _("This order has expired."),
            _("No payment was completed in time, and nothing was charged. Your cart is kept, so you can order again."),
        )
    if order.status == OrderStatus.CANCELED:
        return ShopperView("canceled", _("This order was canceled."), _("Nothing was charged."))
    return None


def _payment_view(order) -> ShopperView:
    """An order waiting for payment: what its latest attempt says while it is under way."""
    attempt_status = order.latest_attempt_status
    if attempt_status == AttemptStatus.OPEN and order.latest_method == PaymentMethod.BANK_TRANSFER:
        # Open for days: nothing to poll for; the instructions below are what the shopper needs.
        return ShopperView(
            "awaiting_transfer",
            _("Please transfer the amount to complete your order."),
            _(
                "We keep your order until %(day)s. Use the details below; your order is "
                "confirmed as soon as the money arrives, usually within one or two working days."
            )
            % {"day": _day(order.expires_at)},
        )
    if attempt_status == AttemptStatus.OPEN:
        # The common return: a payment that failed or was canceled inside Mollie's checkout stays
        # open (the shopper is sent back to choose a method), or the shopper came back unfinished.
        return ShopperView(
            "open",
            _("Your payment is not complete yet."),
            _(
                "Nothing has been charged. If a payment did not go through, continue to the payment "
                "page and try again or choose another method. This page updates by itself."
            ),
            keep_polling=True,
            can_continue_payment=bool(order.latest_checkout_url),
        )
    if attempt_status == AttemptStatus.PAID:
        # Paid at Mollie but not accepted yet (e.g. the amount differs): staff are looking at it.
        return ShopperView(
            "checking",
            _("We received a payment and are checking it."),
            _("Please do not pay again; we will contact you if anything is needed."),
        )
    if attempt_status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
        return ShopperView(
            "pending",
            _("Your payment is being processed."),
            _(
                "This can take a little while. This page updates by itself; you may also close it "
                "and come back to this address later."
            ),
            keep_polling=True,
        )
    if attempt_status == AttemptStatus.CREATED:
        return ShopperView(
            "not_started",
            _("Your payment has not started yet."),
            _("We could not reach our payment provider. Your order is saved and nothing was charged."),
            can_pay_again=True,
        )
    return _payment_ended(attempt_status)


def _payment_ended(attempt_status) -> ShopperView:
    """The latest attempt ended without the money: whether paying again can help."""
    if attempt_status == AttemptStatus.REJECTED:
        # Mollie refused the payment itself: the same request would be refused again.
        return ShopperView(
            "rejected",
            _("Our payment provider could not accept this payment."),
            _(
                "Nothing was charged. Paying again would not help: please contact us, or change your cart and order again."
            ),
        )
    if attempt_status == AttemptStatus.CANCELED:
        return ShopperView(
            "canceled_payment",
            _("You canceled the payment."),
            _("Nothing was charged. You can pay again, or go back to the shop: your cart is kept."),
            can_pay_again=True,
        )
    if attempt_status == AttemptStatus.EXPIRED:
        return ShopperView(
            "expired_payment",
            _("The payment expired before it was completed."),
            _("Nothing was charged. You can pay again, or go back to the shop: your cart is kept."),
            can_pay_again=True,
        )
    return ShopperView(
        "failed",
        _("Your payment did not succeed."),
        _("Nothing was charged. You can pay again, or go back to the shop: your cart is kept."),
        can_pay_again=True,
    )


# The bank of an iDEAL payer, from the first four letters of the BIC Mollie reports (iDEAL 2.0:
# the bank is chosen on iDEAL's page, so this is the one place the shop learns it).
_BANKS_BY_BIC = {
    "ABNA": "ABN AMRO",
    "ASNB": "ASN Bank",
    "BUNQ": "bunq",
    "INGB": "ING",
    "KNAB": "Knab",
    "RABO": "Rabobank",
    "RBRB": "RegioBank",
    "REVO": "Revolut",
    "SNSB": "SNS",
    "TRIO": "Triodos Bank",
}


@dataclass(frozen=True)
class TransferInstructions:
    bank_name: str
    account: str
    bic: str
    reference: str
    amount_cents: int
    currency: str
    pay_before: datetime


def paid_with(order, attempt) -> str:
    """ "Paid with iDEAL (ING)", "Paid by card ending 4242": from the paid attempt's method details."""
    if attempt is None or not order.is_paid or attempt.attempt_no != order.paid_attempt_no or not attempt.method:
        return ""
    details = attempt.method_details
    if attempt.method == PaymentMethod.CREDIT_CARD and details is not None and details.cardNumber:
        label = f" ({details.cardLabel})" if details.cardLabel else ""
        return _("Paid by card ending %(digits)s") % {"digits": details.cardNumber[-4:]} + label
    bank = _BANKS_BY_BIC.get((details.consumerBic or "")[:4].upper()) if details is not None else None
    if attempt.method == PaymentMethod.IDEAL and bank:
        return _("Paid with iDEAL (%(bank)s)") % {"bank": bank}
    return _("Paid with %(method)s") % {"method": PaymentMethod.label_of(attempt.method)}


def transfer_instructions(order, attempt) -> TransferInstructions | None:
    """What the shopper needs to pay an open bank transfer (Mollie's details of the payment)."""
    if (
        attempt is None
        or attempt.method != PaymentMethod.BANK_TRANSFER
        or attempt.status != AttemptStatus.OPEN
        or not order.is_open_for_payment
    ):
        return None
    details = attempt.method_details
    if details is None or not details.bankAccount or not details.transferReference:
        return None
    return TransferInstructions(
        bank_name=details.bankName or "",
        account=details.bankAccount,
        bic=details.bankBic or "",
        reference=details.transferReference,
        amount_cents=int(attempt.amount_cents),
        currency=attempt.currency,
        pay_before=attempt.mollie_expires_at or order.expires_at,
    )


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")
