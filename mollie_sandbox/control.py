"""The control API under ``/_sandbox/`` (not part of Mollie).

It lets tests and demos steer the sandbox: settle a payment or refund,
read every payment and every webhook delivery, switch faults on and off,
and reset everything.  No authentication; JSON answers.
"""

from werkzeug.wrappers import Request

from . import hal
from .errors import ApiError
from .faults import FaultError


def _status_field(body: dict) -> str:
    status = body.get("status")
    if not isinstance(status, str) or not status:
        raise ApiError(422, "The status field is required", "status")
    return status


def health(sandbox, request: Request, base: str):
    return 200, {"status": "ok"}


def list_payments(sandbox, request: Request, base: str):
    return 200, [hal.payment_json(p, base, embed_refunds=True) for p in sandbox.store.all_payments()]


def get_payment(sandbox, request: Request, base: str, payment_id: str):
    return 200, hal.payment_json(sandbox.store.get_payment(payment_id), base, embed_refunds=True)


def set_payment_status(sandbox, request: Request, base: str, payment_id: str):
    status = _status_field(sandbox.parse_body(request))
    payment = sandbox.store.set_payment_status(payment_id, status)
    return 200, hal.payment_json(payment, base, embed_refunds=True)


def set_payment_cancelable(sandbox, request: Request, base: str, payment_id: str):
    value = sandbox.parse_body(request).get("cancelable")
    if value not in ("true", "false", True, False):
        raise ApiError(422, "The cancelable field must be true or false", "cancelable")
    payment = sandbox.store.set_cancel_allowed(payment_id, value in ("true", True))
    return 200, hal.payment_json(payment, base, embed_refunds=True)


def set_refund_status(sandbox, request: Request, base: str, refund_id: str):
    status = _status_field(sandbox.parse_body(request))
    return 200, hal.refund_json(sandbox.store.set_refund_status(refund_id, status), base)


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
        raise ApiError(422, str(error), error.field)


def clear_faults(sandbox, request: Request, base: str):
    return 200, sandbox.faults.clear()


def forget_idempotency_keys(sandbox, request: Request, base: str):
    """Forget every Idempotency-Key now, as Mollie does after one hour."""
    sandbox.idempotency.clear()
    return 200, {"status": "forgotten"}


def reset(sandbox, request: Request, base: str):
    sandbox.reset()
    return 200, {"status": "reset"}
