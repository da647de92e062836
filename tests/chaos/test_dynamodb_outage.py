"""DynamoDB throttling that outlasts botocore's retries: what the shopper and Mollie get.

Found by the chaos run (`make chaos`): the shopper's pages answered 500 when DynamoDB stayed
throttled. Now they answer 503 with a clear "try again" page (config/busy.py); the webhook
answers 503 so that Mollie retries.
"""
import pytest
from django.test import Client

@pytest.fixture
def browser(catalog):
    return Client(raise_request_exception=False)  # see the 500 page a shopper would see


def assert_clear_busy_page(response):
    assert response.status_code == 503, response.status_code
    assert b"<h1" in response.content


def test_shop_page_while_dynamodb_throttles(browser, injector, no_backoff):
    injector(rate=1.0, operations={"Query"})

    assert_clear_busy_page(browser.get("/"))


def test_checkout_while_dynamodb_throttles(browser, injector, no_backoff):
    browser.post("/cart/add/", {"slug": "espresso-cup", "quantity": 1})
    injector(rate=1.0, operations={"BatchGetItem", "GetItem", "TransactWriteItems"})

    assert_clear_busy_page(browser.get("/checkout/"))


def test_order_page_while_dynamodb_throttles(shopper, injector, no_backoff):
    shopper.buy()
    order = shopper.last_order()
    injector(rate=1.0, operations={"GetItem"})

    assert_clear_busy_page(Client(raise_request_exception=False).get(f"/orders/{order.order_id}/{order.public_token}/"))


def test_webhook_while_dynamodb_throttles_asks_mollie_to_retry(shopper, injector, no_backoff):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    throttle = injector(rate=1.0, operations={"GetItem", "Query", "TransactWriteItems"}, transaction_cancel_share=0)

    answer = shopper.webhook(payment_id)

    assert answer.status_code == 503  # Mollie calls again later
    throttle.armed = False
    assert shopper.webhook(payment_id).status_code == 200
    assert shopper.last_order().status == "paid"
