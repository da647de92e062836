"""Authorizations and captures: ``captureMode: manual`` payments, as Mollie runs them.

Sources: Mollie's OpenAPI description (github.com/mollie/openapi, specs.yaml: create-capture,
list-captures, get-capture, release-authorization, the payment's captureBefore and amountCaptured);
docs.mollie.com, "Place a hold for a payment"; /work/shared/reference/mollie/BEHAVIOUR.md.
- A manual-capture payment becomes `authorized` (authorizedAt) with a read-only `captureBefore`;
  "From this date onwards we can no longer guarantee a successful capture" (captureBefore). The
  sandbox lets the authorization lapse then: `expired` when nothing was captured, else `paid`.
- A capture is for the full remaining amount when no amount is given, or part of it; it goes
  `pending`, then `succeeded` or `failed` (capture-status). The payment gains `amountCaptured`
  and is `paid` once all of it is captured.
- Release "releases the full remaining authorized amount": `canceled` without captures, `paid`
  with one (release-authorization); 202 without a body; 422 when the payment is not authorized.
"""

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import not_found, unprocessable
from .formats import format_value

CAPTURE_STATUSES = ("pending", "succeeded", "failed")
# Mollie's typical hold: 28 days for pay-later methods (docs.mollie.com, "Place a hold"); a
# sandbox option (--capture-days) so tests and the local stack may shorten it.
DEFAULT_CAPTURE_DAYS = 28.0
DAY = 86400.0


@dataclass
class Capture:
    id: str
    payment_id: str
    value: Decimal
    currency: str
    description: str
    metadata: Any
    created_at: float
    mode: str = "test"
    status: str = "pending"
    settle_at: float | None = None
    fails: bool = False  # the capture_failure_rate fault decided at creation


def amount_captured(payment) -> Decimal:
    return sum((c.value for c in payment.captures.values() if c.status == "succeeded"), Decimal("0.00"))


def amount_held(payment) -> Decimal:
    """Captured or being captured: what a new capture cannot take again."""
    return sum((c.value for c in payment.captures.values() if c.status != "failed"), Decimal("0.00"))


class CaptureStore:
    """Mixed into the Store: uses its lock, clock, ids, payments and status changes."""

    capture_seconds: float = DEFAULT_CAPTURE_DAYS * DAY
    if TYPE_CHECKING:  # the Store's, which this is mixed into
        _lock: Any
        _clock: Any
        _live_payment: Any
        _unique_id: Any
        _capture_owner: Any
        _set_status: Any
        _notify: Any
    capture_settle_seconds: float = 2.0

    def create_capture(self, payment_id: str, fields: dict, fails: bool = False) -> Capture:
        with self._lock:
            payment = self._live_payment(payment_id)
            if payment.status != "authorized":
                raise unprocessable(f"The payment cannot be captured: its status is {payment.status}")
            left = payment.value - amount_held(payment)
            value = left if fields["value"] is None else fields["value"]
            if fields["currency"] is not None and fields["currency"] != payment.currency:
                raise unprocessable(
                    f"The capture must be in the payment's currency ({payment.currency})", "amount.currency"
                )
            if value <= 0 or value > left:
                raise unprocessable(
                    "The capture amount is higher than the amount that can still be captured "
                    f"({format_value(left, payment.currency)} {payment.currency})",
                    "amount",
                )
            now = self._clock()
            capture = Capture(
                id=self._unique_id("cpt_"),
                payment_id=payment.id,
                value=value,
                currency=payment.currency,
                description=fields["description"],
                metadata=fields["metadata"],
                created_at=now,
                mode=payment.mode,
                settle_at=now + self.capture_settle_seconds,
                fails=fails,
            )
            payment.captures[capture.id] = capture
            self._capture_owner[capture.id] = payment.id
            return copy.deepcopy(capture)

    def get_capture(self, payment_id: str, capture_id: str) -> Capture:
        with self._lock:
            capture = self._live_payment(payment_id).captures.get(capture_id)
            if capture is None:
                raise not_found("capture", capture_id)
            return copy.deepcopy(capture)

    def list_captures(self, payment_id: str, from_id: str | None, limit: int):
        from .store import page

        with self._lock:
            newest_first = list(reversed(self._live_payment(payment_id).captures.values()))
            return page(newest_first, from_id, limit)

    def release_authorization(self, payment_id: str) -> None:
        with self._lock:
            payment = self._live_payment(payment_id)
            if payment.status != "authorized":
                raise unprocessable(f"The payment cannot be released: its status is {payment.status}")
            self._set_status(payment, "paid" if amount_held(payment) > 0 else "canceled")

    def set_capture_status(self, capture_id: str, status: str) -> Capture:
        """Control API: settle a pending capture now, as succeeded or failed."""
        if status not in CAPTURE_STATUSES:
            raise unprocessable(f"Unknown capture status '{status}'", "status")
        with self._lock:
            payment_id = self._capture_owner.get(capture_id)
            if payment_id is None:
                raise not_found("capture", capture_id)
            payment = self._live_payment(payment_id)
            capture = payment.captures[capture_id]
            self._settle_capture(payment, capture, status)
            return copy.deepcopy(capture)

    # -- internals (lock held) -------------------------------------------------

    def _authorized(self, payment, now: float) -> None:
        payment.capture_before = now + self.capture_seconds

    def _apply_capture_time(self, payment, now: float) -> None:
        for capture in payment.captures.values():
            if capture.settle_at is not None and now >= capture.settle_at:
                self._settle_capture(payment, capture, "failed" if capture.fails else "succeeded")
        if payment.status == "authorized" and payment.capture_before is not None and now >= payment.capture_before:
            # The hold lapsed: what was captured stays, the rest is gone.
            self._set_status(payment, "paid" if amount_captured(payment) > 0 else "expired")

    def _settle_capture(self, payment, capture: Capture, status: str) -> None:
        capture.settle_at = None
        if capture.status == status:
            return
        capture.status = status
        if status == "pending":
            return
        self._notify(payment, f"capture.{status}")
        if payment.status == "authorized" and amount_captured(payment) >= payment.value:
            self._set_status(payment, "paid")
