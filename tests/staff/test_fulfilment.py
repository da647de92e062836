"""Fulfilment as staff and shoppers meet it: a paid order is to ship; staff ship one line, then the
rest; each shipment mails the shopper a tracking link; canceled or refunded orders never ship."""

import pytest

from notifications.models import MailKind
from notifications.selectors import mails_of_order
from payments.errors import ActionRefused
from payments.models import Order
from payments.services import fulfilment


@pytest.fixture
def paid_order(shopper, shipping_zones):
    shopper.add("espresso-cup", 2)
    shopper.add("coffee-beans", 1)
    shopper.checkout()
    shopper.webhook(shopper.pay_at_mollie("paid"))
    return shopper.last_order()


def to_ship_ids():
    return [order.order_id for order in fulfilment.orders_to_ship()]


def test_a_paid_order_is_to_ship_until_every_line_went_out(shopper, paid_order, staff_client):
    assert to_ship_ids() == [paid_order.order_id]
    slip = f"/staff/orders/{paid_order.order_id}/packing-slip/"
    assert "Keizersgracht 1" in staff_client.get(slip).content.decode()

    first = staff_client.post(
        slip, {"carrier": "postnl", "tracking_number": "3SABCD123", "ship_espresso-cup": 2, "ship_coffee-beans": 0}
    )
    assert first.status_code == 302
    assert to_ship_ids() == [paid_order.order_id]  # partly shipped: the beans are still to ship
    staff_client.post(slip, {"carrier": "dhl", "tracking_number": "JD0001", "ship_coffee-beans": 1})

    order = Order.get(paid_order.order_id, consistent_read=True)
    assert to_ship_ids() == [] and not order.is_to_ship and order.shipment_count == 2
    page = shopper.order_page(order).content.decode()
    assert "Shipped" in page and "3SABCD123" in page and "JD0001" in page
    mails = [mail for mail in mails_of_order(order.order_id) if mail.kind == MailKind.ORDER_SHIPPED]
    assert len(mails) == 2 and all(mail.status == "sent" for mail in mails)
    assert any("https://jouw.postnl.nl/track-and-trace/3SABCD123-NL-1015AA" in mail.text_body for mail in mails)


def test_shipping_more_than_is_left_is_refused_and_nothing_changes(paid_order):
    with pytest.raises(ActionRefused):
        fulfilment.ship(
            order_id=paid_order.order_id, quantities={"espresso-cup": 3}, carrier="ups", tracking_number="1Z", actor="t"
        )
    fulfilment.ship(order_id=paid_order.order_id, quantities=None, carrier="ups", tracking_number="1Z", actor="t")
    with pytest.raises(ActionRefused):  # a second tab: nothing left
        fulfilment.ship(order_id=paid_order.order_id, quantities=None, carrier="ups", tracking_number="1Z", actor="t")
    assert Order.get(paid_order.order_id).shipment_count == 1


def test_an_unpaid_order_is_never_to_ship(shopper, shipping_zones):
    shopper.buy("espresso-cup")

    assert to_ship_ids() == []
