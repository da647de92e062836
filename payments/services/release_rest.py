"""Pay later, "Release the rest" (docs/pay-later.md#what-staff-must-do): part of an authorized order
shipped and was captured, and the rest will never ship. Staff close its fulfilment (nothing more
ships, the stock of what is left comes back, exactly once) and the uncaptured rest of the
authorization is released at Mollie, which then says `paid` for what was captured. Without it the
rest would stay held until it lapses, and the capture-deadline warning could not be cleared.

Safe to press twice (a double click, two tabs): the first closes the fulfilment in one versioned
write; every press then releases at Mollie (one idempotency key) and syncs the payment.
"""

from django.utils import timezone

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from payments import mollie
from payments.enums import AttemptStatus, EventKind, EventSource, OrderStatus
from payments.errors import ActionRefused, ErrorCode
from payments.models import Order, Shipment
from payments.selectors import get_attempt, get_order
from payments.services import stock
from payments.services.capture_deadline import deadline_reason
from payments.services.changes import attention_handled, new_event
from payments.services.sync import sync_attempt
from payments.services.writes import commit, record_event

MOLLIE_DOWN_AFTER_CLOSING = (
    "Nothing more will ship and the stock of the rest is back, but Mollie could not be reached to "
    "release the rest of the authorization. Press Release the rest again in a moment."
)


def release_rest(*, order_id: str, actor: str) -> Order:
    """Closes the fulfilment of a partly shipped authorized order and releases the rest at Mollie."""
    order = _close_fulfilment(order_id, actor)
    attempt = get_attempt(order_id, int(order.paid_attempt_no or 0))
    assert attempt is not None and attempt.mollie_payment_id  # an authorized order has its attempt
    if attempt.status == AttemptStatus.AUTHORIZED:
        try:
            mollie.release_authorization(attempt.mollie_payment_id, idempotency_key=f"{order_id}-release-rest")
        except mollie.PaymentRejected:
            pass  # no longer authorized (another tab released it, or it lapsed): the sync below says which
        except mollie.PaymentProviderError as error:
            raise ActionRefused(ErrorCode.ORDER_NOT_OPEN, MOLLIE_DOWN_AFTER_CLOSING) from error
        record_event(
            order_id=order_id,
            kind=EventKind.AUTHORIZATION_RELEASED,
            source=EventSource.STAFF,
            actor=actor,
            attempt_no=int(attempt.attempt_no),
            mollie_payment_id=attempt.mollie_payment_id,
            message="The rest of the authorization was released at Mollie: only what shipped is paid",
        )
    sync_attempt(attempt=attempt, source=EventSource.STAFF, actor=actor)
    return get_order(order_id) or order


def _close_fulfilment(order_id: str, actor: str) -> Order:
    """Marks what is left unshipped as released and returns its stock, in one versioned write; an
    order already closed this way is returned as it is (the second press goes on to Mollie)."""
    for write_try in optimistic_retries(order_id):
        order = get_order(order_id)
        if order is not None and order.rest_released_at is not None:
            return order
        _refuse_unless_releasable(order)
        assert order is not None  # refused above
        now = timezone.now()
        left = ", ".join(f"{line.quantity_to_ship} × {line.name}" for line in order.lines if line.quantity_to_ship)
        updates = stock.give_back_unshipped(order, now)
        order.rest_released_at = order.updated_at = now
        if order.capture_before is not None:
            attention_handled(order, deadline_reason(order))  # staff dealt with the deadline
        message = f"Released the rest: {left} will not ship and is back in stock; nothing more is captured"
        event = new_event(order, EventKind.AUTHORIZATION_RELEASED, EventSource.STAFF, now, actor=actor, message=message)
        try:
            commit(saves=[order], events=[event], updates=updates)
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return order
    retries_exhausted(order_id)


def _refuse_unless_releasable(order: Order | None) -> None:
    if order is None or order.status != OrderStatus.AUTHORIZED:
        raise ActionRefused(
            ErrorCode.ORDER_NOT_OPEN, "Only a pay-later order that is still authorized can have its rest released."
        )
    if not any(int(line.shipped_quantity or 0) for line in order.lines):
        raise ActionRefused(
            ErrorCode.ORDER_NOT_OPEN,
            "Nothing of this order was shipped: cancel the order instead (it releases all of it).",
        )
    if not order.is_to_ship:
        raise ActionRefused(
            ErrorCode.NOTHING_TO_SHIP, "Everything of this order was shipped: nothing is left to release."
        )
    if any(not shipment.is_done for shipment in Shipment.query(order.order_id)):
        raise ActionRefused(
            ErrorCode.CAPTURE_FAILED,
            "A shipment's capture failed or is still under way: capture it again (or wait for Mollie) "
            "first, or its amount would be released too.",
        )
