"""devstack.dynamodb_faults: DynamoDB answers "throttled" the way AWS does, only when switched on."""

import botocore.session
import pytest
from botocore.exceptions import ClientError

from devstack import dynamodb_faults


def plain_client(endpoint_url):
    """A botocore client that does not retry, so each injected answer is seen as it is."""
    session = botocore.session.get_session()
    return session.create_client(
        "dynamodb",
        region_name="eu-west-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=botocore.client.Config(retries={"total_max_attempts": 1}),
    )


def test_nothing_is_injected_unless_the_environment_asks():
    assert dynamodb_faults.activate_from_env({}) is None
    assert dynamodb_faults.activate_from_env({dynamodb_faults.THROTTLE_RATE_ENV: "0"}) is None


def articles_table():
    from shop.models import Article

    return Article.Meta.table_name


def test_a_throttled_read_looks_like_dynamodb_throttling(injector, local_aws):
    throttle = injector(rate=1.0, seed=1, operations={"GetItem"})
    client = plain_client(local_aws.endpoint_url)

    with pytest.raises(ClientError) as raised:
        client.get_item(TableName=articles_table(), Key={"slug": {"S": "espresso-cup"}})

    assert raised.value.response["Error"]["Code"] in dynamodb_faults.THROTTLE_CODES
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert throttle.injected == {"GetItem": 1}
    # Operations it was not told to throttle go through.
    client.describe_table(TableName=articles_table())


def test_a_throttled_transaction_can_be_a_canceled_transaction(injector, local_aws):
    injector(rate=1.0, seed=1, operations={"TransactWriteItems"}, transaction_cancel_share=1.0)
    client = plain_client(local_aws.endpoint_url)
    items = [
        {
            "ConditionCheck": {
                "TableName": articles_table(),
                "Key": {"slug": {"S": slug}},
                "ConditionExpression": "attribute_not_exists(slug)",
            }
        }
        for slug in ("a", "b")
    ]

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=items)

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [reason["Code"] for reason in raised.value.response["CancellationReasons"]] == ["ThrottlingError", "None"]


def test_pynamodb_retries_throttling_and_then_succeeds(injector, catalog):
    from shop.models import Article

    throttle = injector(rate=0.5, seed=4, operations={"GetItem"})  # seed 4: the first try is throttled

    name = Article.get("espresso-cup").name

    assert name == "Espresso cup"
    assert throttle.total() == 1  # botocore's retry hid it


def test_a_disarmed_injector_does_nothing(injector, catalog):
    from shop.models import Article

    throttle = injector(rate=1.0, operations={"GetItem"})
    throttle.armed = False

    assert Article.get("espresso-cup").name == "Espresso cup"
    assert throttle.total() == 0


def test_each_thread_knows_which_injected_faults_it_met(server_faults, local_aws, injector):
    dynamodb_faults.track_faults_met()  # on every DynamoDB client made from now on
    client = plain_client(local_aws.endpoint_url)
    key = {"slug": {"S": "espresso-cup"}}
    update = {
        "Update": {
            "TableName": articles_table(),
            "Key": key,
            "UpdateExpression": "SET stock = :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }

    dynamodb_faults.forget_faults_met()
    client.get_item(TableName=articles_table(), Key=key)
    assert dynamodb_faults.faults_met() == set()

    server_faults.cancel_transactions("TransactionConflict")
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[update])
    assert dynamodb_faults.faults_met() == {"conflict"}

    server_faults.throttle_for(60)
    with pytest.raises(ClientError):
        client.get_item(TableName=articles_table(), Key=key)
    assert dynamodb_faults.faults_met() == {"conflict", "throttling"}

    server_faults.reset()
    dynamodb_faults.forget_faults_met()
    injector(rate=1.0, seed=1, operations={"GetItem"})  # client side: on clients made from now on
    with pytest.raises(ClientError):
        plain_client(local_aws.endpoint_url).get_item(TableName=articles_table(), Key=key)
    assert dynamodb_faults.faults_met() == {"throttling"}


def test_a_busy_page_in_a_chaos_run_says_it_was_injected_throttling(
    server_faults, catalog, client, settings, no_backoff
):
    from chaos.middleware import CAUSE_HEADER

    dynamodb_faults.track_faults_met()
    settings.MIDDLEWARE = ["chaos.middleware.InjectedFaultCauseMiddleware", *settings.MIDDLEWARE]
    server_faults.throttle_for(60)

    page = client.get("/en/")

    assert page.status_code == 503
    assert page[CAUSE_HEADER] == "injected throttling"


@pytest.mark.pure
@pytest.mark.parametrize("requests_per_second", [2, 200])
def test_throttle_windows_take_the_same_share_of_time_however_busy_the_double_is(monkeypatch, requests_per_second):
    """Windows come at random times, not per request: a busier run is not throttled for longer."""
    clock = [1000.0]
    monkeypatch.setattr(dynamodb_faults.time, "monotonic", lambda: clock[0])
    faults = dynamodb_faults.ServerFaults(app=None, seed=7)
    faults.throttle_windows_per_minute, faults.throttle_window_seconds = 2.0, 2.0
    throttled = served = 0

    for _ in range(3600 * requests_per_second):  # an hour of requests
        clock[0] += 1 / requests_per_second
        if faults._throttled("GetItem"):
            throttled += 1
        else:
            served += 1

    windows = faults.injected["throttle windows"]
    assert 90 <= windows <= 150  # about 2 a minute
    assert 0.05 <= throttled / (throttled + served) <= 0.085  # about 2 s in 30
