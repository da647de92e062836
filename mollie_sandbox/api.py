"""Handlers for Mollie's Payments API v2 (``/v2/...``).

Each handler gets the sandbox and the authenticated :class:`Call` and
returns ``(http_status, body)``; the server turns that into an
``application/hal+json`` response and takes care of authentication, faults
and idempotency around it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.wrappers import Request

from . import hal, methods, validation
from .errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 250


@dataclass
class Call:
    """One authenticated API request."""

    request: Request
    base: str  # e.g. http://127.0.0.1:8765, the origin the client called
    mode: str  # "test" or "live", from the API key
    profile_id: str
    body: Callable[[], dict]  # decodes the JSON or form body (400 when malformed)


def _paging(call: Call) -> tuple[str | None, int]:
    raw_limit = call.request.args.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw_limit)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"The 'limit' parameter must be a number from 1 to {MAX_LIMIT}", "limit")
    return call.request.args.get("from") or None, limit


def _page(call: Call, kind: str, rows, to_json, path: str, doc_path: str):
    """One page of a list endpoint in Mollie's shape: `rows(from_id, limit)` gives the items and
    the previous and next page's first ids."""
    from_id, limit = _paging(call)
    items, previous_from, next_from = rows(from_id, limit)
    documents = [to_json(item, call.base) for item in items]
    url, doc = f"{call.base}{path}", f"{hal.DOCS}/{doc_path}"
    return 200, hal.list_json(kind, documents, url, limit, previous_from, next_from, doc)


def _wants(call: Call, name: str) -> bool:
    return name in call.request.args.get("embed", "").split(",")


def create_payment(sandbox, call: Call):
    fields = validation.payment_create_fields(call.body(), sandbox.store.today(), strict=sandbox.strict)
    payment = sandbox.store.create_payment(fields, call.mode, call.profile_id)
    return 201, hal.payment_json(payment, call.base)


def get_payment(sandbox, call: Call, payment_id: str):
    payment = sandbox.store.get_payment(payment_id)
    return 200, hal.payment_json(
        payment, call.base, embed_refunds=_wants(call, "refunds"), embed_chargebacks=_wants(call, "chargebacks")
    )


def list_payments(sandbox, call: Call):
    return _page(
        call, "payments", sandbox.store.list_payments, hal.payment_json, "/v2/payments", "payments-api/list-payments"
    )


def update_payment(sandbox, call: Call, payment_id: str):
    changes = validation.payment_update_fields(call.body(), strict=sandbox.strict)
    payment = sandbox.store.update_payment(payment_id, changes)
    return 200, hal.payment_json(payment, call.base)


def cancel_payment(sandbox, call: Call, payment_id: str):
    payment = sandbox.store.cancel_payment(payment_id)
    return 200, hal.payment_json(payment, call.base)


def create_refund(sandbox, call: Call, payment_id: str):
    fields = validation.refund_create_fields(call.body())
    refund = sandbox.store.create_refund(payment_id, fields)
    return 201, hal.refund_json(refund, call.base)


def get_refund(sandbox, call: Call, payment_id: str, refund_id: str):
    return 200, hal.refund_json(sandbox.store.get_refund(payment_id, refund_id), call.base)


def list_refunds(sandbox, call: Call, payment_id: str):
    def rows(from_id, limit):
        return sandbox.store.list_refunds(payment_id, from_id, limit)

    return _page(
        call, "refunds", rows, hal.refund_json, f"/v2/payments/{payment_id}/refunds", "refunds-api/list-refunds"
    )


def cancel_refund(sandbox, call: Call, payment_id: str, refund_id: str):
    sandbox.store.cancel_refund(payment_id, refund_id)
    return 204, None


def create_capture(sandbox, call: Call, payment_id: str):
    fields = validation.capture_create_fields(call.body())
    capture = sandbox.store.create_capture(payment_id, fields, fails=sandbox.faults.chance("capture_failure_rate"))
    return 201, hal.capture_json(capture, call.base)


def get_capture(sandbox, call: Call, payment_id: str, capture_id: str):
    return 200, hal.capture_json(sandbox.store.get_capture(payment_id, capture_id), call.base)


def list_captures(sandbox, call: Call, payment_id: str):
    def rows(from_id, limit):
        return sandbox.store.list_captures(payment_id, from_id, limit)

    path = f"/v2/payments/{payment_id}/captures"
    return _page(call, "captures", rows, hal.capture_json, path, "captures-api/list-captures")


def release_authorization(sandbox, call: Call, payment_id: str):
    # "202: The request was accepted and will be processed asynchronously" (specs.yaml); the
    # sandbox carries it out at once.
    sandbox.store.release_authorization(payment_id)
    return 202, None


def list_chargebacks(sandbox, call: Call, payment_id: str):
    def rows(from_id, limit):
        return sandbox.store.list_chargebacks(payment_id, from_id, limit)

    path = f"/v2/payments/{payment_id}/chargebacks"
    return _page(call, "chargebacks", rows, hal.chargeback_json, path, "chargebacks-api/list-payment-chargebacks")


def list_all_chargebacks(sandbox, call: Call):
    rows = sandbox.store.list_all_chargebacks
    return _page(call, "chargebacks", rows, hal.chargeback_json, "/v2/chargebacks", "chargebacks-api/list-chargebacks")


def get_chargeback(sandbox, call: Call, payment_id: str, chargeback_id: str):
    return 200, hal.chargeback_json(sandbox.store.get_chargeback(payment_id, chargeback_id), call.base)


def _methods_query(call: Call):
    """``amount[value]``/``amount[currency]`` as Mollie's Methods API takes them."""
    args = call.request.args
    if "amount[value]" not in args and "amount[currency]" not in args:
        return None, "EUR"  # no amount: the methods for EUR, at any amount
    return validation.parse_amount({"value": args.get("amount[value]"), "currency": args.get("amount[currency]")})


def _methods_locale(call: Call) -> str | None:
    """``locale``: "Passing a locale will [...] translate the payment method names in the
    corresponding language" (specs.yaml, paths./v2/methods.get.parameters, `$ref:
    '#/components/parameters/locale'`, whose schema is the enum components.schemas.locale). A value
    outside that enum gets the 422 a payment's `locale` gets (validation.check_locale)."""
    return validation.check_locale(call.request.args.get("locale"))


def list_methods(sandbox, call: Call):
    locale = _methods_locale(call)
    # "Only payment methods that support the amount and currency are returned" (docs.mollie.com,
    # "List payment methods": amount).
    value, currency = _methods_query(call)
    # "billingCountry": only the methods available in that country (specs.yaml, list-methods).
    country = call.request.args.get("billingCountry") or None
    if country is not None and not (len(country) == 2 and country.isalpha() and country.isupper()):
        raise ApiError(400, "The billingCountry must be an ISO 3166-1 alpha-2 code, like NL", "billingCountry")
    offered = methods.fitting(value, currency, billing_country=country)
    return 200, hal.methods_json(offered, currency, call.base, locale)


def get_method(sandbox, call: Call, method_id: str):
    method = methods.METHODS.get(method_id)
    if method is None:
        raise ApiError(404, f"No method exists with id {method_id}.")
    currency = call.request.args.get("currency", "EUR")
    if currency not in method.currencies:
        raise ApiError(422, f"The method {method.description} does not support the currency {currency}", "currency")
    # The same `locale` as the list (specs.yaml, get-method): the name in that language.
    return 200, hal.method_json(method, currency, call.base, _methods_locale(call))
