"""JSON (HAL) representations of payments, refunds, lists and methods.

Shapes follow the real bodies in Mollie's client test-suite: ``_links`` with
``href``/``type``, amounts as ``{"currency", "value"}``, timestamps in ISO
8601 with offset.  Links are built on ``base`` (the URL the client called),
because the client only follows ``_links.next`` when it starts with its own
API endpoint.
"""

from urllib.parse import urlencode

from .formats import amount_json, iso
from .store import Payment, Refund
from .validation import METHODS

HAL = "application/hal+json"
DOCS = "https://docs.mollie.com/reference/v2"


def link(href: str, type_: str = HAL) -> dict:
    return {"href": href, "type": type_}


def payment_json(payment: Payment, base: str, embed_refunds: bool = False) -> dict:
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
    if payment.is_paid:
        body["amountRefunded"] = amount_json(payment.amount_refunded, payment.currency)
        body["amountRemaining"] = amount_json(payment.amount_remaining, payment.currency)
    if payment.locale:
        body["locale"] = payment.locale
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
    links["documentation"] = link(f"{DOCS}/payments-api/get-payment", "text/html")
    body["_links"] = links
    if embed_refunds:
        refunds = [refund_json(r, base) for r in payment.refunds.values()]
        body["_embedded"] = {"refunds": refunds}
    return body


def refund_json(refund: Refund, base: str) -> dict:
    payment_url = f"{base}/v2/payments/{refund.payment_id}"
    return {
        "resource": "refund",
        "id": refund.id,
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


def method_json(method_id: str, description: str, base: str) -> dict:
    icons = "https://www.mollie.com/external/icons/payment-methods"
    return {
        "resource": "method",
        "id": method_id,
        "description": description,
        "minimumAmount": {"value": "0.01", "currency": "EUR"},
        "maximumAmount": {"value": "50000.00", "currency": "EUR"},
        "image": {
            "size1x": f"{icons}/{method_id}.png",
            "size2x": f"{icons}/{method_id}%402x.png",
            "svg": f"{icons}/{method_id}.svg",
        },
        "status": "activated",
        "_links": {"self": link(f"{base}/v2/methods/{method_id}")},
    }


def methods_json(base: str) -> dict:
    methods = [method_json(method_id, description, base) for method_id, description in METHODS.items()]
    return {
        "count": len(methods),
        "_embedded": {"methods": methods},
        "_links": {
            "self": link(f"{base}/v2/methods"),
            "documentation": link(f"{DOCS}/methods-api/list-methods", "text/html"),
        },
    }


def find_method(method_id: str, base: str) -> dict | None:
    if method_id not in METHODS:
        return None
    return method_json(method_id, METHODS[method_id], base)
