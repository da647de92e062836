"""Fixtures for the Mollie sandbox tests.

The sandbox is driven only through the real ``mollie-api-python`` client and
plain HTTP.  One sandbox serves the whole session (reset before each test);
tests that need other options start their own with ``make_sandbox``.
Webhooks go to a tiny stdlib HTTP server (``receiver``) that records what it
gets and answers the statuses a test asks for.

Nothing here waits with a bare sleep: ``wait_until`` polls a condition with a
deadline.  The fixtures named like the project's (``sandbox``,
``sandbox_server``, ``dynamodb_tables``) override them for this folder, so
these tests need neither Django nor the AWS stand-in.
"""

import datetime
import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mollie_sandbox.server import SandboxServer
from tests.concurrency import wait_until as _wait_until
from tests.fixtures.sandbox import SandboxControl
from tests.mollie_sandbox.mollie_client import API_KEY, make_client

# Fast retries: one minute of Mollie's schedule is 10 ms, a refund settles after 20 ms.
TIME_SCALE = 0.01


class WebhookReceiver:
    """Records webhook calls as they arrive; answers ``statuses`` in turn (then 200).

    With a ``gate`` (a ``threading.Event``) every call waits until the test sets it (at most
    10 s), so a test can act while a delivery is known to be in flight, or let it time out.
    """

    def __init__(self):
        self.calls: list[dict] = []
        self.statuses: list[int] = []
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.calls.append(
                        {
                            "path": self.path,
                            "content_type": self.headers.get("Content-Type"),
                            "body": body,
                        }
                    )
                if receiver.gate is not None:
                    receiver.gate.wait(10)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhook"

    def bodies(self) -> list[str]:
        with self._lock:
            return [call["body"] for call in self.calls]

    def stop(self):
        if self.gate is not None:
            self.gate.set()  # let a held call finish, or shutdown() would wait for it
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(autouse=True)
def dynamodb_tables():
    """The sandbox needs no DynamoDB: this overrides the project's autouse table fixture."""


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer(host="127.0.0.1", port=0, time_scale=TIME_SCALE)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """The session sandbox, emptied (payments, webhook log, faults) for this test."""
    SandboxControl(sandbox_server.url).reset()
    return sandbox_server


@pytest.fixture
def make_sandbox():
    """Start an extra sandbox with other options; stopped after the test."""
    started = []

    def make(**options):
        options.setdefault("time_scale", TIME_SCALE)
        server = SandboxServer(host="127.0.0.1", port=0, **options)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def client(sandbox):
    return make_client(sandbox.url)


@pytest.fixture
def client_for():
    """``client_for(server)``: a mollie client for another sandbox."""
    return make_client


@pytest.fixture
def auth():
    """Headers for plain-HTTP calls to the Mollie API."""
    return {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.stop()


@pytest.fixture
def wait_until():
    return _wait_until


@pytest.fixture
def logged_deliveries():
    """``logged_deliveries(server, count)``: wait until the sandbox has logged ``count`` attempts.

    The receiver sees a call before the sandbox logs it (after the answer), so
    tests that read the log wait on the log itself.
    """

    def wait(server, count, timeout=5.0):
        def enough():
            entries = SandboxControl(server.url).webhooks()
            return entries if len(entries) >= count else None

        return _wait_until(enough, timeout, f"{count} webhook attempts to be logged")

    return wait


@pytest.fixture
def api_requests():
    """``api_requests(server, in_flight=None)``: the sandbox's log of ``/v2`` requests."""

    def read(server, in_flight=None):
        return SandboxControl(server.url).requests(in_flight)

    return read


@pytest.fixture
def payment_data():
    """``payment_data(**overrides)``: a valid create-payment body."""

    def data(**overrides):
        body = {
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Order #12345",
            "redirectUrl": "https://webshop.example.org/order/12345/",
        }
        body.update(overrides)
        return body

    return data


@pytest.fixture
def set_status():
    """``set_status(server, payment_id, status)`` through the control API."""

    def set_(server, payment_id, status):
        return SandboxControl(server.url).set_status(payment_id, status)

    return set_


@pytest.fixture
def loopback_certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1: (the certificate, the certificate and its key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mollie sandbox (test)")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    public = tmp_path / "sandbox-certificate.pem"
    public.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    with_key = tmp_path / "sandbox-certificate-and-key.pem"
    with_key.write_bytes(
        public.read_bytes()
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return public, with_key
