"""DynamoDB throttling that outlasts botocore's retries: what the shopper and Mollie get.

Found by the chaos run (`make chaos`): the shopper's pages answered 500 when DynamoDB stayed
throttled. Now they answer 503 with a clear "try again" page (config/busy.py); the webhook
answers 503 so that Mollie retries. An error that trying again cannot cure (refused access, a
missing table) stays a 500, logged as an error.
"""

import logging

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError, EndpointConnectionError
from django.test import Client


@pytest.fixture
def browser(catalog):
    return Client(raise_request_exception=False)  # see the 500 page a shopper would see


@pytest.fixture
def dynamodb_fails(monkeypatch):
    """`dynamodb_fails(error, operations)`: botocore raises `error` for those DynamoDB calls, as it
    would after its own retries; PynamoDB wraps it as it always does."""

    def install(error, operations):
        make_api_call = BaseClient._make_api_call

        def failing(client, operation_name, api_params):
            if client.meta.service_model.service_name == "dynamodb" and operation_name in operations:
                raise error
            return make_api_call(client, operation_name, api_params)

        monkeypatch.setattr(BaseClient, "_make_api_call", failing)

    return install


def dynamodb_error(code):
    return ClientError({"Error": {"Code": code, "Message": "(injected by the test)"}}, "Query")


def assert_clear_busy_page(response):
    assert response.status_code == 503, response.status_code
    assert b"<h1" in response.content


def test_shop_page_while_dynamodb_throttles(browser, injector, no_backoff):
    injector(rate=1.0, operations={"Query"})

    assert_clear_busy_page(browser.get("/en/"))


def test_checkout_while_dynamodb_throttles(browser, injector, no_backoff):
    browser.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": 1})
    injector(rate=1.0, operations={"BatchGetItem", "GetItem", "TransactWriteItems"})

    assert_clear_busy_page(browser.get("/en/checkout/"))


def test_order_page_while_dynamodb_throttles(shopper, injector, no_backoff):
    shopper.buy()
    order = shopper.last_order()
    injector(rate=1.0, operations={"GetItem"})

    assert_clear_busy_page(
        Client(raise_request_exception=False).get(f"/en/orders/{order.order_id}/{order.public_token}/")
    )


def test_webhook_while_dynamodb_throttles_asks_mollie_to_retry(shopper, injector, no_backoff):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    throttle = injector(rate=1.0, operations={"GetItem", "Query", "TransactWriteItems"}, transaction_cancel_share=0)

    answer = shopper.webhook(payment_id)

    assert answer.status_code == 503  # Mollie calls again later
    throttle.armed = False
    assert shopper.webhook(payment_id).status_code == 200
    assert shopper.last_order().status == "paid"


@pytest.mark.parametrize(
    "error",
    [
        dynamodb_error("ServiceUnavailable"),
        dynamodb_error("InternalServerError"),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
    ],
    ids=repr,
)
def test_shop_page_while_dynamodb_is_down_or_unreachable(browser, dynamodb_fails, error):
    dynamodb_fails(error, {"Query"})

    assert_clear_busy_page(browser.get("/en/"))


@pytest.mark.parametrize("code", ["AccessDeniedException", "ResourceNotFoundException", "ValidationException"])
def test_refused_access_or_a_missing_table_is_a_500_not_try_again(browser, dynamodb_fails, caplog, code):
    dynamodb_fails(dynamodb_error(code), {"Query"})

    response = browser.get("/en/")

    assert response.status_code == 500  # trying again would not help: someone must look
    [error] = [record for record in caplog.records if record.name == "django.request"]
    assert error.levelno == logging.ERROR and error.getMessage() == "Internal Server Error: /en/"
    assert code in str(error.exc_info[1].cause)
    assert not [record for record in caplog.records if record.name == "config.busy"]
