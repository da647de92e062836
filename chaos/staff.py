"""Chaos staff: after the shoppers, staff ship part of what is to ship, some orders in two parcels,
some from two tabs at once (exactly one of the two may ship)."""

import random
import threading

from config.dynamodb import ConcurrentUpdateConflict
from payments.errors import ActionRefused
from payments.services import fulfilment


def ship_some(rng: random.Random, counts, *, share=0.6) -> None:
    for order in fulfilment.orders_to_ship(limit=1000):
        if rng.random() >= share:
            continue
        lines = [line for line in order.lines if line.quantity_to_ship > 0]
        if len(lines) > 1 and rng.random() < 0.5:
            _ship(order.order_id, {lines[0].slug: lines[0].quantity_to_ship}, counts, "partly")
            counts["orders shipped partly"] += 1
            if rng.random() < 0.5:
                continue  # the rest stays to ship
        if rng.random() < 0.2:
            _ship_from_two_tabs(order.order_id, counts)
        else:
            _ship(order.order_id, None, counts, "all")


def _ship(order_id, quantities, counts, what):
    try:
        fulfilment.ship(
            order_id=order_id,
            quantities=quantities,
            carrier="postnl",
            tracking_number=f"3S{order_id[-5:]}",
            actor="chaos",
        )
    except ActionRefused:
        counts[f"shipments refused ({what})"] += 1
    except ConcurrentUpdateConflict:
        counts[f"shipments busy ({what})"] += 1
    else:
        counts["shipments made"] += 1


def _ship_from_two_tabs(order_id, counts):
    barrier = threading.Barrier(2)

    def tab():
        barrier.wait()
        _ship(order_id, None, counts, "second tab")

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
