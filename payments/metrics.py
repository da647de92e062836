"""Which metrics a stored change of the workflow counts (config/metrics.py writes them).

Called after the commit, never inside a retry loop: a lost race that is tried again counts once.
"""

from config import metrics
from config.metrics import Metric, batched

__all__ = ["batched", "changes_stored", "reconciliation_finished"]
from payments.enums import AttemptStatus, EventKind, OrderStatus
from payments.models import Order, PaymentAttempt

ORDER_STATUS_METRICS = {
    OrderStatus.PAID: Metric.ORDERS_PAID,
    OrderStatus.EXPIRED: Metric.ORDERS_EXPIRED,
    OrderStatus.CANCELED: Metric.ORDERS_CANCELED,
}
EVENT_METRICS = {
    EventKind.ORDER_PLACED: Metric.ORDERS_PLACED,
    EventKind.PAYMENT_STUCK: Metric.PAYMENTS_STUCK,
    EventKind.CHARGEBACK: Metric.CHARGEBACKS,
}
NO_METHOD = "none"  # failed before the shopper chose one (Mollie's page never got that far)


def changes_stored(events, items=()):
    """Counts `events` just stored with `items` (the saved orders and attempts)."""
    counts: dict[Metric, int] = {}
    failed_by_method: dict[str, int] = {}
    for event in events:
        for metric in (_event_metric(event), _lapsed_metric(event, items)):
            if metric is not None:
                counts[metric] = counts.get(metric, 0) + 1
        if event.kind == EventKind.ATTEMPT_STATUS_CHANGED and event.to_status == AttemptStatus.FAILED:
            method = _method_of(event, items)
            failed_by_method[method] = failed_by_method.get(method, 0) + 1
    metrics.emit(counts)
    for method, failed in failed_by_method.items():
        metrics.count(Metric.PAYMENTS_FAILED, failed, Method=method)


def _event_metric(event):
    if event.kind == EventKind.ORDER_STATUS_CHANGED:
        return ORDER_STATUS_METRICS.get(event.to_status)
    return EVENT_METRICS.get(event.kind)


def _lapsed_metric(event, items):
    """An authorized order that ended unpaid by the lapse (Mollie: `expired`), or paid for part only
    (Mollie says `paid` once an authorization with a partial capture ends: the rest is lost),
    unless staff released that rest themselves (Order.rest_released_at)."""
    if event.kind != EventKind.ORDER_STATUS_CHANGED or event.from_status != OrderStatus.AUTHORIZED:
        return None
    if event.to_status == OrderStatus.EXPIRED:
        return Metric.AUTHORIZATIONS_LAPSED
    attempt = _attempt_of(event, items) if event.to_status == OrderStatus.PAID else None
    if attempt is None or int(attempt.amount_captured_cents or 0) >= int(attempt.amount_cents):
        return None
    # Staff released the rest ("Release the rest"): the uncaptured part ended by choice, not a lapse.
    order = next((item for item in items if isinstance(item, Order) and item.order_id == event.order_id), None)
    return None if order is not None and order.rest_released_at else Metric.AUTHORIZATIONS_LAPSED


def _attempt_of(event, items):
    for item in items:
        if isinstance(item, PaymentAttempt) and (item.order_id, item.attempt_no) == (event.order_id, event.attempt_no):
            return item
    return None


def _method_of(event, items):
    attempt = _attempt_of(event, items)
    return (attempt.method if attempt is not None else None) or NO_METHOD


def reconciliation_finished(summary, started):
    """One line per run: a run that writes none is itself what the "not running" alarm sees."""
    figures = {
        Metric.RECONCILE_RUNS: 1,
        Metric.RECONCILE_SYNCED: summary.synced,
        Metric.RECONCILE_LEFT_OVER: summary.left_for_next_run,
        Metric.RECONCILE_ERRORS: len(summary.errors),
        Metric.RECONCILE_RUN_TIME: metrics.milliseconds_since(started),
    }
    # Unknown when the authorized attempts could not be listed: no datapoint rather than a false 0
    # (the alarm treats a missing datapoint as "ignore" and keeps its state).
    if summary.capture_deadlines_near is not None:
        figures[Metric.CAPTURE_DEADLINES_NEAR] = summary.capture_deadlines_near
    metrics.emit(figures)
