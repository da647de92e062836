"""Refunds: partial and full, idempotent, and kept in line with Mollie through the webhook."""

import pytest

from payments import mollie, services
from payments.models import OrderStatus, PaymentEvent, Refund


@pytest.fixture
def paid_kettle_order(shopper):
    shopper.buy("pour-over-kettle")  # 49.95
    shopper.webhook(shopper.pay_at_mollie("paid"))
    return shopper.last_order()


def test_partial_then_full_refund(shopper, paid_kettle_order):
    services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=1000, refund_key="r1", actor="sam")
    order = shopper.last_order()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.amount_refunded_cents == 1000

    services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=3995, refund_key="r2", actor="sam")

    order = shopper.last_order()
    assert order.status == OrderStatus.REFUNDED
    assert "fully refunded" in shopper.order_page().content.decode()


def test_refunding_more_than_remains_is_refused(paid_kettle_order):
    services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=4000, refund_key="r1", actor="sam")

    with pytest.raises(services.RefundRefused) as too_much:
        services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=1000, refund_key="r2", actor="sam")
    with pytest.raises(services.RefundRefused) as nothing:
        services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=0, refund_key="r3", actor="sam")
    assert too_much.value.code == nothing.value.code == services.ErrorCode.AMOUNT_OUT_OF_RANGE


def test_the_same_refund_key_twice_refunds_once(shopper, paid_kettle_order):
    first = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=500, refund_key="twice", actor="sam"
    )
    second = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=500, refund_key="twice", actor="sam"
    )

    assert first.mollie_refund_id == second.mollie_refund_id
    assert len(mollie.list_refunds(paid_kettle_order.latest_mollie_payment_id)) == 1
    assert shopper.last_order().amount_refunded_cents == 500


def test_unpaid_orders_cannot_be_refunded(shopper):
    shopper.buy()
    with pytest.raises(services.RefundRefused) as refused:
        services.refund_payment(order_id=shopper.last_order().order_id, amount_cents=100, refund_key="x", actor="s")
    assert refused.value.code == services.ErrorCode.NOT_PAID


def test_refund_status_change_arrives_through_the_webhook(shopper, paid_kettle_order):
    refund = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=1000, refund_key="r1", actor="sam"
    )
    assert refund.status in ("pending", "queued")

    shopper.sandbox.set_refund_status(refund.mollie_refund_id, "refunded")
    shopper.webhook(paid_kettle_order.latest_mollie_payment_id)  # refund webhooks carry the payment id

    assert Refund.get(paid_kettle_order.order_id, "r1").status == "refunded"
    kinds = [event.kind for event in PaymentEvent.query(paid_kettle_order.order_id)]
    assert "refund_status_changed" in kinds


def refund_in_mollies_dashboard(order, amount_cents):
    """A refund made by hand at Mollie, not through the shop (it has no refund key of ours)."""
    mollie.create_refund(
        payment_id=order.latest_mollie_payment_id,
        amount_cents=amount_cents,
        currency="EUR",
        description="made elsewhere",
        idempotency_key=f"dashboard-{order.order_id}-{amount_cents}",
    )


def test_refund_made_in_mollies_dashboard_is_recorded(shopper, paid_kettle_order):
    refund_in_mollies_dashboard(paid_kettle_order, 700)

    shopper.webhook(paid_kettle_order.latest_mollie_payment_id)

    order = shopper.last_order()
    refunds = list(Refund.query(order.order_id))
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.amount_refunded_cents == 700
    assert [(r.amount_cents, r.created_by) for r in refunds] == [(700, "mollie")]


def test_a_dashboard_refund_whose_list_cannot_be_read_in_the_webhook_is_left_to_reconciliation(
    shopper, paid_kettle_order, monkeypatch
):
    """The webhook answers 200 once the payment is stored, so Mollie will not call again: a
    refund list it could not read (Mollie busy, or no time left) must be followed up later."""
    refund_in_mollies_dashboard(paid_kettle_order, 700)
    read_refunds = mollie.list_refunds

    def unavailable(payment_id):
        raise mollie.PaymentProviderUnavailable("Mollie is busy")

    monkeypatch.setattr(mollie, "list_refunds", unavailable)
    assert shopper.webhook(paid_kettle_order.latest_mollie_payment_id).status_code == 200
    assert list(Refund.query(paid_kettle_order.order_id)) == []

    monkeypatch.setattr(mollie, "list_refunds", read_refunds)
    services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.amount_refunded_cents == 700
    assert [(r.amount_cents, r.created_by) for r in Refund.query(order.order_id)] == [(700, "mollie")]


def test_mollie_down_during_refund_leaves_a_retryable_request(shopper, paid_kettle_order):
    shopper.sandbox.faults(api_error_rate=1.0, seed=5)
    with pytest.raises(mollie.PaymentProviderUnavailable):
        services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=800, refund_key="later", actor="sam")
    assert Refund.get(paid_kettle_order.order_id, "later").status == "requested"

    shopper.sandbox.clear_faults()
    refund = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=800, refund_key="later", actor="sam"
    )

    assert refund.mollie_refund_id and shopper.last_order().amount_refunded_cents == 800


def test_a_failed_refund_gives_the_amount_back(shopper, paid_kettle_order):
    refund = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=4995, refund_key="all", actor="sam"
    )
    assert shopper.last_order().status == OrderStatus.REFUNDED

    shopper.sandbox.set_refund_status(refund.mollie_refund_id, "failed")
    shopper.webhook(paid_kettle_order.latest_mollie_payment_id)

    order = shopper.last_order()
    assert order.status == OrderStatus.PAID and order.amount_refunded_cents == 0
    assert Refund.get(paid_kettle_order.order_id, "all").status == "failed"
    again = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=4995, refund_key="retry", actor="sam"
    )
    assert again.mollie_refund_id and shopper.last_order().status == OrderStatus.REFUNDED


def test_a_refund_webhook_before_we_stored_mollies_id_links_instead_of_duplicating(shopper, paid_kettle_order):
    now = paid_kettle_order.created_at
    Refund(
        paid_kettle_order.order_id,
        "early",
        attempt_no=1,
        mollie_payment_id=paid_kettle_order.latest_mollie_payment_id,
        amount_cents=1500,
        currency="EUR",
        created_by="sam",
        created_at=now,
        updated_at=now,
    ).save()
    made = mollie.create_refund(
        payment_id=paid_kettle_order.latest_mollie_payment_id,
        amount_cents=1500,
        currency="EUR",
        description="x",
        idempotency_key="early",
        refund_key="early",
    )

    shopper.webhook(paid_kettle_order.latest_mollie_payment_id)  # Mollie's refund webhook wins the race

    refunds = list(Refund.query(paid_kettle_order.order_id))
    assert [(r.refund_key, r.mollie_refund_id, r.created_by) for r in refunds] == [("early", made.id, "sam")]
    assert (
        services.refund_payment(
            order_id=paid_kettle_order.order_id, amount_cents=1500, refund_key="early", actor="sam"
        ).mollie_refund_id
        == made.id
    )  # resubmitting refunds nothing more
    assert len(mollie.list_refunds(paid_kettle_order.latest_mollie_payment_id)) == 1


def test_no_new_refund_while_an_earlier_one_is_unconfirmed(shopper, paid_kettle_order):
    shopper.sandbox.faults(api_error_rate=1.0, seed=6)
    with pytest.raises(mollie.PaymentProviderUnavailable):
        services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=1000, refund_key="lost", actor="sam")
    shopper.sandbox.clear_faults()

    with pytest.raises(services.RefundRefused) as refused:
        services.refund_payment(order_id=paid_kettle_order.order_id, amount_cents=1000, refund_key="other", actor="sam")
    assert refused.value.code == services.ErrorCode.REFUND_UNCONFIRMED
    assert mollie.list_refunds(paid_kettle_order.latest_mollie_payment_id) == []


def test_a_refund_canceled_at_mollie_is_learned_by_reconciliation(shopper, paid_kettle_order, pending_refunds):
    # Mollie sends no webhook when a refund is canceled (docs.mollie.com, "Webhooks"): only
    # reconciliation, following paid attempts with unsettled refunds, can learn it.
    refund = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=4995, refund_key="all", actor="sam"
    )
    assert refund.status == "pending"
    shopper.sandbox.set_refund_status(refund.mollie_refund_id, "canceled")
    assert [w for w in shopper.sandbox.webhooks() if w["event"] == "refund.canceled"] == []

    services.reconcile(stale_after_seconds=0)

    assert Refund.get(paid_kettle_order.order_id, "all").status == "canceled"
    # The money was never given back, so it can be refunded again.
    again = services.refund_payment(
        order_id=paid_kettle_order.order_id, amount_cents=4995, refund_key="again", actor="sam"
    )
    assert again.mollie_refund_id
