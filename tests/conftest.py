"""Shared test fixtures: one moto server and one Mollie sandbox per test session, on loopback.

Two layers of tests:
- stack tests (the default, marked `stack` automatically) run end to end against moto and the
  Mollie sandbox. The tables are created once and emptied after every test, so test order never
  matters; the sandbox is reset between tests that use it.
- pure tests need no server. A module declares itself pure with `pytestmark = pytest.mark.pure`
  (or one test with `@pytest.mark.pure`). It then gets no tables, and starting moto or the
  sandbox, or reaching DynamoDB or Mollie, fails the test. `pytest -m "not stack"` (make
  test-pure) runs only this layer.
"""

import io
import json
import logging
import os
import re
import uuid

import pytest
import requests

# The discard port on loopback: what is sent there fails at once and reaches nobody.
UNREACHABLE = "http://127.0.0.1:9"

# Test settings: local stage, no real AWS or Mollie. Set before Django reads its settings.
os.environ.setdefault("STAGE", "local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
# Webhooks from the test sandbox must never reach a shop someone runs on :8000.
os.environ.setdefault("PUBLIC_BASE_URL", UNREACHABLE)

TEST_MOLLIE_KEY = "test_" + "t" * 30

# Every fixture that starts moto or the sandbox depends on one of these (session-scoped, so pytest
# would start them before any guard of a test's own could refuse).
SERVER_FIXTURES = {"local_aws", "sandbox_server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("pure") is None:
            item.add_marker(pytest.mark.stack)
        elif servers := SERVER_FIXTURES.intersection(item.fixturenames):
            raise pytest.UsageError(f"{item.nodeid} is marked pure but starts {', '.join(sorted(servers))}")
        if group := _shared_setup(item):
            item.add_marker(pytest.mark.xdist_group(group))


def _shared_setup(item):
    """Under pytest-xdist (`make test` runs `--dist loadgroup`), tests that share a costly set-up
    run on one worker, so that it is built once: the Zappa package, and each module's own stack.
    Session fixtures such as moto and the sandbox are started once per worker."""
    if "dev_package" in item.fixturenames:
        return "dev_package"
    fixture_definitions = item._fixtureinfo.name2fixturedefs.values()
    if any(definition.scope == "module" for definitions in fixture_definitions for definition in definitions):
        return item.module.__name__
    return None


class PureTestStartedAServer(AssertionError):
    """A test marked `pure` tried to start moto or the Mollie sandbox."""


@pytest.fixture(scope="session")
def local_aws():
    from devstack.aws import LocalAWS

    aws = LocalAWS(port=0).start()
    yield aws
    aws.stop()


@pytest.fixture(scope="session")
def session_tables(local_aws):
    """The tables, created once per session under their own prefix."""
    from config import dynamodb
    from config.tables import ensure_tables

    prefix = f"t{uuid.uuid4().hex[:8]}-"
    dynamodb.configure(host=local_aws.endpoint_url, prefix=prefix)
    ensure_tables()
    return prefix


@pytest.fixture(autouse=True)
def dynamodb_tables(request):
    """Every stack test starts with empty tables, so test order never matters; pure tests get
    none, and no server either (`_refuse_servers`).

    Tests marked `no_tables` get a prefix of their own with no tables at all.
    """
    from shop.selectors import forget_shop_catalog

    forget_shop_catalog()  # the shop page's in-process copy of the catalog belongs to one test
    if request.node.get_closest_marker("stack") is None:
        _refuse_servers(request.getfixturevalue("monkeypatch"), request.getfixturevalue("settings"))
        yield
        return
    # Asked for here, not as arguments, so that a pure run never starts moto.
    local_aws = request.getfixturevalue("local_aws")
    session_tables = request.getfixturevalue("session_tables")
    from config import dynamodb

    # Mails the workflow sends go through SES as deployed, to the session's moto SES (its
    # mailbox), never to AWS; pytest-django's in-memory outbox would hide SES's behaviour.
    settings = request.getfixturevalue("settings")
    settings.SES_ENDPOINT_URL = local_aws.endpoint_url
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    if "no_tables" in request.keywords:
        dynamodb.configure(host=local_aws.endpoint_url, prefix=f"n{uuid.uuid4().hex[:8]}-")
        yield
        _delete_tables(dynamodb.current_target().prefix)
    else:
        dynamodb.configure(host=local_aws.endpoint_url, prefix=session_tables)
        yield
        _empty_tables(session_tables)
    dynamodb.configure(host=local_aws.endpoint_url, prefix=session_tables)


def _refuse_servers(monkeypatch, settings):
    from config import dynamodb
    from devstack.aws import LocalAWS
    from mollie_sandbox.server import SandboxServer

    def refuse(server):
        raise PureTestStartedAServer(f"a pure test started {type(server).__name__}: drop its `pure` mark")

    monkeypatch.setattr(LocalAWS, "start", refuse)
    monkeypatch.setattr(SandboxServer, "start", refuse)
    # Whatever a pure test still asks of DynamoDB or Mollie fails at once, and never reaches AWS.
    settings.MOLLIE_API_ENDPOINT = UNREACHABLE
    dynamodb.configure(host=UNREACHABLE)


def _empty_tables(prefix):
    from config import dynamodb

    client = dynamodb.boto3_client()
    for model in dynamodb.all_models():
        name = prefix + model._base_table_name
        keys = [key["AttributeName"] for key in model._get_schema()["key_schema"]]
        for page in client.get_paginator("scan").paginate(TableName=name, ProjectionExpression=", ".join(keys)):
            for start in range(0, len(page["Items"]), 25):
                batch = [{"DeleteRequest": {"Key": item}} for item in page["Items"][start : start + 25]]
                client.batch_write_item(RequestItems={name: batch})


def _delete_tables(prefix):
    from config import dynamodb

    client = dynamodb.boto3_client()
    for name in client.list_tables()["TableNames"]:
        if name.startswith(prefix):
            client.delete_table(TableName=name)


@pytest.fixture(scope="session")
def sandbox_server():
    from mollie_sandbox.server import SandboxServer

    # Slow webhook retries: tests drive webhooks explicitly unless they ask for delivery.
    server = SandboxServer(host="127.0.0.1", port=0, time_scale=60.0, expiry_seconds=900)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server, settings):
    """The Mollie sandbox, reset, with our settings pointing at it."""
    control = SandboxControl(sandbox_server.url, sandbox_server)
    control.reset()
    # Mollie processes a refund some time after it is created (amountRefunded follows then);
    # here on the next read, unless a test keeps refunds pending (`pending_refunds`).
    sandbox_server.app.store.refund_settle_seconds = 0
    settings.MOLLIE_API_ENDPOINT = sandbox_server.url
    settings.MOLLIE_API_KEY = TEST_MOLLIE_KEY
    from payments.services import forget_methods

    forget_methods()  # a list (or a failure) cached by an earlier test
    yield control
    control.clear_faults()


@pytest.fixture
def pending_refunds(sandbox):
    """Refunds stay pending at Mollie, as they do for a while after creation (reset per test)."""
    sandbox.server.app.store.refund_settle_seconds = 3600


class SandboxControl:
    """Test-side driver for the sandbox's control API (what a shopper or Mollie would do).

    The one place that knows its URLs; tests of the control API's own answers call it raw.
    """

    def __init__(self, url, server=None):
        self.url = url
        self.server = server

    def _call(self, method, path, **options):
        response = requests.request(method, f"{self.url}/_sandbox/{path}", timeout=5, **options)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self):
        """Forgets payments, refunds, webhook log and faults."""
        self._call("POST", "reset")

    def set_status(self, payment_id, status, method=None):
        """As the shopper's choice on the checkout page (or the bank, later), with the method used."""
        data = {"status": status, **({"method": method} if method else {})}
        return self._call("POST", f"payments/{payment_id}", data=data)

    def payment(self, payment_id):
        """The payment as the API shows it, with its refunds and chargebacks embedded."""
        return self._call("GET", f"payments/{payment_id}")

    def chargeback(self, payment_id, amount=None, reason=None):
        """The shopper's bank takes money back (Mollie then calls the webhook)."""
        data = {**({"amount": amount} if amount else {}), **({"reason": reason} if reason else {})}
        return self._call("POST", f"payments/{payment_id}/chargebacks", json=data)

    def reverse_chargeback(self, chargeback_id):
        return self._call("POST", f"chargebacks/{chargeback_id}/reverse")

    def advance_clock(self, seconds):
        """Moves the sandbox's clock: what is due (a bank transfer past its date) expires."""
        return self._call("POST", "clock", json={"seconds": seconds})

    def set_cancelable(self, payment_id, cancelable):
        """Real Mollie cancels open bank transfers only; card, iDEAL and no-method payments refuse."""
        self._call("POST", f"payments/{payment_id}/cancelable", data={"cancelable": "true" if cancelable else "false"})

    def set_refund_status(self, refund_id, status):
        return self._call("POST", f"refunds/{refund_id}", data={"status": status})

    def forget_idempotency_keys(self):
        """As Mollie does after a while: a key sent again then creates a new payment."""
        self._call("DELETE", "idempotency")

    def payments(self):
        return self._call("GET", "payments")

    def requests(self, in_flight=None):
        """The sandbox's log of /v2 requests (only those still in flight, or done, when asked)."""
        params = None if in_flight is None else {"inFlight": "true" if in_flight else "false"}
        return self._call("GET", "requests", params=params)

    def faults(self, **faults):
        self._call("POST", "faults", json=faults)

    def clear_faults(self):
        self._call("DELETE", "faults")

    def webhooks(self, payment_id=None):
        """Every webhook delivery attempt (of one payment, when given)."""
        return self._call("GET", "webhooks", params={"paymentId": payment_id} if payment_id else None)


@pytest.fixture
def catalog():
    from shop.services import seed_catalog

    seed_catalog()


@pytest.fixture
def json_log():
    """What the console handler writes in a deployed stage, parsed back, per logger name.

    A handler of its own on the root logger, without the console's filters: what reaches it is
    what any handler would get.
    """
    from config.json_log import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda logger=None: [
        line for line in map(json.loads, stream.getvalue().splitlines()) if logger in (None, line["logger"])
    ]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def injector():
    """Installs DynamoDB throttling for one test; disarmed afterwards (handlers stay on clients)."""
    from devstack import dynamodb_faults

    made = []

    def install(**options):
        made.append(dynamodb_faults.install(**options))
        return made[-1]

    yield install
    for each in made:
        each.armed = False


@pytest.fixture
def server_faults(local_aws):
    """The local DynamoDB's server-side faults (devstack.dynamodb_faults.ServerFaults), off again after."""
    local_aws.dynamodb_faults.reset()
    yield local_aws.dynamodb_faults
    local_aws.dynamodb_faults.reset()


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore still retries throttled calls, but without sleeping between tries."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


@pytest.fixture
def shopper(client, catalog, sandbox):
    return Shopper(client, sandbox)


class Shopper:
    """Drives the shop as a person would, through the Django test client."""

    def __init__(self, client, sandbox):
        self.client = client
        self.sandbox = sandbox

    def add(self, slug, quantity=1):
        return self.client.post("/cart/add/", {"slug": slug, "quantity": quantity})

    def checkout_id(self):
        """The checkout page's hidden id: the cart as the shopper saw it."""
        page = self.client.get("/checkout/")
        return re.search(r'name="checkout_id" value="([0-9a-f]{32})"', page.content.decode()).group(1)

    def checkout(self, name="Ada Lovelace", email="ada@example.com", checkout_id=None, method=None):
        checkout_id = checkout_id or self.checkout_id()
        form = {"name": name, "email": email, "checkout_id": checkout_id, **({"method": method} if method else {})}
        return self.client.post("/checkout/", form)

    def buy(self, slug="espresso-cup", quantity=1, **details):
        self.add(slug, quantity)
        response = self.checkout(**details)
        assert response.status_code == 303, response.content[:500]
        return response

    def last_order(self):
        from payments.models import Order

        return Order.get(self.client.session["last_order_id"], consistent_read=True)

    def pay_at_mollie(self, status, order=None):
        """The shopper picks an outcome on the sandbox's checkout page."""
        order = order or self.last_order()
        self.sandbox.set_status(order.latest_mollie_payment_id, status)
        return order.latest_mollie_payment_id

    def webhook(self, payment_id):
        return self.client.post("/payments/webhook/", {"id": payment_id})

    def pay_again_after_a_canceled_payment(self):
        """The first payment is canceled, "Pay again" makes a second one and it is paid (webhook
        received). Returns the order as it was before paying again."""
        first = self.last_order()
        self.webhook(self.pay_at_mollie("canceled"))
        self.client.post(f"/orders/{first.order_id}/{first.public_token}/pay/")
        second_payment = self.last_order().latest_mollie_payment_id
        self.sandbox.set_status(second_payment, "paid")
        self.webhook(second_payment)
        return first

    def order_page(self, order=None):
        order = order or self.last_order()
        return self.client.get(f"/orders/{order.order_id}/{order.public_token}/")

    def status(self, order=None):
        order = order or self.last_order()
        return self.client.get(f"/orders/{order.order_id}/{order.public_token}/status.json").json()
