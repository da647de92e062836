"""In-memory payments and refunds, with Mollie's status rules.

One re-entrant lock guards all state; callers get deep copies so that they
can render a response while other threads keep changing the originals.
Status changes that Mollie would announce call ``notify(payment_id,
webhook_url, event)``; the webhook dispatcher decides what to send.
"""

import copy
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from . import methods
from .errors import ApiError, not_found, unprocessable
from .formats import format_value, new_id

PAYMENT_STATUSES = ("open", "pending", "authorized", "paid", "canceled", "expired", "failed")
# Mollie calls the webhook when a payment reaches one of these, never for open/pending.
WEBHOOK_STATUSES = frozenset({"paid", "authorized", "failed", "canceled", "expired"})
# Payments that can no longer change by themselves; pruned first.
FINISHED_STATUSES = frozenset({"paid", "canceled", "expired", "failed"})
STATUS_TIMESTAMPS = {
    "authorized": "authorizedAt",
    "paid": "paidAt",
    "canceled": "canceledAt",
    "expired": "expiredAt",
    "failed": "failedAt",
}
# An end state replaces the other end states' timestamps; authorizedAt stays as history.
_END_TIMESTAMPS = ("paidAt", "canceledAt", "expiredAt", "failedAt")

# Mollie calls the payment's webhook when a refund reaches one of these; not when it is created
# nor when it is canceled (docs.mollie.com, "Webhooks").
REFUND_WEBHOOK_STATUSES = frozenset({"processing", "refunded", "failed"})
REFUND_STATUSES = ("queued", "pending", "processing", "refunded", "failed", "canceled")
REFUND_CANCELABLE = frozenset({"queued", "pending"})
REFUND_IN_PROGRESS = frozenset({"queued", "pending", "processing"})
# Refunds in these statuses give the money back to amountRemaining.
REFUND_VOID = frozenset({"failed", "canceled"})
# "You can refund up to €25.00 more than the original amount" (docs.mollie.com, refunds guide),
# e.g. for return shipping. Only EUR is documented.
REFUND_ALLOWANCE = {"EUR": Decimal("25.00")}
# "Duplicate Refunds (same amount as another Refund on the same Payment within the hour) are now
# blocked by the API" (docs.mollie.com changelog, 2020-03-12); Mollie answers 409 "A duplicate
# refund has been detected." (mollie/magento2#456, mollie/mollie-api-node#256).
DUPLICATE_REFUND_WINDOW = 3600.0

# Only bank transfer and direct debit payments can be canceled while open (Mollie staff in
# mollie/api-documentation#675 and mollie/mollie-api-php#307): for the rest isCancelable is false.
CANCELABLE_METHODS = frozenset({"banktransfer", "directdebit"})
# How long an open payment lives, in minutes, per method (docs.mollie.com, "Payment status
# changes"); None is "no method chosen yet". The sandbox's expiry_seconds is the 15 minutes of
# iDEAL, and the others scale with it, so a test can shorten them all at once.
EXPIRY_MINUTES = {
    None: 15,
    "ideal": 15,
    "creditcard": 30,
    "bancontact": 60,
    "paypal": 72 * 60,
    "banktransfer": 12 * 24 * 60,
    "directdebit": 12 * 24 * 60,
}

# Statuses in which Mollie knows who paid and fills the method's details (card details also when
# the card was refused: the shopper did enter it).
_DETAILS_STATUSES = frozenset({"paid", "authorized"})

# A chargeback's reason: Mollie gives {"code", "description"} (docs.mollie.com, "Get payment
# chargeback"); SEPA return codes for bank payments, the scheme's codes for cards.
CHARGEBACK_REASONS = {
    "AC01": "Account identifier incorrect (i.e. invalid IBAN)",
    "AC04": "Account closed",
    "AM04": "Insufficient funds",
    "MD06": "Refund request by end customer",
    "MS02": "Refusal by the debtor",
    "4837": "No cardholder authorisation (fraud)",
    "4853": "Cardholder dispute: goods or services not as described",
}

# Payment attributes settable on create/update, by their API name.
_ATTRIBUTES = {
    "description": "description",
    "redirectUrl": "redirect_url",
    "cancelUrl": "cancel_url",
    "webhookUrl": "webhook_url",
    "metadata": "metadata",
    "method": "method",
    "locale": "locale",
    "dueDate": "due_date",
    "lines": "lines",
    "billingAddress": "billing_address",
    "shippingAddress": "shipping_address",
}

Notify = Callable[[str, "str | None", str], None]


@dataclass
class Refund:
    id: str
    payment_id: str
    value: Decimal
    currency: str
    description: str
    metadata: Any
    created_at: float
    mode: str = "test"  # the payment's: a refund is made with the key that made its payment
    status: str = "pending"
    settle_at: float | None = None  # when a pending refund becomes refunded by itself


@dataclass
class Chargeback:
    id: str
    payment_id: str
    value: Decimal
    currency: str
    reason: dict | None
    created_at: float
    reversed_at: float | None = None


@dataclass
class Payment:
    id: str
    mode: str
    profile_id: str
    created_at: float
    expires_at: float
    value: Decimal
    currency: str
    description: str
    redirect_url: str
    cancel_url: str | None = None
    webhook_url: str | None = None
    metadata: Any = None
    method: Any = None
    locale: str | None = None
    status: str = "open"
    timestamps: dict[str, float] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)  # in creation order
    # None: Mollie's rule by method (CANCELABLE_METHODS); the control API may force it either way.
    cancel_allowed: bool | None = None
    due_date: str | None = None  # bank transfer: the last day to pay (YYYY-MM-DD)
    details: dict | None = None
    chargebacks: dict[str, Chargeback] = field(default_factory=dict)  # in creation order
    # As sent at creation (mollie_sandbox.lines checked them) and returned on GET, as Mollie does.
    lines: list | None = None
    billing_address: dict | None = None
    shipping_address: dict | None = None

    @property
    def chosen_method(self) -> str | None:
        """The one method the payment is bound to, or None while the shopper may still choose."""
        return self.method if isinstance(self.method, str) else None

    @property
    def is_cancelable(self) -> bool:
        if self.status != "open":
            return False
        if self.cancel_allowed is not None:
            return self.cancel_allowed
        return self.chosen_method in CANCELABLE_METHODS

    @property
    def is_paid(self) -> bool:
        return "paidAt" in self.timestamps

    @property
    def amount_refunded(self) -> Decimal:
        # Only refunds Mollie has processed; a pending one shows in amountRemaining only
        # (docs.mollie.com payment object; mollie/Shopware6#89).
        return sum((r.value for r in self.refunds.values() if r.status == "refunded"), Decimal("0.00"))

    @property
    def amount_committed(self) -> Decimal:
        """Refunded or on its way: every refund not failed or canceled."""
        return sum((r.value for r in self.refunds.values() if r.status not in REFUND_VOID), Decimal("0.00"))

    @property
    def amount_charged_back(self) -> Decimal:
        """Money the shopper's bank took back: every chargeback not reversed."""
        return sum((c.value for c in self.chargebacks.values() if c.reversed_at is None), Decimal("0.00"))

    @property
    def amount_remaining(self) -> Decimal:
        # Lowered as soon as a refund is created; money charged back cannot be refunded too.
        return max(self.value - self.amount_committed - self.amount_charged_back, Decimal("0.00"))

    def expiry_time(self, expiry_seconds: float) -> float:
        if self.chosen_method == "banktransfer" and self.due_date:
            # The shopper may pay all through the due date (a date, not a scaled lifetime).
            last_day = datetime.combine(date.fromisoformat(self.due_date), datetime.min.time(), UTC)
            return (last_day + timedelta(days=1)).timestamp()
        minutes = EXPIRY_MINUTES.get(self.chosen_method, EXPIRY_MINUTES[None])
        return self.created_at + expiry_seconds * minutes / EXPIRY_MINUTES[None]

    def offered_methods(self) -> list[methods.Method]:
        """The methods the hosted checkout offers: those allowed at creation that fit the amount."""
        allowed = [self.method] if isinstance(self.method, str) else self.method
        return methods.fitting(self.value, self.currency, allowed)


def page(items: list, from_id: str | None, limit: int) -> tuple[list, str | None, str | None]:
    """Cut one page out of ``items`` (already newest first), Mollie-style.

    Returns copies of the page's items (never the store's own) and the ``from`` ids of the previous
    and next pages.
    """
    start = 0
    if from_id:
        ids = [item.id for item in items]
        if from_id not in ids:
            raise ApiError(400, f"The 'from' parameter refers to an unknown id: {from_id}", "from")
        start = ids.index(from_id)
    chunk = items[start : start + limit]
    next_from = items[start + limit].id if start + limit < len(items) else None
    previous_from = items[max(0, start - limit)].id if start > 0 else None
    return copy.deepcopy(chunk), previous_from, next_from


class Store:
    def __init__(
        self,
        notify: Notify,
        expiry_seconds: float = 900,
        refund_settle_seconds: float = 2.0,
        max_payments: int = 10_000,
        clock: Callable[[], float] = time.time,
    ):
        self._notify_hook = notify
        self.expiry_seconds = expiry_seconds
        self.refund_settle_seconds = refund_settle_seconds
        self.max_payments = max_payments
        self._wall_clock = clock
        self._clock_offset = 0.0  # moved by the control API to let days pass
        self._lock = threading.RLock()
        self._payments: OrderedDict[str, Payment] = OrderedDict()  # oldest first
        self._refund_owner: dict[str, str] = {}  # refund id -> payment id
        self._chargeback_owner: dict[str, str] = {}  # chargeback id -> payment id

    def _clock(self) -> float:
        return self._wall_clock() + self._clock_offset

    def now(self) -> float:
        return self._clock()

    def today(self) -> date:
        return datetime.fromtimestamp(self._clock(), UTC).date()

    def advance_clock(self, seconds: float) -> float:
        """Control API: let time pass (e.g. the 12 days of a bank transfer), then apply it."""
        with self._lock:
            self._clock_offset += seconds
            self.tick()
            return self._clock()

    # -- payments ---------------------------------------------------------

    def create_payment(self, fields: dict, mode: str, profile_id: str) -> Payment:
        with self._lock:
            now = self._clock()
            payment = Payment(
                id=self._unique_id("tr_"),
                mode=mode,
                profile_id=profile_id,
                created_at=now,
                expires_at=now + self.expiry_seconds,
                value=fields["value"],
                currency=fields["currency"],
                description=fields["description"],
                redirect_url=fields["redirectUrl"],
            )
            self._assign(payment, fields)
            self._method_chosen(payment)
            self._payments[payment.id] = payment
            self._prune()
            return copy.deepcopy(payment)

    def get_payment(self, payment_id: str) -> Payment:
        with self._lock:
            return copy.deepcopy(self._live_payment(payment_id))

    def list_payments(self, from_id: str | None, limit: int):
        with self._lock:
            self.tick()
            newest_first = list(reversed(self._payments.values()))
            return page(newest_first, from_id, limit)

    def all_payments(self) -> list[Payment]:
        with self._lock:
            self.tick()
            return copy.deepcopy(list(self._payments.values()))

    def update_payment(self, payment_id: str, changes: dict) -> Payment:
        with self._lock:
            payment = self._live_payment(payment_id)
            if "method" in changes:
                methods.check_fits(changes["method"], payment.value, payment.currency)
            self._assign(payment, changes)
            if "method" in changes and payment.status == "open":
                self._method_chosen(payment)
            return copy.deepcopy(payment)

    def choose_method(self, payment_id: str, method: str) -> Payment:
        """The shopper picks a method in the hosted checkout (bank transfer: stays open for days)."""
        with self._lock:
            payment = self._open_payment(payment_id)
            if method not in {offered.id for offered in payment.offered_methods()}:
                raise unprocessable(f"The payment method {method!r} is not available for this payment", "method")
            payment.method = method
            self._method_chosen(payment)
            return copy.deepcopy(payment)

    def cancel_payment(self, payment_id: str) -> Payment:
        with self._lock:
            payment = self._live_payment(payment_id)
            if not payment.is_cancelable:
                # Mollie's own words (BEHAVIOUR.md; mollie/mollie-api-node#477).
                raise unprocessable("The payment cannot be cancelled")
            self._set_status(payment, "canceled")
            return copy.deepcopy(payment)

    def set_payment_status(
        self, payment_id: str, status: str, require_open: bool = False, method: str | None = None
    ) -> Payment:
        """Move a payment to a status: the checkout page (``require_open``) and control API.

        ``method``: the control API may say which method the shopper used, as the checkout does.
        """
        if status not in PAYMENT_STATUSES:
            raise unprocessable(f"Unknown payment status '{status}'", "status")
        with self._lock:
            payment = self._open_payment(payment_id) if require_open else self._live_payment(payment_id)
            if method is not None and method != payment.chosen_method:
                if method not in methods.METHODS:
                    raise unprocessable(f"The payment method {method!r} is invalid or not enabled", "method")
                methods.check_fits(method, payment.value, payment.currency)
                payment.method = method
                self._method_chosen(payment)
            self._set_status(payment, status)
            return copy.deepcopy(payment)

    def set_cancel_allowed(self, payment_id: str, allowed: bool) -> Payment:
        """Control API: whether an open payment may be canceled (``isCancelable``)."""
        with self._lock:
            payment = self._live_payment(payment_id)
            payment.cancel_allowed = allowed
            return copy.deepcopy(payment)

    # -- refunds ----------------------------------------------------------

    def create_refund(self, payment_id: str, fields: dict) -> Refund:
        with self._lock:
            payment = self._live_payment(payment_id)
            if payment.status != "paid":
                raise unprocessable(f"The payment cannot be refunded: its status is {payment.status}")
            if payment.amount_charged_back >= payment.value:
                # The shopper's bank already gave all of it back.
                raise unprocessable("The payment cannot be refunded: it has been charged back", "amount")
            if fields["currency"] != payment.currency:
                raise unprocessable(
                    f"The refund must be in the payment's currency ({payment.currency})", "amount.currency"
                )
            allowance = REFUND_ALLOWANCE.get(payment.currency, Decimal("0.00"))
            if fields["value"] > payment.value + allowance - payment.amount_committed - payment.amount_charged_back:
                raise unprocessable(
                    "The amount requested to refund is higher than the amount remaining "
                    f"({format_value(payment.amount_remaining)} {payment.currency})",
                    "amount",
                )
            now = self._clock()
            if any(
                r.value == fields["value"]
                and r.status not in REFUND_VOID
                and now - r.created_at < DUPLICATE_REFUND_WINDOW
                for r in payment.refunds.values()
            ):
                raise ApiError(409, "A duplicate refund has been detected.")
            refund = Refund(
                id=self._unique_id("re_"),
                payment_id=payment.id,
                value=fields["value"],
                currency=fields["currency"],
                description=fields["description"],
                metadata=fields["metadata"],
                created_at=now,
                mode=payment.mode,
                settle_at=now + self.refund_settle_seconds,
            )
            payment.refunds[refund.id] = refund
            self._refund_owner[refund.id] = payment.id
            return copy.deepcopy(refund)

    def get_refund(self, payment_id: str, refund_id: str) -> Refund:
        with self._lock:
            return copy.deepcopy(self._live_refund(payment_id, refund_id))

    def list_refunds(self, payment_id: str, from_id: str | None, limit: int):
        with self._lock:
            payment = self._live_payment(payment_id)
            newest_first = list(reversed(payment.refunds.values()))
            return page(newest_first, from_id, limit)

    def cancel_refund(self, payment_id: str, refund_id: str) -> None:
        with self._lock:
            refund = self._live_refund(payment_id, refund_id)
            if refund.status not in REFUND_CANCELABLE:
                raise unprocessable(f"The refund cannot be canceled: its status is {refund.status}")
            self._set_refund_status(refund, "canceled")

    def set_refund_status(self, refund_id: str, status: str) -> Refund:
        """Control API: any refund status; stops the automatic settling."""
        if status not in REFUND_STATUSES:
            raise unprocessable(f"Unknown refund status '{status}'", "status")
        with self._lock:
            payment_id = self._refund_owner.get(refund_id)
            if payment_id is None:
                raise not_found("refund", refund_id)
            refund = self._live_refund(payment_id, refund_id)
            self._set_refund_status(refund, status)
            return copy.deepcopy(refund)

    # -- chargebacks ------------------------------------------------------

    def create_chargeback(
        self, payment_id: str, value: Decimal | None, currency: str | None, reason: dict | None
    ) -> Chargeback:
        """Control API: the shopper's bank takes money back from a paid payment."""
        with self._lock:
            payment = self._live_payment(payment_id)
            if payment.status != "paid":
                raise unprocessable(f"Only a paid payment can be charged back: its status is {payment.status}")
            if currency is not None and currency != payment.currency:
                raise unprocessable(
                    f"The chargeback must be in the payment's currency ({payment.currency})", "amount.currency"
                )
            left = payment.value - payment.amount_charged_back
            value = left if value is None else value
            if value <= 0 or value > left:
                raise unprocessable(
                    f"The chargeback amount must be more than zero and at most {format_value(left, payment.currency)} "
                    f"{payment.currency}, what has not been charged back yet",
                    "amount",
                )
            chargeback = Chargeback(
                id=self._unique_id("chb_"),
                payment_id=payment.id,
                value=value,
                currency=payment.currency,
                reason=reason,
                created_at=self._clock(),
            )
            payment.chargebacks[chargeback.id] = chargeback
            self._chargeback_owner[chargeback.id] = payment.id
            # "for chargebacks, when one is received or reversed" (docs.mollie.com, "Webhooks").
            self._notify(payment, "chargeback.received")
            return copy.deepcopy(chargeback)

    def reverse_chargeback(self, chargeback_id: str) -> Chargeback:
        """Control API: the merchant won the dispute; the money comes back."""
        with self._lock:
            payment_id = self._chargeback_owner.get(chargeback_id)
            if payment_id is None:
                raise not_found("chargeback", chargeback_id)
            payment = self._live_payment(payment_id)
            chargeback = payment.chargebacks[chargeback_id]
            if chargeback.reversed_at is not None:
                raise unprocessable("The chargeback has already been reversed")
            chargeback.reversed_at = self._clock()
            self._notify(payment, "chargeback.reversed")
            return copy.deepcopy(chargeback)

    def get_chargeback(self, payment_id: str, chargeback_id: str) -> Chargeback:
        with self._lock:
            chargeback = self._live_payment(payment_id).chargebacks.get(chargeback_id)
            if chargeback is None:
                raise not_found("chargeback", chargeback_id)
            return copy.deepcopy(chargeback)

    def list_chargebacks(self, payment_id: str, from_id: str | None, limit: int):
        with self._lock:
            payment = self._live_payment(payment_id)
            newest_first = list(reversed(payment.chargebacks.values()))
            return page(newest_first, from_id, limit)

    def list_all_chargebacks(self, from_id: str | None, limit: int):
        """Every chargeback of every payment, newest first (Mollie's ``GET /v2/chargebacks``)."""
        with self._lock:
            self.tick()
            every = [c for p in self._payments.values() for c in p.chargebacks.values()]
            newest_first = sorted(every, key=lambda c: c.created_at, reverse=True)
            return page(newest_first, from_id, limit)

    # -- housekeeping -----------------------------------------------------

    def tick(self) -> None:
        """Apply time: expire open payments and settle refunds that are due.

        Called on reads (so the answer is never stale) and by the background
        sweep (so webhooks go out even if nobody reads).
        """
        with self._lock:
            now = self._clock()
            for payment in self._payments.values():
                self._apply_time(payment, now)

    def reset(self) -> None:
        with self._lock:
            self._payments.clear()
            self._refund_owner.clear()
            self._chargeback_owner.clear()
            self._clock_offset = 0.0

    # -- internals (call with the lock held) ---------------------------------

    def _unique_id(self, prefix: str) -> str:
        while True:
            candidate = new_id(prefix)
            if (
                candidate not in self._payments
                and candidate not in self._refund_owner
                and candidate not in self._chargeback_owner
            ):
                return candidate

    def _live_payment(self, payment_id: str) -> Payment:
        payment = self._payments.get(payment_id)
        if payment is None:
            raise not_found("payment", payment_id)
        self._apply_time(payment, self._clock())
        return payment

    def _open_payment(self, payment_id: str) -> Payment:
        """A payment the shopper may still act on at the checkout page."""
        payment = self._live_payment(payment_id)
        if payment.status != "open":
            raise unprocessable(f"The payment is no longer open: its status is {payment.status}")
        return payment

    def _live_refund(self, payment_id: str, refund_id: str) -> Refund:
        refund = self._live_payment(payment_id).refunds.get(refund_id)
        if refund is None:
            raise not_found("refund", refund_id)
        return refund

    def _apply_time(self, payment: Payment, now: float) -> None:
        if payment.status == "open" and now >= payment.expires_at:
            self._set_status(payment, "expired")
        for refund in payment.refunds.values():
            if refund.settle_at is not None and now >= refund.settle_at and refund.status in REFUND_IN_PROGRESS:
                self._set_refund_status(refund, "refunded")

    @staticmethod
    def _assign(payment: Payment, fields: dict) -> None:
        for api_name, attribute in _ATTRIBUTES.items():
            if api_name in fields:
                setattr(payment, attribute, fields[api_name])

    def _method_chosen(self, payment: Payment) -> None:
        """A method is set (at creation, by PATCH or in the checkout): its expiry and, for a bank
        transfer, the instructions the shopper needs at once (docs.mollie.com, "Bank transfer")."""
        payment.expires_at = payment.expiry_time(self.expiry_seconds)
        if payment.chosen_method == "banktransfer" and not payment.details:
            payment.details = methods.transfer_instructions("".join(secrets.choice("0123456789") for _ in range(12)))
        elif payment.chosen_method != "banktransfer":
            payment.details = None

    def _set_status(self, payment: Payment, status: str) -> None:
        if payment.status == status:
            return
        now = self._clock()
        payment.status = status
        if payment.chosen_method and (
            status in _DETAILS_STATUSES or (status == "failed" and payment.chosen_method == "creditcard")
        ):
            payment.details = methods.details_when_used(payment.chosen_method, payment.details)
        for name in _END_TIMESTAMPS:
            payment.timestamps.pop(name, None)
        if status == "open":
            # Re-opening (control API only) gives the payment a fresh lifetime.
            lifetime = payment.expiry_time(self.expiry_seconds) - payment.created_at
            payment.expires_at = (
                payment.expiry_time(self.expiry_seconds)
                if payment.due_date and payment.chosen_method == "banktransfer"
                else now + lifetime
            )
        if status in STATUS_TIMESTAMPS:
            payment.timestamps[STATUS_TIMESTAMPS[status]] = now
        if status in WEBHOOK_STATUSES:
            self._notify(payment, f"payment.{status}")

    def _set_refund_status(self, refund: Refund, status: str) -> None:
        refund.settle_at = None
        if refund.status == status:
            return
        refund.status = status
        if status in REFUND_WEBHOOK_STATUSES:
            self._notify(self._payments[refund.payment_id], f"refund.{status}")

    def _notify(self, payment: Payment, event: str) -> None:
        # Called with the lock held so that events are queued in state order;
        # the dispatcher only queues, it never sends from this thread.
        self._notify_hook(payment.id, payment.webhook_url, event)

    def _prune(self) -> None:
        excess = len(self._payments) - self.max_payments
        if excess <= 0:
            return
        # Oldest finished payments go first; if there are not enough of those,
        # the oldest of the rest, so that memory stays bounded regardless.
        finished = [p.id for p in self._payments.values() if p.status in FINISHED_STATUSES]
        victims = finished[:excess]
        if len(victims) < excess:
            chosen = set(victims)
            others = [pid for pid in self._payments if pid not in chosen]
            victims += others[: excess - len(victims)]
        for payment_id in victims:
            pruned = self._payments.pop(payment_id)
            for refund_id in pruned.refunds:
                self._refund_owner.pop(refund_id, None)
            for chargeback_id in pruned.chargebacks:
                self._chargeback_owner.pop(chargeback_id, None)
