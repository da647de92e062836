"""The pure layer stays pure: a test marked `pure` cannot start moto or the sandbox, and whatever
it asks of DynamoDB or Mollie goes nowhere (tests/conftest.py)."""

import pytest

pytestmark = pytest.mark.pure


def test_a_pure_test_cannot_start_moto():
    from devstack.aws import LocalAWS

    with pytest.raises(AssertionError, match="a pure test started LocalAWS"):
        LocalAWS(port=0).start()


def test_a_pure_test_cannot_start_the_mollie_sandbox():
    from mollie_sandbox.server import SandboxServer

    with pytest.raises(AssertionError, match="a pure test started SandboxServer"):
        SandboxServer(host="127.0.0.1", port=0).start()


def test_a_pure_tests_dynamodb_and_mollie_calls_go_to_the_discard_port(settings):
    from config import dynamodb

    assert dynamodb.current_target().host == settings.MOLLIE_API_ENDPOINT == "http://127.0.0.1:9"
