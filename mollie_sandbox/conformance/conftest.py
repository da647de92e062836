"""Targets (the sandbox, real Mollie) and clients (classic, generated) for the conformance suite.

Every test runs once per client against each target. Real Mollie needs ``MOLLIE_TEST_API_KEY``
(a test-mode key, ``test_…``); without it those runs are skipped, saying how to run them.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mollie_sandbox.server import SandboxServer

from .clients import CLIENTS
from .strict import ResponseCheck

MOLLIE_API = os.environ.get("MOLLIE_API_URL", "https://api.mollie.com")  # another only for a dry run
SANDBOX_KEY = "test_" + "c" * 30
HOW_TO_RUN_AGAINST_MOLLIE = (
    "set MOLLIE_TEST_API_KEY to a Mollie test-mode key (test_...) and run `make conformance` "
    "to check the same steps against real Mollie"
)


class Target:
    """Where the clients point: the sandbox on loopback, or Mollie itself."""

    def __init__(self, name, base_url, api_key, webhook_url=None, sandbox=None):
        self.name = name
        self.base_url = base_url
        self.api_key = api_key
        self.webhook_url = webhook_url
        self.sandbox = sandbox

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None

    def needs_sandbox(self, why: str) -> None:
        """Skip a step only a person on Mollie's hosted checkout can do, saying why."""
        if not self.is_sandbox:
            pytest.skip(f"on real Mollie: {why}")

    def payment_body(self, **fields):
        body = {
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Conformance order 1",
            "redirectUrl": "https://webshop.example.org/order/1/",
            "metadata": {"order_id": "1"},
        }
        if self.webhook_url:
            body["webhookUrl"] = self.webhook_url
        body.update(fields)
        return body


class _WebhookReceiver(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def pytest_configure(config):
    # Both clients share the top-level `mollie` package; the generated SDK's __init__ must be the
    # installed one (the Makefile installs it last). Say so plainly rather than fail in every test.
    try:
        from mollie import ClientSDK  # noqa: F401
        from mollie.api.client import Client  # noqa: F401
    except ImportError as error:
        pytest.exit(f"the conformance venv needs both Mollie clients, mollie-api-py installed last: {error}", 2)


@pytest.fixture(scope="session")
def webhook_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/webhook/"
    server.shutdown()


@pytest.fixture(scope="session")
def sandbox_server():
    with SandboxServer(time_scale=1.0) as server:  # a refund stays pending for 2 s
        yield server


@pytest.fixture(params=["sandbox", "mollie"])
def target(request, sandbox_server, webhook_url):
    if request.param == "mollie":
        api_key = os.environ.get("MOLLIE_TEST_API_KEY", "")
        if not api_key.startswith("test_"):
            pytest.skip(f"real Mollie not checked: {HOW_TO_RUN_AGAINST_MOLLIE}")
        # Mollie calls no loopback webhook; its payments here need none.
        return Target("mollie", MOLLIE_API, api_key)
    return Target("sandbox", sandbox_server.url, SANDBOX_KEY, webhook_url, sandbox_server)


@pytest.fixture
def response_check():
    return ResponseCheck()


@pytest.fixture(params=sorted(CLIENTS))
def mollie(request, target, response_check):
    """A Mollie client pointed at the target; every answer it got is checked when the test ends."""
    client = CLIENTS[request.param](target.base_url, target.api_key, response_check)
    yield client
    response_check.check_all()
