"""The client address the staff login throttle counts, as Zappa's WSGI layer and our middleware determine it."""

import pytest
from django.test import Client
from zappa.wsgi import create_wsgi_request

from deploy.local_lambda import api_gateway_event

API_HOST = "abc123defg.execute-api.eu-west-1.amazonaws.com"


def _post_login_through_api_gateway(client, *, username, forwarded_for):
    # As Zappa 0.63's handler builds the environ (handler.py, _create_lambda_wsgi_environ).
    event = api_gateway_event(
        "POST", "/staff/login/", host=API_HOST, stage="dev", headers={"X-Forwarded-For": forwarded_for}
    )
    environ = create_wsgi_request(event)
    return client.post(
        "/staff/login/",
        {"username": username, "password": "a guess"},
        REMOTE_ADDR=environ["REMOTE_ADDR"],
        **{"lambda.event": event},
    )


def test_a_forged_x_forwarded_for_does_not_escape_the_per_address_limit(settings):
    settings.STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    client = Client()
    # On a regional endpoint, API Gateway appends the caller's address (sourceIp 203.0.113.7)
    # to the header the client sent: the entry Zappa trusts is the client's invention.
    answers = [
        _post_login_through_api_gateway(
            client, username=f"guess{number}", forwarded_for=f"198.51.100.{number}, 203.0.113.7"
        )
        for number in range(3)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 429]


@pytest.mark.parametrize("event", [None, {"requestContext": None}, {"requestContext": {"identity": {}}}])
def test_without_an_api_gateway_source_address_remote_addr_is_kept(settings, event):
    settings.STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    extra = {} if event is None else {"lambda.event": event}
    Client(REMOTE_ADDR="192.0.2.10").post("/staff/login/", {"username": "a", "password": "b"}, **extra)

    from_elsewhere = Client(REMOTE_ADDR="192.0.2.11").post("/staff/login/", {"username": "c", "password": "d"}, **extra)

    assert from_elsewhere.status_code == 200  # a different address, not locked
