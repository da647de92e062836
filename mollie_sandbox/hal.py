"""JSON (HAL) representations of payments, refunds, lists and methods.

Shapes follow the real bodies in Mollie's client test-suite: ``_links`` with
``href``/``type``, amounts as ``{"currency", "value"}``, timestamps in ISO
8601 with offset.  Links are built on ``base`` (the URL the client called),
because the client only follows ``_links.next`` when it starts with its own
API endpoint.
"""

from urllib.parse import urlencode

from . import methods
from .captures import Capture
from .checkout_words import method_names_for
from .formats import amount_json, iso
from .store import Chargeback, Payment, Refund

HAL = "application/hal+json"
DOCS = "https://docs.mollie.com/reference/v2"


def link(href: str, type_: str = HAL) -> dict:
    return {"href": href, "type": type_}


def payment_json(payment: Payment, base: str, embed_refunds: bool = False, embed_chargebacks: bool = False) -> dict:
    body = {
        "resource": "payment",
        "id": payment.id,
        "mode": payment.mode,
        "createdAt": iso(payment.created_at),
        "amount": amount_json(payment.value, payment.currency),
        "description": payment.description,
        # A list of methods means "the customer chooses": Mollie answers null then.
        "method": payment.method if isinstance(payment.method, str) else None,
        "metadata": payment.metadata,
        "status": payment.status,
        "isCancelable": payment.is_cancelable,
    }
    # Mollie omits expiresAt once a payment can no longer expire (here: once not open).
    if payment.status == "open":
        body["expiresAt"] = iso(payment.expires_at)
    for name, moment in payment.timestamps.items():
        body[name] = iso(moment)
    if payment.capture_mode == "manual":
        body["captureMode"] = "manual"
        # "omitted if the payment is not authorized (yet)" (specs.yaml, captureBefore).
        if payment.status == "authorized" and payment.capture_before is not None:
            body["captureBefore"] = iso(payment.capture_before)
        if payment.captures:
            body["amountCaptured"] = amount_json(payment.amount_captured, payment.currency)
    if payment.is_paid or payment.amount_captured > 0:
        body["amountRefunded"] = amount_json(payment.amount_refunded, payment.currency)
        body["amountRemaining"] = amount_json(payment.amount_remaining, payment.currency)
    if payment.amount_charged_back > 0:
        # Mollie gives the total charged back only while it is not zero (docs.mollie.com, payment
        # object: amountChargedBack); a reversed chargeback no longer counts.
        body["amountChargedBack"] = amount_json(payment.amount_charged_back, payment.currency)
    if payment.details:
        body["details"] = payment.details
    if payment.locale:
        body["locale"] = payment.locale
    for name, value in (
        ("lines", payment.lines),
        ("billingAddress", payment.billing_address),
        ("shippingAddress", payment.shipping_address),
    ):
        if value is not None:
            body[name] = value
    body["profileId"] = payment.profile_id
    body["sequenceType"] = "oneoff"
    body["redirectUrl"] = payment.redirect_url
    if payment.cancel_url:
        body["cancelUrl"] = payment.cancel_url
    if payment.webhook_url:
        body["webhookUrl"] = payment.webhook_url

    links = {"self": link(f"{base}/v2/payments/{payment.id}")}
    if payment.status == "open":
        links["checkout"] = link(f"{base}/checkout/{payment.id}", "text/html")
    links["dashboard"] = link(f"{base}/_sandbox/payments/{payment.id}", "application/json")
    if payment.refunds:
        links["refunds"] = link(f"{base}/v2/payments/{payment.id}/refunds")
    if payment.captures:
        links["captures"] = link(f"{base}/v2/payments/{payment.id}/captures")
    if payment.chargebacks:
        links["chargebacks"] = link(f"{base}/v2/payments/{payment.id}/chargebacks")
    links["documentation"] = link(f"{DOCS}/payments-api/get-payment", "text/html")
    body["_links"] = links
    embedded = {}
    if embed_refunds:
        embedded["refunds"] = [refund_json(r, base) for r in payment.refunds.values()]
    if embed_chargebacks:
        embedded["chargebacks"] = [chargeback_json(c, base) for c in payment.chargebacks.values()]
    if embedded:
        body["_embedded"] = embedded
    return body


def chargeback_json(chargeback: Chargeback, base: str) -> dict:
    """Shaped like Mollie's "Get payment chargeback" answer; settlementAmount is what the merchant
    loses, negative, here in the payment's own currency."""
    payment_url = f"{base}/v2/payments/{chargeback.payment_id}"
    return {
        "resource": "chargeback",
        "id": chargeback.id,
        "amount": amount_json(chargeback.value, chargeback.currency),
        "settlementAmount": amount_json(-chargeback.value, chargeback.currency),
        "createdAt": iso(chargeback.created_at),
        "reason": chargeback.reason,
        "reversedAt": iso(chargeback.reversed_at),
        "paymentId": chargeback.payment_id,
        "_links": {
            "self": link(f"{payment_url}/chargebacks/{chargeback.id}"),
            "payment": link(payment_url),
            "documentation": link(f"{DOCS}/chargebacks-api/get-payment-chargeback", "text/html"),
        },
    }


def capture_json(capture: Capture, base: str) -> dict:
    """Shaped like specs.yaml's capture-response (create-capture, get-capture)."""
    payment_url = f"{base}/v2/payments/{capture.payment_id}"
    return {
        "resource": "capture",
        "id": capture.id,
        "mode": capture.mode,
        "description": capture.description,
        "amount": amount_json(capture.value, capture.currency),
        "status": capture.status,
        "metadata": capture.metadata,
        "paymentId": capture.payment_id,
        "createdAt": iso(capture.created_at),
        "_links": {
            "self": link(f"{payment_url}/captures/{capture.id}"),
            "payment": link(payment_url),
            "documentation": link(f"{DOCS}/captures-api/get-capture", "text/html"),
        },
    }


def refund_json(refund: Refund, base: str) -> dict:
    payment_url = f"{base}/v2/payments/{refund.payment_id}"
    return {
        "resource": "refund",
        "id": refund.id,
        # Required by Mollie's description (specs.yaml, components.schemas.entity-refund).
        "mode": refund.mode,
        "amount": amount_json(refund.value, refund.currency),
        "status": refund.status,
        "createdAt": iso(refund.created_at),
        "description": refund.description,
        "metadata": refund.metadata,
        "paymentId": refund.payment_id,
        "_links": {
            "self": link(f"{payment_url}/refunds/{refund.id}"),
            "payment": link(payment_url),
            "documentation": link(f"{DOCS}/refunds-api/get-refund", "text/html"),
        },
    }


def list_json(name: str, items: list[dict], url: str, limit: int, previous_from, next_from, doc: str) -> dict:
    """A paged list: ``count``, ``_embedded.<name>`` and ``_links.previous/next``."""

    def page_link(from_id):
        if from_id is None:
            return None
        return link(f"{url}?{urlencode({'from': from_id, 'limit': limit})}")

    return {
        "count": len(items),
        "_embedded": {name: items},
        "_links": {
            "self": link(f"{url}?{urlencode({'limit': limit})}"),
            "previous": page_link(previous_from),
            "next": page_link(next_from),
            "documentation": link(doc, "text/html"),
        },
    }


def method_json(method: methods.Method, currency: str, base: str, locale: str | None = None) -> dict:
    return {
        "resource": "method",
        "id": method.id,
        "description": method_names_for(locale)(method.description),  # in the `locale` asked for
        # The limits in the currency asked for; the sandbox uses the same figures in every currency.
        "minimumAmount": methods.amount_limit_json(method.minimum, currency),
        "maximumAmount": methods.amount_limit_json(method.maximum, currency),
        "image": methods.image_links(method.id, base),
        "status": "activated",
        "_links": {
            "self": link(f"{base}/v2/methods/{method.id}"),
            "documentation": link(f"{DOCS}/methods-api/get-method", "text/html"),
        },
    }


def methods_json(offered: list[methods.Method], currency: str, base: str, locale: str | None = None) -> dict:
    items = [method_json(method, currency, base, locale) for method in offered]
    return {
        "count": len(items),
        "_embedded": {"methods": items},
        "_links": {
            "self": link(f"{base}/v2/methods"),
            "documentation": link(f"{DOCS}/methods-api/list-methods", "text/html"),
        },
    }
