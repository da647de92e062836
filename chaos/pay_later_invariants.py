"""After a chaos run: pay later agrees with Mollie (docs/pay-later.md). Every capture belongs to a
shipment of its order; no shipment is captured twice; nothing is captured beyond the
authorization; no authorization lapsed unwarned; a closed authorized order gave its stock back."""

from collections import Counter
from decimal import Decimal

from notifications.models import AlertReason
from payments.enums import OrderStatus
from payments.models import Shipment
from payments.services.capturing import capture_key


def check(findings, orders, mollie_payments):
    keys = {capture_key(shipment): shipment for shipment in Shipment.scan(consistent_read=True)}
    captured_payments = 0
    for payment in mollie_payments:
        captures = (payment.get("_embedded") or {}).get("captures") or []
        if payment.get("captureMode") != "manual" or not captures:
            continue
        captured_payments += 1
        _check_captures(findings, payment, captures, keys)
    for order in orders.values():
        lapsed = AlertReason.AUTHORIZATION_LAPSED.value in (order.alerted_reasons or [])
        if lapsed and AlertReason.CAPTURE_DEADLINE.value not in (order.alerted_reasons or []):
            findings.violate("no authorization lapses unwarned", order.order_id)
        if order.status in OrderStatus.CLOSED_UNPAID and order.paid_attempt_no and not order.stock_released:
            findings.violate("a released or lapsed authorization gives the stock back", order.order_id)
    findings.counts["pay-later payments captured"] = captured_payments
    findings.counts["pay-later orders authorized"] = sum(
        1 for order in orders.values() if order.status == OrderStatus.AUTHORIZED
    )


def _check_captures(findings, payment, captures, keys):
    per_key = Counter()
    held = Decimal("0.00")
    for capture in captures:
        key = (capture.get("metadata") or {}).get("capture_key")
        shipment = keys.get(key)
        if shipment is None or (payment.get("metadata") or {}).get("order_id") != shipment.order_id:
            findings.violate("every capture belongs to a shipment", f"{payment['id']} {capture['id']} ({key})")
        if capture["status"] != "failed":
            per_key[key] += 1
            held += Decimal(capture["amount"]["value"])
    for key, count in per_key.items():
        if count > 1:
            findings.violate("nothing captured twice", f"{payment['id']}: {count} captures for {key}")
    if held > Decimal(payment["amount"]["value"]):
        findings.violate("nothing captured beyond the authorization", f"{payment['id']}: {held}")
