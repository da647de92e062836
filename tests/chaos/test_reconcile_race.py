"""Reconciliation racing "Pay again" (found while reading the workflow for the chaos run).

reconcile -> _close_overdue_order lists the order's attempts, cancels the open ones at Mollie and
then closes the order. A "Pay again" right after the listing must not leave the shopper with an
open Mollie checkout for an order that was expired and whose stock went back.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import services
from payments.models import Order, OrderStatus, PaymentAttempt
from payments.services import reconciliation
from shop.models import Article


def test_pay_again_while_reconciliation_closes_the_order_keeps_the_order_open(shopper, monkeypatch):
    shopper.buy("linen-apron")
    order = shopper.last_order()
    shopper.webhook(shopper.pay_at_mollie("failed"))
    listed = reconciliation.attempts_of

    def list_then_shopper_pays_again(order_id):
        attempts = listed(order_id)
        monkeypatch.setattr(reconciliation, "attempts_of", listed)
        services.pay_order(order_id=order_id)  # "Pay again", just after reconciliation looked
        return attempts

    monkeypatch.setattr(reconciliation, "attempts_of", list_then_shopper_pays_again)
    summary = services.ReconcileSummary()
    outcome = reconciliation._close_overdue_order(order, summary, timezone.now())

    order = shopper.last_order()
    second = PaymentAttempt.get(order.order_id, 2, consistent_read=True)
    mollie_status = next(p["status"] for p in shopper.sandbox.payments() if p["id"] == second.mollie_payment_id)
    assert mollie_status == "open"
    assert order.status == OrderStatus.PENDING_PAYMENT and not order.stock_released
    # Looked at again after the run's resync (which counts it as still waiting then), never expired.
    assert outcome == reconciliation.STILL_SETTLING and summary.expired == 0
    assert Article.get("linen-apron").stock == 7


def test_pay_again_is_refused_once_the_payment_window_has_passed(shopper):
    shopper.buy("linen-apron")
    shopper.webhook(shopper.pay_at_mollie("failed"))
    shopper.last_order().update(actions=[Order.expires_at.set(timezone.now() - timedelta(seconds=1))])

    with pytest.raises(services.OrderNotPayable) as refused:
        services.pay_order(order_id=shopper.last_order().order_id)
    assert refused.value.code == services.ErrorCode.PAYMENT_WINDOW_OVER
    assert shopper.last_order().attempt_count == 1
