"""The payment workflow. Every write to orders, attempts, refunds, events and stock goes through here.

One module per concern; imports run one way (changes <- merge; writes <- refund_sync <- sync <- orders
<- paying <- checkout, sync <- refunds, and reconciliation on top), so nothing forms a cycle:
  checkout.py   a cart becomes one order, stock reserved; a changed cart replaces its order
  paying.py     first payment, "try again", "pay again"; one payable payment at a time
  sync.py       `apply_mollie_payment`: every path applies Mollie's truth through it
  refund_sync.py  our refund records brought in line with Mollie's; a refund change's one write
  merge.py      the merge rules it applies: pure, no I/O (tests/payments/test_merge_imports.py)
  orders.py     closing orders and attempts; staff actions on an order
  stock.py      stock reserved by a new order and given back by a closing one (writes for `commit`)
  methods.py    the payment methods offered at checkout (Mollie's list, cached briefly)
  refunds.py    refunds staff ask for
  release_rest.py  pay later: staff end a partly shipped order (nothing more ships, the rest released)
  delivery.py   the addresses and shipping cost a new order gets (zones: shop.shipping)
  fulfilment.py shipping what was paid for: "to ship", shipments, the shipping mail
  mails.py      which e-mails a change causes (outbox items; `commit` stores and sends them)
  reconciliation.py  the scheduled run for late or lost webhooks and overdue orders
  resync_backoff.py  when it syncs a waiting attempt again (and remembers an unchanged sync)
  writes.py     the one write path: `commit`, the only DynamoDB transaction of the package; events' log lines
  changes.py    the pure parts of a change: events, attention flags and their alerts, the latest attempt
  counters.py   the per-day order counters each write of orders adds to; their rebuild
  index_keys.py backfill of the sharded index keys on items stored before them
Reads are in payments.selectors; errors in payments.errors. This package re-exports the public API.
"""

from payments.errors import (
    REJECTED_PAYMENT,
    ActionRefused,
    CheckoutRefused,
    EarlierOrderInTheWay,
    ErrorCode,
    OrderNotPayable,
    RefundRefused,
    WorkflowError,
)
from payments.services.checkout import (
    MAX_CLOSED_ORDERS_PER_CART,
    check_out_cart,
    checkout_id_for_cart,
    order_id_for_checkout,
    place_order,
    release_changed_cart_order,
    release_replaced_order,
)
from payments.services.methods import forget_methods, methods_for
from payments.services.orders import (
    cancel_attempt,
    cancel_order,
    close_order,
    mark_chargeback_handled,
    mark_double_payment_handled,
    refresh_order,
    resend_confirmation,
)
from payments.services.paying import IDEMPOTENCY_KEY_LIFETIME, pay_order, register_attempt, thank_you_path, webhook_url
from payments.services.reconciliation import RECONCILE_ITEM_ERRORS, ReconcileSummary, reconcile
from payments.services.refunds import refund_payment
from payments.services.release_rest import release_rest
from payments.services.sync import (
    apply_mollie_payment,
    flag_duplicate_paid_orders,
    handle_webhook,
    refresh_for_shopper,
    sync_attempt,
)
from payments.services.writes import record_event

__all__ = [
    "REJECTED_PAYMENT",
    "ActionRefused",
    "CheckoutRefused",
    "EarlierOrderInTheWay",
    "ErrorCode",
    "OrderNotPayable",
    "RefundRefused",
    "WorkflowError",
    "record_event",
    "MAX_CLOSED_ORDERS_PER_CART",
    "check_out_cart",
    "checkout_id_for_cart",
    "order_id_for_checkout",
    "place_order",
    "release_changed_cart_order",
    "release_replaced_order",
    "cancel_attempt",
    "cancel_order",
    "close_order",
    "mark_chargeback_handled",
    "mark_double_payment_handled",
    "refresh_order",
    "forget_methods",
    "methods_for",
    "resend_confirmation",
    "IDEMPOTENCY_KEY_LIFETIME",
    "pay_order",
    "register_attempt",
    "thank_you_path",
    "webhook_url",
    "RECONCILE_ITEM_ERRORS",
    "ReconcileSummary",
    "reconcile",
    "refund_payment",
    "release_rest",
    "apply_mollie_payment",
    "flag_duplicate_paid_orders",
    "handle_webhook",
    "refresh_for_shopper",
    "sync_attempt",
]
