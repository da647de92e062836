"""What the address typed at checkout hears when its order closes unpaid: only a payment that
really got under way earns a mail (docs/input-from-strangers.md)."""

from notifications.selectors import mails_of_order
from payments import services
from payments.models import OrderStatus


def sent_about(local_ses, order):
    return local_ses.new_mails(order.order_id)


def test_a_payment_page_opened_and_left_earns_the_typed_address_no_mail(shopper, local_ses, settings):
    # Anyone can type anyone's address at checkout and walk away from Mollie's page.
    shopper.buy("espresso-cup", name="Customer", email="someone.else@example.com")
    shopper.webhook(shopper.pay_at_mollie("expired"))
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert order.status == OrderStatus.EXPIRED
    assert mails_of_order(order.order_id) == [] and sent_about(local_ses, order) == []


def test_a_payment_the_bank_refused_earns_one_not_completed_mail(shopper, local_ses, settings):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("failed"))
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    [mail] = sent_about(local_ses, order)
    assert mail.subject == f"Your order {order.order_id} was not completed"
    assert "did not go through" in mail.text and "Nothing was charged" in mail.text
