"""Capturing an authorized payment (pay later, docs/pay-later.md) when its parcel ships: each
shipment captures exactly what it ships, once.

- The amount: the shipped lines at their prices, and the shipping cost with the first shipment.
- Never twice: each capture carries the shipment's key in its metadata and as its idempotency key.
  Before capturing, and again when an answer is lost, the payment's captures are listed: a capture
  with the key that did not fail is the shipment's capture. Retrying after a lost answer with the
  same idempotency key gets Mollie's first answer, not a second capture.
- A failed capture is returned as such (the caller flags it for staff); capturing that shipment
  again makes a new capture under a new idempotency key, since the old key would replay the failure.
"""

from payments import mollie
from payments.models import Order, Shipment

FAILED = "failed"


def capture_key(shipment: Shipment) -> str:
    return f"{shipment.order_id}-shipment-{int(shipment.shipment_no)}"


def shipment_capture_cents(order: Order, shipment: Shipment) -> int:
    """What `shipment` of `order` captures: its lines at their prices, plus shipping on the first."""
    prices = {line.slug: int(line.unit_price_cents) for line in order.lines}
    cents = sum(prices[line.slug] * int(line.quantity) for line in shipment.lines)
    if int(shipment.shipment_no) == 1:
        cents += int(order.shipping_cents or 0)
    return cents


def capture_shipment(*, payment_id: str, order: Order, shipment: Shipment) -> mollie.MollieCapture:
    """The shipment's capture: the one made before, or a new one. Raises PaymentProviderUnavailable
    when Mollie cannot be reached and no capture for the shipment is known; PaymentRejected when
    Mollie refuses it (beyond what is left, the authorization lapsed)."""
    key = capture_key(shipment)
    tries = _captures_with(payment_id, key)
    made = _not_failed(tries)
    if made is not None:
        return made
    try:
        return mollie.create_capture(
            payment_id=payment_id,
            amount_cents=shipment_capture_cents(order, shipment),
            currency=order.currency,
            description=f"Order {order.order_id}, shipment {int(shipment.shipment_no)}",
            idempotency_key=f"{key}#{len(tries)}",
            capture_key=key,
        )
    except mollie.PaymentProviderUnavailable:
        # The answer may be lost while the capture was made: look before anyone tries again.
        made = _not_failed(_captures_with(payment_id, key))
        if made is not None:
            return made
        raise


def _captures_with(payment_id: str, key: str) -> list[mollie.MollieCapture]:
    return [capture for capture in mollie.list_captures(payment_id) if capture.capture_key == key]


def _not_failed(captures: list[mollie.MollieCapture]) -> mollie.MollieCapture | None:
    return next((capture for capture in captures if capture.status != FAILED), None)
