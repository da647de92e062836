"""Each request's deadline comes from its budget and from Lambda's context (Zappa puts the context
in the WSGI environ): no write is started that could not finish before it."""

import re
import time

from payments.models import Order
from payments.services import order_id_for_checkout
from shop.models import Article
from tests.fixtures.shopper import checkout_form


class LambdaContext:
    def __init__(self, seconds):
        self._ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self):
        return int((self._ends - time.monotonic()) * 1000)


def test_a_checkout_with_too_little_lambda_time_left_writes_nothing_and_says_try_again(shopper):
    shopper.add("linen-apron")
    page = shopper.client.get("/en/checkout/").content.decode()
    checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', page).group(1)
    form = checkout_form(checkout_id, name="Ada")

    # 5 s left in this invocation, 2 s of them kept as margin: reads fit, the order's write does not.
    response = shopper.client.post("/en/checkout/", form, **{"lambda.context": LambdaContext(5)})

    assert response.status_code == 503 and response["Retry-After"]
    assert Order.count(order_id_for_checkout(checkout_id), consistent_read=True) == 0
    assert Article.get("linen-apron", consistent_read=True).stock == 8

    again = shopper.client.post("/en/checkout/", form, **{"lambda.context": LambdaContext(60)})
    assert again.status_code == 303
    assert Article.get("linen-apron", consistent_read=True).stock == 7


def test_without_a_deadline_nothing_is_refused(catalog):
    from config import deadline

    assert deadline.remaining() == float("inf")
    deadline.require(10_000, "a management command")  # no deadline outside requests and scheduled runs


def test_a_webhook_answers_within_mollies_wait_even_with_request_time_to_spare(shopper, settings):
    """Mollie waits 15 s for an answer (docs.mollie.com, "Webhooks"), less than a request's
    budget: a webhook that could not finish within WEBHOOK_TIME_BUDGET_SECONDS answers 503 at
    once, writing nothing, and Mollie's next call records the payment."""
    from config.deadline import write_seconds
    from payments.models import OrderStatus

    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    settings.REQUEST_TIME_BUDGET_SECONDS = 60
    settings.WEBHOOK_TIME_BUDGET_SECONDS = write_seconds() - 0.5  # the order's write cannot fit

    assert shopper.webhook(payment_id).status_code == 503
    assert shopper.last_order().status == OrderStatus.PENDING_PAYMENT

    settings.WEBHOOK_TIME_BUDGET_SECONDS = 13
    assert shopper.webhook(payment_id).status_code == 200
    assert shopper.last_order().status == OrderStatus.PAID


def test_a_narrowed_deadline_never_extends_the_callers():
    from config import deadline

    token = deadline.start(1.0)
    try:
        with deadline.at_most(30):
            assert deadline.remaining() <= 1.0
        with deadline.at_most(0.2):
            assert deadline.remaining() <= 0.2
        assert 0.2 < deadline.remaining() <= 1.0
    finally:
        deadline.reset(token)
