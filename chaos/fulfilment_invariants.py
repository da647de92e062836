"""After a chaos run: fulfilment agrees with the orders. Every paid order with an address is to
ship or shipped, never both; only those carry the sparse index key, and the index lists exactly
them; shipments add up to the shipped quantities, each unit shipped once."""

from collections import Counter

from chaos import pay_later_invariants
from payments.enums import OrderStatus
from payments.models import Order, Shipment

SHIPPABLE = {OrderStatus.AUTHORIZED, OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED}


def check(findings, orders, mollie_payments=()):
    shipped_units = Counter()
    shipment_counts = Counter()
    for shipment in Shipment.scan(consistent_read=True):
        shipment_counts[shipment.order_id] += 1
        for line in shipment.lines:
            shipped_units[(shipment.order_id, line.slug)] += int(line.quantity)
    indexed = {order.order_id for order in Order.to_ship_index.query(Order.TO_SHIP)}
    for order_id, order in orders.items():
        _check_order(findings, order, indexed, shipped_units, shipment_counts[order_id])
    findings.counts["orders to ship"] = len(indexed)
    findings.counts["orders shipped in full"] = sum(
        1 for order in orders.values() if order.shipment_count and not order.is_to_ship
    )
    findings.counts["shipments"] = sum(shipment_counts.values())
    pay_later_invariants.check(findings, orders, mollie_payments)


def _check_order(findings, order, indexed, shipped_units, shipments):
    to_ship = order.to_ship == Order.TO_SHIP
    all_shipped = all(line.quantity_to_ship == 0 for line in order.lines)
    if order.status in SHIPPABLE and order.shipping_address is not None and to_ship == all_shipped:
        findings.violate(
            "every paid order is to ship or shipped, never both",
            f"{order.order_id}: to ship {to_ship}, all shipped {all_shipped}",
        )
    if to_ship and order.status not in SHIPPABLE:
        findings.violate("only paid orders are to ship", f"{order.order_id} is {order.status} and to ship")
    if to_ship != (order.order_id in indexed):
        findings.violate("the to-ship index lists exactly the orders to ship", order.order_id)
    if int(order.shipment_count or 0) != shipments:
        findings.violate("each shipment stored once", f"{order.order_id}: {order.shipment_count} vs {shipments}")
    for line in order.lines:
        if int(line.shipped_quantity or 0) != shipped_units[(order.order_id, line.slug)]:
            findings.violate("shipments add up to what was shipped", f"{order.order_id} {line.slug}")
        if line.quantity_to_ship < 0:
            findings.violate("nothing shipped twice", f"{order.order_id} {line.slug}")
