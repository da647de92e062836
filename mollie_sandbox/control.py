"""The control API under ``/_sandbox/`` (not part of Mollie).

It lets tests and demos steer the sandbox: settle a payment or refund,
read every payment and every webhook delivery, switch faults on and off,
and reset everything.  No authentication; JSON answers.
"""

from decimal import Decimal

from werkzeug.wrappers import Request

from . import hal, validation
from .errors import ApiError
from .faults import FaultError
from .formats import iso
from .store import CHARGEBACK_REASONS

# One step of the clock: enough for any due date (at most 101 days away), small enough for dates.
MAX_CLOCK_STEP_SECONDS = 366 * 24 * 3600


def _status_field(body: dict) -> str:
    status = body.get("status")
    if not isinstance(status, str) or not status:
        raise ApiError(422, "The status field is required", "status")
    return status


def health(sandbox, request: Request, base: str):
    return 200, {"status": "ok"}


def _full_payment(payment, base: str) -> dict:
    body = hal.payment_json(payment, base, embed_refunds=True, embed_chargebacks=True)
    if payment.captures:  # the control view (chaos invariants): every capture, as Mollie lists them
        captures = [hal.capture_json(capture, base) for capture in payment.captures.values()]
        body.setdefault("_embedded", {})["captures"] = captures
    return body


def list_payments(sandbox, request: Request, base: str):
    return 200, [_full_payment(p, base) for p in sandbox.store.all_payments()]


def get_payment(sandbox, request: Request, base: str, payment_id: str):
    return 200, _full_payment(sandbox.store.get_payment(payment_id), base)


def set_payment_status(sandbox, request: Request, base: str, payment_id: str):
    body = sandbox.parse_body(request)
    status = _status_field(body)
    method = body.get("method") or None
    if method is not None and not isinstance(method, str):
        raise ApiError(422, "The method field must be a method id", "method")
    payment = sandbox.store.set_payment_status(payment_id, status, method=method)
    return 200, _full_payment(payment, base)


def _chargeback_reason(raw) -> dict | None:
    """``"MD06"`` (a known code gets its description), or ``{"code", "description"}``, or nothing."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        return {"code": raw, "description": CHARGEBACK_REASONS.get(raw, raw)}
    if isinstance(raw, dict) and isinstance(raw.get("code"), str) and isinstance(raw.get("description"), str):
        return {"code": raw["code"], "description": raw["description"]}
    raise ApiError(422, "The reason must be a code or an object with code and description", "reason")


def create_chargeback(sandbox, request: Request, base: str, payment_id: str):
    body = sandbox.parse_body(request)
    value = currency = None
    if body.get("amount") not in (None, ""):
        value, currency = validation.parse_amount(body["amount"])
    chargeback = sandbox.store.create_chargeback(payment_id, value, currency, _chargeback_reason(body.get("reason")))
    return 201, hal.chargeback_json(chargeback, base)


def reverse_chargeback(sandbox, request: Request, base: str, chargeback_id: str):
    return 200, hal.chargeback_json(sandbox.store.reverse_chargeback(chargeback_id), base)


def advance_clock(sandbox, request: Request, base: str):
    """Let time pass for the sandbox: ``seconds`` (e.g. 12 days for a bank transfer)."""
    raw = sandbox.parse_body(request).get("seconds")
    try:
        seconds = Decimal(str(raw))
    except ArithmeticError:
        seconds = Decimal(-1)
    if raw is None or not seconds.is_finite() or not 0 <= seconds <= MAX_CLOCK_STEP_SECONDS:
        raise ApiError(422, f"The seconds field must be a number from 0 to {MAX_CLOCK_STEP_SECONDS}", "seconds")
    now = sandbox.store.advance_clock(float(seconds))
    return 200, {"now": iso(now)}


def set_payment_cancelable(sandbox, request: Request, base: str, payment_id: str):
    value = sandbox.parse_body(request).get("cancelable")
    if value not in ("true", "false", True, False):
        raise ApiError(422, "The cancelable field must be true or false", "cancelable")
    payment = sandbox.store.set_cancel_allowed(payment_id, value in ("true", True))
    return 200, hal.payment_json(payment, base, embed_refunds=True)


def set_refund_status(sandbox, request: Request, base: str, refund_id: str):
    status = _status_field(sandbox.parse_body(request))
    return 200, hal.refund_json(sandbox.store.set_refund_status(refund_id, status), base)


def set_capture_status(sandbox, request: Request, base: str, capture_id: str):
    """Settle a pending capture now: {"status": "succeeded"} or {"status": "failed"}."""
    capture = sandbox.store.set_capture_status(capture_id, _status_field(sandbox.parse_body(request)))
    return 200, hal.capture_json(capture, base)


def webhooks(sandbox, request: Request, base: str):
    return 200, sandbox.webhooks.deliveries(request.args.get("paymentId"))


def api_requests(sandbox, request: Request, base: str):
    in_flight = request.args.get("inFlight")
    if in_flight not in (None, "true", "false"):
        raise ApiError(422, "inFlight must be true or false", "inFlight")
    return 200, sandbox.requests.entries(None if in_flight is None else in_flight == "true")


def get_faults(sandbox, request: Request, base: str):
    return 200, sandbox.faults.snapshot()


def set_faults(sandbox, request: Request, base: str):
    body = sandbox.parse_body(request)
    try:
        return 200, sandbox.faults.update(body)
    except FaultError as error:
        raise ApiError(422, str(error), error.field) from None


def clear_faults(sandbox, request: Request, base: str):
    return 200, sandbox.faults.clear()


def forget_idempotency_keys(sandbox, request: Request, base: str):
    """Forget every Idempotency-Key now, as Mollie does after one hour."""
    sandbox.idempotency.clear()
    return 200, {"status": "forgotten"}


def reset(sandbox, request: Request, base: str):
    sandbox.reset()
    return 200, {"status": "reset"}
