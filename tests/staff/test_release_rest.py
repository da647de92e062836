"""Pay later, "Release the rest" (review of issue 30): part of an authorized order shipped and was
captured; the rest will never ship. Staff confirm, nothing more ships, the stock of what was left
comes back once, Mollie releases the uncaptured rest (the payment becomes `paid` for what was
captured) and the capture-deadline warning is cleared. Through staff's pages, against the sandbox."""

import threading

from config.metrics import Metric
from notifications.models import MailKind
from notifications.selectors import mails_of_order
from payments import mollie, services
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt
from payments.services import fulfilment
from payments.services.capture_deadline import warn_capture_deadline
from shop.models import Article
from tests.ops import emf
from tests.staff.test_pay_later_orders import pay_later_order


def cups():
    return Article.get("espresso-cup", consistent_read=True).stock


def half_shipped(shopper, sandbox):
    """Three cups and a bag of beans authorized; two cups shipped and their capture succeeded."""
    order, payment_id = pay_later_order(shopper, sandbox, **{"espresso-cup": 3, "coffee-beans": 1})
    fulfilment.ship(
        order_id=order.order_id, quantities={"espresso-cup": 2}, carrier="postnl", tracking_number="3S1", actor="t"
    )
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)
    return Order.get(order.order_id, consistent_read=True), payment_id


def messages_on(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_staff_release_the_rest_of_a_partly_shipped_order(
    shopper, sandbox, shipping_zones, staff_client, settings, capsys
):
    settings.METRICS_ENABLED, settings.STAGE = True, "dev"
    settings.CAPTURE_WARNING_DAYS, settings.CAPTURE_WARNING_PERCENT = 400, 100
    order, payment_id = half_shipped(shopper, sandbox)
    assert warn_capture_deadline(order_id=order.order_id, attempt_no=1)  # "Capture before …"
    before = cups()
    page = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    assert "Release the rest…" in page and "Cancel order…" not in page
    confirm = staff_client.get(f"/staff/orders/{order.order_id}/release-rest/").content.decode()
    assert (
        "1 × Espresso cup, 1 × Coffee beans" in confirm
        and "Yes, release the rest" in confirm
        and "No, take me back" in confirm
    )
    capsys.readouterr()

    done = staff_client.post(f"/staff/orders/{order.order_id}/release-rest/", follow=True)

    assert "The rest was released" in " ".join(messages_on(done))
    released = Order.get(order.order_id, consistent_read=True)
    assert released.status == OrderStatus.PAID and not released.is_to_ship
    assert not released.needs_attention  # no "Capture before", no "the rest will not be paid"
    assert cups() == before + 1  # the cup left comes back; the two shipped stay out
    payment = mollie.get_payment(payment_id)
    assert payment.status == "paid" and payment.amount_captured_cents < payment.amount_cents
    assert PaymentAttempt.get(order.order_id, 1).status == AttemptStatus.PAID
    lines = emf.emf_lines(capsys.readouterr().out)
    assert emf.total(lines, Metric.AUTHORIZATIONS_LAPSED, Stage="dev") == 0  # staff's choice, not a lapse
    assert "Release the rest…" not in staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    alerts = [m for m in mails_of_order(order.order_id) if m.kind == MailKind.STAFF_ALERT]
    assert len(alerts) == 1  # the deadline's, from before; none for the release

    again = staff_client.post(f"/staff/orders/{order.order_id}/release-rest/", follow=True)  # a double click

    assert again.status_code == 200 and cups() == before + 1
    assert Order.get(order.order_id, consistent_read=True).status == OrderStatus.PAID


def test_two_tabs_releasing_at_once_return_the_stock_once(shopper, sandbox, shipping_zones):
    order, payment_id = half_shipped(shopper, sandbox)
    before = cups()
    start = threading.Barrier(2)
    outcomes = []

    def staff_tab(name):
        start.wait()
        try:
            outcomes.append(services.release_rest(order_id=order.order_id, actor=name).status)
        except services.WorkflowError as refusal:
            outcomes.append(str(refusal))

    tabs = [threading.Thread(target=staff_tab, args=(name,)) for name in ("mia", "noor")]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()

    assert cups() == before + 1
    assert OrderStatus.PAID in outcomes and mollie.get_payment(payment_id).status == "paid"
    assert Order.get(order.order_id, consistent_read=True).status == OrderStatus.PAID


def test_the_rest_cannot_be_released_before_anything_shipped(shopper, sandbox, shipping_zones, staff_client):
    order, _ = pay_later_order(shopper, sandbox)
    before = cups()

    assert "Release the rest…" not in staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    refused = staff_client.post(f"/staff/orders/{order.order_id}/release-rest/", follow=True)

    assert "cancel the order instead" in " ".join(messages_on(refused))
    assert Order.get(order.order_id, consistent_read=True).status == OrderStatus.AUTHORIZED and cups() == before


def test_canceling_a_partly_shipped_order_points_to_release_the_rest(shopper, sandbox, shipping_zones, staff_client):
    order, _ = half_shipped(shopper, sandbox)

    refused = staff_client.post(f"/staff/orders/{order.order_id}/cancel/", follow=True)

    text = " ".join(messages_on(refused))
    assert "use Release the rest" in text and "released with the last shipment" not in text


def test_a_failed_capture_must_be_captured_again_before_the_rest_is_released(shopper, sandbox, shipping_zones):
    order, payment_id = pay_later_order(shopper, sandbox, **{"espresso-cup": 3})
    sandbox.faults(capture_failure_rate=1)
    try:
        fulfilment.ship(
            order_id=order.order_id, quantities={"espresso-cup": 2}, carrier="postnl", tracking_number="3S1", actor="t"
        )
    except services.ActionRefused:
        pass  # the capture failed at once
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)
    before = cups()

    try:
        services.release_rest(order_id=order.order_id, actor="t")
        refusal = ""
    except services.ActionRefused as error:
        refusal = str(error)

    assert "capture it again" in refusal and cups() == before
    assert mollie.get_payment(payment_id).status == "authorized"
