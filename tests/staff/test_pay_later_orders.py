"""Pay later as the shop lives it (issue 30), through the shop's pages, its webhook and staff's
services against the Mollie sandbox: an authorized order is a sale not yet paid; each shipment
captures its part; canceling releases; a deadline near warns staff once; a lapsed one closes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import MailKind
from notifications.selectors import mails_of_order
from payments import mollie, services
from payments.errors import ActionRefused, RefundRefused
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt, PaymentEvent
from payments.services import fulfilment
from payments.services.capture_deadline import warn_capture_deadline
from shop.models import Article
from tests.payments.test_pay_later_adapter import ADDRESS, eur


def money(cents):
    return eur(f"{cents // 100}.{cents % 100:02d}")


def pay_later_order(shopper, sandbox, method="klarna", **articles):
    """The shopper's order, paid by `method` with captureMode manual at the sandbox and authorized
    on its checkout page (the shop's checkout does not offer the methods yet: the payment is made
    here, as the shop's attempt 1)."""
    for slug, quantity in (articles or {"espresso-cup": 2}).items():
        shopper.add(slug, quantity)
    shopper.checkout()
    order = shopper.last_order()
    lines = [
        {
            "description": line.name,
            "quantity": int(line.quantity),
            "unitPrice": money(int(line.unit_price_cents)),
            "totalAmount": money(int(line.total_cents)),
        }
        for line in order.lines
    ]
    if order.shipping_cents:
        cents = int(order.shipping_cents)
        lines.append(
            {"type": "shipping_fee", "description": "Shipping", "quantity": 1, "unitPrice": money(cents),
             "totalAmount": money(cents)}
        )  # fmt: skip
    payment = mollie.create_payment(
        amount_cents=int(order.total_cents),
        currency="EUR",
        description=f"Order {order.order_id}",
        redirect_url="http://127.0.0.1:8000/thanks",
        webhook_url=None,
        metadata={"order_id": order.order_id, "attempt_no": 1},
        idempotency_key=f"pay-later-{order.order_id}",
        method=method,
        order_fields={"lines": lines, "billingAddress": ADDRESS},
        capture_manually=True,
    )
    PaymentAttempt.get(order.order_id, 1).update(actions=[PaymentAttempt.mollie_payment_id.set(payment.id)])
    sandbox.set_status(payment.id, "authorized")
    assert shopper.webhook(payment.id).status_code == 200
    return Order.get(order.order_id, consistent_read=True), payment.id


def confirmations(order_id):
    return [mail for mail in mails_of_order(order_id) if mail.kind == MailKind.ORDER_CONFIRMATION]


def stock():
    return Article.get("espresso-cup", consistent_read=True).stock


def test_an_authorized_order_is_a_sale_not_yet_paid(shopper, sandbox, shipping_zones, staff_client):
    before = stock()
    order, _ = pay_later_order(shopper, sandbox)

    assert order.status == OrderStatus.AUTHORIZED and order.paid_at is None and order.is_to_ship
    assert order.capture_before is not None and stock() == before - 2  # kept
    page = shopper.order_page(order).content.decode()
    assert "Ordered — you pay later via Klarna" in page
    mails = confirmations(order.order_id)
    assert len(mails) == 1 and "you pay later via Klarna" in mails[0].text_body
    assert "Total paid" not in mails[0].text_body
    day = timezone.localtime(order.capture_before).strftime("%-d %B")
    assert f"Authorized, capture before {day}" in staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    # Not payable again: "Pay again" is refused with what to do.
    again = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")
    assert Order.get(order.order_id).attempt_count == 1 and again.status_code < 500


def test_shipping_captures_each_shipment_once_and_mollie_says_when_it_is_paid(shopper, sandbox, shipping_zones):
    order, payment_id = pay_later_order(shopper, sandbox, **{"espresso-cup": 2, "coffee-beans": 1})

    fulfilment.ship(
        order_id=order.order_id, quantities={"espresso-cup": 2}, carrier="postnl", tracking_number="3S1", actor="t"
    )
    captures = mollie.list_captures(payment_id)
    assert [c.amount_cents for c in captures] == [2 * 1250 + int(order.shipping_cents or 0)]
    sandbox.advance_clock(5)  # the capture settles
    shopper.webhook(payment_id)
    assert Order.get(order.order_id, consistent_read=True).status == OrderStatus.AUTHORIZED  # half captured

    fulfilment.ship(order_id=order.order_id, quantities=None, carrier="dhl", tracking_number="JD1", actor="t")
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)

    paid = Order.get(order.order_id, consistent_read=True)
    assert paid.status == OrderStatus.PAID and paid.paid_at is not None
    assert sum(c.amount_cents for c in mollie.list_captures(payment_id)) == paid.total_cents
    assert len(confirmations(order.order_id)) == 1  # the sale was confirmed once, at authorization
    shipped = [m for m in mails_of_order(order.order_id) if m.kind == MailKind.ORDER_SHIPPED]
    assert len(shipped) == 2


def test_a_failed_capture_flags_the_order_and_the_shipment_is_not_shown_as_done(
    shopper, sandbox, shipping_zones, staff_client
):
    order, payment_id = pay_later_order(shopper, sandbox)
    sandbox.faults(capture_failure_rate=1)

    fulfilment.ship(order_id=order.order_id, quantities=None, carrier="ups", tracking_number="TRACK-PL-0001", actor="t")
    assert "TRACK-PL-0001" not in shopper.order_page(order).content.decode()  # pending: not done yet
    sandbox.advance_clock(5)  # the capture fails
    shopper.webhook(payment_id)

    flagged = Order.get(order.order_id, consistent_read=True)
    assert flagged.needs_attention and "do not send the parcel" in flagged.attention_reason
    assert flagged.status == OrderStatus.AUTHORIZED
    assert "TRACK-PL-0001" not in shopper.order_page(flagged).content.decode()
    assert not [m for m in mails_of_order(order.order_id) if m.kind == MailKind.ORDER_SHIPPED]
    assert [m for m in mails_of_order(order.order_id) if m.kind == MailKind.STAFF_ALERT]

    slip = staff_client.get(f"/staff/orders/{order.order_id}/packing-slip/").content.decode()
    assert "do not send the parcel yet" in slip and "Capture again" in slip
    sandbox.faults(capture_failure_rate=0)
    staff_client.post(f"/staff/orders/{order.order_id}/shipments/1/capture/")
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)
    done = Order.get(order.order_id, consistent_read=True)
    assert done.status == OrderStatus.PAID and not done.needs_attention
    assert "TRACK-PL-0001" in shopper.order_page(done).content.decode()
    assert len([c for c in mollie.list_captures(payment_id) if c.status != "failed"]) == 1
    with pytest.raises(ActionRefused):  # a second click: nothing failed any more
        fulfilment.retry_capture(order_id=order.order_id, shipment_no=1, actor="t")


def test_canceling_an_authorized_order_releases_it_and_returns_the_stock_once(shopper, sandbox, shipping_zones):
    before = stock()
    order, payment_id = pay_later_order(shopper, sandbox, method="riverty")

    services.cancel_order(order_id=order.order_id, actor="grace")
    shopper.webhook(payment_id)  # Mollie's webhook after the release changes nothing more

    canceled = Order.get(order.order_id, consistent_read=True)
    assert canceled.status == OrderStatus.CANCELED and canceled.stock_released
    assert mollie.get_payment(payment_id).status == "canceled" and stock() == before
    assert not canceled.is_to_ship


def test_a_deadline_warns_staff_once_then_a_lapsed_authorization_closes_the_order(
    shopper, sandbox, shipping_zones, settings
):
    before = stock()
    order, payment_id = pay_later_order(shopper, sandbox)
    settings.CAPTURE_WARNING_DAYS = 400  # the sandbox's deadline is days away: within the warning

    assert warn_capture_deadline(order_id=order.order_id, attempt_no=1)
    assert not warn_capture_deadline(order_id=order.order_id, attempt_no=1)  # once
    warned = Order.get(order.order_id, consistent_read=True)
    assert warned.needs_attention and "Capture before" in warned.attention_reason
    alerts = [m for m in mails_of_order(order.order_id) if m.kind == MailKind.STAFF_ALERT]
    assert len(alerts) == 1

    sandbox.advance_clock((order.capture_before - timezone.now() + timedelta(hours=1)).total_seconds())
    services.reconcile(stale_after_seconds=0)
    services.reconcile(stale_after_seconds=0)

    closed = Order.get(order.order_id, consistent_read=True)
    assert mollie.get_payment(payment_id).status == "expired"
    assert closed.status == OrderStatus.EXPIRED and "lapsed" in closed.attention_reason
    assert stock() == before  # returned exactly once over two runs
    kinds = [e.kind for e in PaymentEvent.query(order.order_id)]
    assert kinds.index("capture_deadline") < len(kinds) - 1
    assert PaymentAttempt.get(order.order_id, 1).status == AttemptStatus.EXPIRED


def test_only_captured_money_is_refunded_and_the_form_says_why(shopper, sandbox, shipping_zones, staff_client):
    order, payment_id = pay_later_order(shopper, sandbox, **{"espresso-cup": 2, "coffee-beans": 1})
    refund_page = f"/staff/orders/{order.order_id}/payments/1/refund/"
    assert staff_client.get(refund_page).status_code == 302  # nothing captured: nothing to refund

    fulfilment.ship(
        order_id=order.order_id, quantities={"espresso-cup": 2}, carrier="postnl", tracking_number="3S1", actor="t"
    )
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)
    captured = mollie.list_captures(payment_id)[0].amount_cents
    page = staff_client.get(refund_page).content.decode()
    assert "Only captured money can be refunded" in page
    with pytest.raises(RefundRefused):
        services.refund_payment(order_id=order.order_id, amount_cents=captured + 1, refund_key="k1", actor="grace")

    refund = services.refund_payment(order_id=order.order_id, amount_cents=1250, refund_key="k2", actor="grace")
    assert refund.amount_cents == 1250 and mollie.get_payment(payment_id).amount_refunded_cents == 1250


def test_mollie_unreachable_after_the_capture_still_records_the_shipment(shopper, sandbox, shipping_zones, monkeypatch):
    """The capture was made; reading the payment afterwards fails: staff must not be told the
    shipment failed (they would ship again); the webhook brings Mollie's payment later."""
    order, payment_id = pay_later_order(shopper, sandbox)

    def unreachable(payment_id):
        raise mollie.PaymentProviderUnavailable("timed out")

    monkeypatch.setattr(mollie, "get_payment", unreachable)
    shipment = fulfilment.ship(
        order_id=order.order_id, quantities=None, carrier="ups", tracking_number="TRACK-PL-0001", actor="t"
    )
    monkeypatch.undo()

    assert shipment.shipment_no == 1 and len(mollie.list_captures(payment_id)) == 1
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)
    assert Order.get(order.order_id, consistent_read=True).status == OrderStatus.PAID
