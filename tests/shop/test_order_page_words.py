"""What the order page promises about the confirmation mail, in each state (issue 27)."""

import pytest

from payments import services
from payments.models import Order

UNPAID_PROMISE = "Once it is paid, we e-mail you a confirmation"
PAID_PROMISE = "We e-mail you the payment confirmation with a link back here."


def test_a_paid_order_no_longer_says_once_it_is_paid(shopper):
    shopper.buy("espresso-cup", 1)
    shopper.webhook(shopper.pay_at_mollie("paid"))

    page = shopper.order_page().content.decode()

    assert "Thank you! Your payment was received." in page
    assert PAID_PROMISE in page and UNPAID_PROMISE not in page


def test_a_refunded_order_was_paid_too(shopper):
    shopper.buy("espresso-cup", 1)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    services.refund_payment(order_id=order.order_id, amount_cents=100, refund_key="b" * 32, actor="grace")
    assert Order.get(order.order_id, consistent_read=True).amount_refunded_cents == 100

    page = shopper.order_page().content.decode()

    assert PAID_PROMISE in page and UNPAID_PROMISE not in page


@pytest.mark.parametrize("outcome", [None, "canceled", "failed"])
def test_an_unpaid_order_still_says_once_it_is_paid(shopper, outcome):
    shopper.buy("espresso-cup", 1)
    if outcome:
        shopper.webhook(shopper.pay_at_mollie(outcome))

    page = shopper.order_page().content.decode()

    assert UNPAID_PROMISE in page and PAID_PROMISE not in page
