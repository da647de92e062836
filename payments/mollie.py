"""The one adapter around mollie-api-python. Nothing else imports `mollie`.

Callers get plain dataclasses with amounts in cents and three errors:
`PaymentProviderUnavailable` (try again later), `PaymentRejected` (Mollie said no) and
`PaymentNotFound`. Money becomes Mollie's "10.00" strings only here.
"""

import logging
import re
import threading
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from config import metrics
from payments.mollie_types import (
    DETAIL_FIELDS,
    METHOD_ID_PATTERN,
    DuplicateRefund,
    MollieCapture,
    MollieChargeback,
    MollieMethod,
    MolliePayment,
    MollieRefund,
    PaymentNotFound,
    PaymentProviderError,
    PaymentProviderUnavailable,
    PaymentRejected,
    PaymentRequestInProgress,
)
from shop.money import decimal_amount

# mollie-api-python (and requests, oauthlib) loads on first use: a cold start serving a shop page skips it (~90 ms).

log = logging.getLogger(__name__)

PAYMENT_ID_PATTERN = re.compile(r"^tr_[A-Za-z0-9]{1,64}$")
_local = threading.local()


def is_payment_id(value: object) -> bool:
    return isinstance(value, str) and bool(PAYMENT_ID_PATTERN.match(value))


def to_mollie_amount(cents: int, currency: str) -> dict:
    return {"currency": currency, "value": decimal_amount(cents)}


def from_mollie_amount(amount: object) -> tuple[int, str]:
    """Mollie's {"currency", "value": "10.00"} to (1000, "EUR"); raises ValueError on nonsense."""
    if not isinstance(amount, dict):
        raise ValueError(f"not an amount: {amount!r}")
    try:
        value = Decimal(str(amount["value"]))
        currency = str(amount["currency"])
    except (KeyError, InvalidOperation) as error:
        raise ValueError(f"not an amount: {amount!r}") from error
    cents = value * 100
    if cents != cents.to_integral_value() or len(currency) != 3:
        raise ValueError(f"not an amount: {amount!r}")
    return int(cents), currency


def create_payment(
    *, amount_cents, currency, description, redirect_url, webhook_url, metadata, idempotency_key, **optional
):
    """`optional`: method (chosen at our checkout, or a list to choose from; none: every method is
    offered), due_date (a bank transfer's last day, "YYYY-MM-DD"; Mollie's default: 12 days),
    order_fields (locale, lines and addresses: payments.mollie_payload) and capture_manually (authorize
    now, capture when the parcel ships: captureMode manual)."""
    if set(optional) - {"method", "due_date", "order_fields", "capture_manually"}:  # a misspelt option is a bug
        raise TypeError(f"create_payment() got unexpected arguments {sorted(optional)}")
    payload = {
        **(optional.get("order_fields") or {}),
        "amount": to_mollie_amount(amount_cents, currency),
        "description": description,
        "redirectUrl": redirect_url,
        "metadata": metadata,
        **{name: optional[key] for key, name in (("method", "method"), ("due_date", "dueDate")) if optional.get(key)},
    }
    if webhook_url:  # optional at Mollie; an unreachable one is refused
        payload["webhookUrl"] = webhook_url
    if optional.get("capture_manually"):
        payload["captureMode"] = "manual"
    with _translated_errors("create payment"):
        return _payment(_client().payments.create(payload, idempotency_key=idempotency_key))


def get_payment(payment_id):
    with _translated_errors("get payment"):
        return _payment(_client().payments.get(payment_id))


def update_payment_method(payment_id, method):
    """Mollie lets an open payment's method change (Update payment): a shopper back from Mollie's
    page who chose another method continues the same payment with it."""
    with _translated_errors("update payment"):
        return _payment(_client().payments.update(payment_id, {"method": method}))


def cancel_payment(payment_id, *, idempotency_key=""):
    with _translated_errors("cancel payment"):
        return _payment(_client().payments.delete(payment_id, idempotency_key=idempotency_key))


def create_refund(*, payment_id, amount_cents, currency, description, idempotency_key, refund_key=None):
    payload = {"amount": to_mollie_amount(amount_cents, currency), "description": description}
    if refund_key:
        payload["metadata"] = {"refund_key": refund_key}
    with _translated_errors("create refund"):
        return _refund(_payment_refunds(payment_id).create(payload, idempotency_key=idempotency_key))


def list_refunds(payment_id):
    with _translated_errors("list refunds"):
        return [_refund(item) for item in _payment_refunds(payment_id).list(limit=250)]


def list_chargebacks(payment_id):
    with _translated_errors("list chargebacks"):
        return [_chargeback(item) for item in _payment_chargebacks(payment_id).list(limit=250)]


def recent_chargebacks(*, since: datetime, max_pages: int = 4) -> list[MollieChargeback]:
    """The account's chargebacks, newest first, back to `since` (reconciliation looks for those a
    missed webhook did not report). Bounded: at most `max_pages` pages of 250."""
    found: list[MollieChargeback] = []
    with _translated_errors("list chargebacks"):
        page = _client().chargebacks.list(limit=250)
        for _ in range(max_pages):
            for item in page:
                chargeback = _chargeback(item)
                if chargeback.created_at < since:
                    return found
                found.append(chargeback)
            if not page.has_next():
                break
            page = page.get_next()
    return found


def create_capture(*, payment_id, amount_cents, currency, description, idempotency_key, capture_key):
    """Captures part or all of an authorized payment. `capture_key` (ours, in metadata) names the
    shipment, so that after a lost answer list_captures() tells whether it was made."""
    payload = {
        "amount": to_mollie_amount(amount_cents, currency),
        "description": description,
        "metadata": {"capture_key": capture_key},
    }
    with _translated_errors("create capture"):
        return _capture(_payment_captures(payment_id).create(payload, idempotency_key=idempotency_key))


def list_captures(payment_id):
    with _translated_errors("list captures"):
        return [_capture(item) for item in _payment_captures(payment_id).list(limit=250)]


def release_authorization(payment_id, *, idempotency_key=""):
    """Releases what is not captured: the payment becomes canceled (nothing captured) or paid."""
    from mollie.api.error import ResponseHandlingError

    with _translated_errors("release authorization"):
        try:
            _client().payments.release_authorization(payment_id, idempotency_key=idempotency_key)
        except ResponseHandlingError as error:
            # Mollie answers 202 without a body (specs.yaml, release-authorization), which
            # mollie-api-python 4.0.0 cannot decode: that one error means "accepted".
            if "(status code: 202)" not in str(error):
                raise


def list_methods(*, amount_cents, currency, read_timeout_seconds=None, billing_country=None, locale=None):
    """The methods Mollie offers for this amount (its `minimumAmount`/`maximumAmount` and currencies
    per method). No issuers: since iDEAL 2.0 the bank is chosen on iDEAL's own page.
    `read_timeout_seconds` shortens the wait where a page view is waiting for the answer. `locale`
    (one of payments.locales.MOLLIE_LOCALES) names the methods in the shopper's language: "translate
    the payment method names in the corresponding language" (specs.yaml, /v2/methods `locale`)."""
    with _translated_errors("list methods"):
        client = _client()
        if read_timeout_seconds is not None:
            connect, read = client.timeout
            client.set_timeout((connect, min(read, read_timeout_seconds)))
        query = {"amount": to_mollie_amount(amount_cents, currency)}
        if billing_country:  # pay-later methods are listed only for a country they serve
            query["billingCountry"] = billing_country
        if locale:
            query["locale"] = locale
        found = client.methods.list(**query)
        return [method for method in (_method(item) for item in found) if method is not None]


class _translated_errors:
    """Maps mollie-api-python's errors (and malformed answers) to ours."""

    def __init__(self, operation):
        self.operation = operation

    def __enter__(self):
        self.started = metrics.clock()
        return self

    def __exit__(self, error_type, error, traceback):
        metrics.mollie_call_finished(self.started, error)
        if error is None or isinstance(error, PaymentProviderError):
            return False
        from mollie.api.error import (
            ConflictError,
            NotFoundError,
            RequestError,
            RequestSetupError,
            ResponseError,
            ResponseHandlingError,
        )
        from mollie.api.error import (
            Error as MollieError,
        )

        if isinstance(error, NotFoundError):
            raise PaymentNotFound(str(error)) from error
        if isinstance(error, ConflictError):
            if "duplicate refund" in str(error).lower():
                # Same amount as another refund of this payment within the hour (Mollie changelog
                # 2020-03-12): a refusal to show, not a request still in progress.
                raise DuplicateRefund(str(error)) from error
            raise PaymentRequestInProgress(f"Mollie is still processing this {self.operation}") from error
        if isinstance(error, ResponseError):
            status = error.status or 0
            if status == 429 or status >= 500:
                raise PaymentProviderUnavailable(f"Mollie answered {status} to {self.operation}") from error
            raise PaymentRejected(str(error), field=error.field) from error
        if isinstance(error, RequestSetupError):
            raise PaymentRejected(str(error)) from error
        if isinstance(error, (RequestError, ResponseHandlingError)):
            raise PaymentProviderUnavailable(f"Mollie unreachable for {self.operation}: {error}") from error
        if isinstance(error, (MollieError, ValueError, KeyError, TypeError)):
            # An answer we cannot make sense of is treated like no answer: retry later.
            log.warning("Unusable Mollie answer to %s: %s", self.operation, error)
            raise PaymentProviderUnavailable(f"Unusable Mollie answer to {self.operation}") from error
        return False


def _client():
    # One client per thread: requests.Session is not guaranteed thread-safe.
    key = (settings.MOLLIE_API_ENDPOINT, settings.MOLLIE_API_KEY)
    if getattr(_local, "key", None) != key:
        from mollie.api.client import Client

        # One retry, of connection errors only (mollie-api-python never retries a read).
        client = Client(api_endpoint=settings.MOLLIE_API_ENDPOINT, retry=1)
        if settings.MOLLIE_API_KEY:
            client.set_api_key(settings.MOLLIE_API_KEY)
        _local.client, _local.key = client, key
    _local.client.set_timeout(_timeout_within_deadline())
    return _local.client


def _timeout_within_deadline():
    """(connect, read) timeouts cut so that the call, and the write that stores its answer,
    end before the request's deadline; no call at all when there is no time for it."""
    from config import deadline

    left = deadline.remaining() - deadline.write_seconds()
    connect = settings.MOLLIE_CONNECT_TIMEOUT_SECONDS
    # The one connection retry may cost a second connect timeout.
    read = min(settings.MOLLIE_TIMEOUT_SECONDS, left - 2 * connect)
    if read < 1:
        raise PaymentProviderUnavailable("No time left in this request to wait for Mollie")
    return (connect, read)


def _payment_refunds(payment_id):
    from mollie.api.objects.payment import Payment as MolliePaymentObject
    from mollie.api.resources.refunds import PaymentRefunds

    client = _client()
    return PaymentRefunds(client, MolliePaymentObject({"id": payment_id}, client))


def _payment_captures(payment_id):
    from mollie.api.objects.payment import Payment as MolliePaymentObject
    from mollie.api.resources.captures import PaymentCaptures

    client = _client()
    return PaymentCaptures(client, MolliePaymentObject({"id": payment_id}, client))


def _payment_chargebacks(payment_id):
    from mollie.api.objects.payment import Payment as MolliePaymentObject
    from mollie.api.resources.chargebacks import PaymentChargebacks

    client = _client()
    return PaymentChargebacks(client, MolliePaymentObject({"id": payment_id}, client))


def _payment(payment: Any) -> MolliePayment:
    amount_cents, currency = from_mollie_amount(payment.amount)
    refunded = payment.amount_refunded
    remaining = payment.amount_remaining
    charged_back = payment.amount_chargedback
    metadata = payment.metadata if isinstance(payment.metadata, dict) else {}
    if not is_payment_id(payment.id) or not isinstance(payment.status, str):
        raise ValueError(f"payment without a usable id or status: {payment.id!r}")
    return MolliePayment(
        id=payment.id,
        status=payment.status,
        amount_cents=amount_cents,
        currency=currency,
        amount_refunded_cents=from_mollie_amount(refunded)[0] if refunded else 0,
        amount_remaining_cents=from_mollie_amount(remaining)[0] if remaining else None,
        checkout_url=payment.checkout_url,
        is_cancelable=bool(payment.is_cancelable),
        method=payment.method if isinstance(payment.method, str) else None,
        metadata=metadata,
        details=_details(payment.details),
        expires_at=_time(payment.expires_at) if payment.expires_at else None,
        amount_charged_back_cents=from_mollie_amount(charged_back)[0] if charged_back else 0,
        has_chargebacks=bool(payment.has_chargebacks()),
        capture_before=_time(payment.capture_before) if payment.capture_before else None,
        amount_captured_cents=from_mollie_amount(payment.amount_captured)[0] if payment.amount_captured else 0,
        authorized_at=_time(payment.authorized_at) if payment.authorized_at else None,
    )


def _details(details: object) -> dict:
    if not isinstance(details, dict):
        return {}
    return {name: str(details[name])[:100] for name in DETAIL_FIELDS if isinstance(details.get(name), (str, int))}


def _time(value: object) -> datetime:
    """Mollie's ISO 8601 times ("2018-03-20T09:13:37+00:00"); raises ValueError on nonsense."""
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"a time without its offset: {value!r}")
    return moment


def _chargeback(chargeback: Any) -> MollieChargeback:
    amount_cents, currency = from_mollie_amount(chargeback.amount)
    reason = chargeback.reason if isinstance(chargeback.reason, dict) else {}
    if not isinstance(chargeback.id, str) or not chargeback.id.startswith("chb_"):
        raise ValueError(f"chargeback without a usable id: {chargeback.id!r}")
    return MollieChargeback(
        id=chargeback.id,
        payment_id=str(chargeback.payment_id),
        amount_cents=amount_cents,
        currency=currency,
        reason_code=str(reason.get("code") or "")[:20],
        reason=str(reason.get("description") or "")[:200],
        created_at=_time(chargeback.created_at),
        reversed_at=_time(chargeback.reversed_at) if chargeback.reversed_at else None,
    )


def _method(method: Any) -> MollieMethod | None:
    if not isinstance(method.id, str) or not METHOD_ID_PATTERN.match(method.id):
        return None  # nothing we could send back as `method`
    images = method.get("image") if isinstance(method.get("image"), dict) else {}
    return MollieMethod(
        id=method.id,
        description=str(method.description or method.id)[:60],
        image_url=str(images.get("size1x") or ""),
        image_2x_url=str(images.get("size2x") or ""),
    )


def _capture(capture: Any) -> MollieCapture:
    amount_cents, currency = from_mollie_amount(capture.amount)
    metadata = capture.get("metadata") if isinstance(capture.get("metadata"), dict) else {}
    if not isinstance(capture.id, str) or not capture.id.startswith("cpt_"):
        raise ValueError(f"capture without a usable id: {capture.id!r}")
    return MollieCapture(
        id=capture.id,
        payment_id=str(capture.payment_id),
        status=str(capture.get("status") or "pending"),
        amount_cents=amount_cents,
        currency=currency,
        capture_key=str(metadata["capture_key"]) if metadata.get("capture_key") else None,
    )


def _refund(refund: Any) -> MollieRefund:
    amount_cents, currency = from_mollie_amount(refund.amount)
    metadata = refund.metadata if isinstance(refund.metadata, dict) else {}
    return MollieRefund(
        id=refund.id,
        payment_id=refund.payment_id,
        status=refund.status,
        amount_cents=amount_cents,
        currency=currency,
        refund_key=str(metadata["refund_key"]) if metadata.get("refund_key") else None,
    )
