"""The Mollie adapter's plain values: what payments/mollie.py gives its callers, and its errors.

Kept apart from the adapter so that it stays one module under the size limit; nothing here imports
`mollie`, and callers keep importing these names from `payments.mollie`.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime


class PaymentProviderError(Exception):
    pass


class PaymentProviderUnavailable(PaymentProviderError):
    """Mollie could not be reached, timed out or had an error of its own: retry later."""


class PaymentRequestInProgress(PaymentProviderUnavailable):
    """Mollie is still processing an earlier request with the same Idempotency-Key (409)."""


class PaymentRejected(PaymentProviderError):
    """Mollie understood the request and refused it (validation, not allowed in this state)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


class DuplicateRefund(PaymentRejected):
    """Mollie refuses a refund of the same amount as another on the payment within the hour."""


class PaymentNotFound(PaymentProviderError):
    pass


@dataclass(frozen=True)
class MolliePayment:
    id: str
    status: str
    amount_cents: int
    currency: str
    amount_refunded_cents: int
    amount_remaining_cents: int | None
    checkout_url: str | None
    is_cancelable: bool
    method: str | None
    metadata: dict = field(default_factory=dict)
    # Mollie's `details` of the method, only the fields we show (see DETAIL_FIELDS).
    details: dict = field(default_factory=dict)
    expires_at: datetime | None = None
    amount_charged_back_cents: int = 0
    has_chargebacks: bool = False  # `_links.chargebacks`: once any, even if all were reversed
    # Filled by the caller with list_chargebacks() when the payment has any; None: not read.
    chargebacks: tuple | None = None
    # captureMode manual: while `authorized`, the last moment to capture; what is captured so far.
    capture_before: datetime | None = None
    amount_captured_cents: int = 0
    authorized_at: datetime | None = None  # captureMode manual: when it was authorized


@dataclass(frozen=True)
class MollieChargeback:
    id: str
    payment_id: str
    amount_cents: int
    currency: str
    reason_code: str
    reason: str
    created_at: datetime
    reversed_at: datetime | None


@dataclass(frozen=True)
class MollieMethod:
    id: str
    description: str
    image_url: str
    image_2x_url: str


# The method details the shop shows (to the shopper on the thank-you page, to staff), in Mollie's
# names: card, iDEAL/Bancontact/PayPal payer, and a bank transfer's instructions.
DETAIL_FIELDS: tuple[str, ...] = ("cardHolder", "cardNumber", "cardLabel", "cardCountryCode", "consumerName")
DETAIL_FIELDS += ("consumerAccount", "consumerBic", "bankName", "bankAccount", "bankBic", "transferReference")
METHOD_ID_PATTERN = re.compile(r"^[a-z0-9]{1,40}$")


@dataclass(frozen=True)
class MollieRefund:
    id: str
    payment_id: str
    status: str
    amount_cents: int
    currency: str
    refund_key: str | None = None  # ours, sent as metadata, to recognise a refund we asked for


@dataclass(frozen=True)
class MollieCapture:
    """A capture of an authorized payment (Captures API): pending, then succeeded or failed."""

    id: str
    payment_id: str
    status: str
    amount_cents: int
    currency: str
    capture_key: str | None = None  # ours, sent as metadata: the shipment it is for
