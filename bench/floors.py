"""Floors for the bench's hot paths: the same AWS and Mollie calls, made with no Django around them.

A path's floor is what it cannot go below on this stack: its calls to DynamoDB, SES and Mollie,
one after the other, made directly. To make them "the same", one request of each path is first
served in the bench's own process through Django's test client while every call is recorded
(botocore's `before-parameter-build` event on the shared session: the operation and its
parameters; requests' Session.send for Mollie: method, URL, headers, body). The floor server
(`python -m bench.floors`, a process of its own like the shop's server, on the same HTTP
server, but with no Django request handling) replays a path's calls for each request to
`/floor/<path>`. The bench loads both the same way, in the same run: path ÷ floor is the shop's own share.

Replayed writes keep their conditions, so a replayed put of a new item or a versioned update
fails its condition after the first replay: DynamoDB still evaluates it and answers, which is
the round trip the path waits for too. A replayed Mollie create gets a fresh Idempotency-Key,
so the sandbox creates a payment each time, as for the shop.
"""

import argparse
import copy
import pickle
import re
import sys
import threading
import uuid
from pathlib import Path

import requests

from bench.addresses import BENCH_ADDRESS

# The bench's names of the hot paths (bench/latency.py's phases) and the floor's URL for each.
FLOOR_PATHS = {
    "shop page": "shop-page",
    "checkout POST": "checkout",
    "webhook, first (paid)": "webhook",
    "status poll, finished order": "status-poll",
}
RECORDED_SERVICES = frozenset({"dynamodb", "sesv2"})


class Recorder:
    """Records the calls this thread makes inside `recording(name)` (see the module docstring)."""

    def __init__(self, mollie_endpoint):
        self.mollie_endpoint = mollie_endpoint.rstrip("/")
        self.scripts: dict[str, list] = {}
        self._current: list | None = None
        self._thread = threading.get_ident()

    def install(self):
        from config import aws_session

        # On the session, before any client exists: clients copy the session's handlers.
        aws_session.botocore_session().register("before-parameter-build", self._aws_call)
        original_send = requests.Session.send
        recorder = self

        def send(session, request, **kwargs):
            if recorder._active() and request.url.startswith(recorder.mollie_endpoint + "/v2/"):
                body = request.body.encode() if isinstance(request.body, str) else request.body
                path = request.url[len(recorder.mollie_endpoint) :]
                recorder._current.append(("mollie", request.method, path, dict(request.headers), body))
            return original_send(session, request, **kwargs)

        requests.Session.send = send

    def _active(self):
        return self._current is not None and threading.get_ident() == self._thread

    def _aws_call(self, params=None, model=None, **_):
        service = model.service_model.service_name
        if self._active() and service in RECORDED_SERVICES:
            self._current.append(("aws", service, model.name, copy.deepcopy(params)))

    def record(self, name, request):
        self._current = []
        try:
            response = request()
        finally:
            self.scripts[name], self._current = self._current, None
        return response


def record_scripts(stack):
    """One request of each hot path, served in this process through Django's test client against
    `stack` (chaos.stack.LocalStack); returns {floor URL name: [calls]}."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from chaos.stack import MOLLIE_TEST_KEY
    from payments.models import Order

    mail_backend = settings.EMAIL_BACKEND
    setup_test_environment()
    settings.EMAIL_BACKEND = mail_backend  # SES (moto) as on the shop's server, not Django's test outbox
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.MOLLIE_API_ENDPOINT, settings.MOLLIE_API_KEY = stack.sandbox_url, MOLLIE_TEST_KEY
    settings.SES_ENDPOINT_URL = stack.moto_url
    recorder = Recorder(stack.sandbox_url)
    recorder.install()
    client = Client()
    with stack.models():
        client.get("/en/")  # the catalog in this process's cache, as on a warm shop server
        recorder.record("shop-page", lambda: client.get("/en/"))
        client.post("/en/cart/add/", {"slug": "coffee-beans", "quantity": 1})
        page = client.get("/en/checkout/").content.decode()
        checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', page).group(1)
        form = {"name": "Floor Shopper", "email": "floor@example.com", "checkout_id": checkout_id, **BENCH_ADDRESS}
        answer = recorder.record("checkout", lambda: client.post("/en/checkout/", form))
        assert answer.status_code == 303, answer.status_code
        order = Order.get(client.session["last_order_id"], consistent_read=True)
        stack.settle_at_mollie(order.latest_mollie_payment_id, "paid")
        webhook = {"id": order.latest_mollie_payment_id}
        answer = recorder.record("webhook", lambda: client.post("/payments/webhook/", webhook))
        assert answer.status_code == 200, answer.status_code
        status_url = f"/en/orders/{order.order_id}/{order.public_token}/status.json"
        recorder.record("status-poll", lambda: client.get(status_url))
    return recorder.scripts


def describe(scripts):
    """What each floor replays, e.g. `dynamodb.GetItem×2, mollie POST /v2/payments`."""
    described = {}
    for name, calls in scripts.items():
        steps = [
            f"{call[1]}.{call[2]}" if call[0] == "aws" else f"mollie {call[1]} {_shape(call[2])}" for call in calls
        ]
        described[name] = ", ".join(steps) or "no calls"
    return described


def _shape(path):
    return re.sub(r"/(tr|re)_[A-Za-z0-9]+", r"/\1_…", path.split("?")[0])


# --- the floor server (its own process) ---------------------------------------------------------


class Replayer:
    def __init__(self, scripts, *, aws_endpoint, mollie_endpoint):
        import botocore.session
        from botocore.config import Config

        session = botocore.session.get_session()
        config = Config(max_pool_connections=50, retries={"mode": "standard"})
        self.scripts = scripts
        self.mollie_endpoint = mollie_endpoint.rstrip("/")
        self.clients = {
            service: session.create_client(
                service,
                endpoint_url=aws_endpoint,
                region_name="eu-west-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",  # noqa: S106 (moto's placeholder, loopback only)
                config=config,
            )
            for service in RECORDED_SERVICES
        }
        self._local = threading.local()

    def replay(self, name):
        from botocore.exceptions import ClientError

        for call in self.scripts[name]:
            if call[0] == "aws":
                _, service, operation, params = call
                method = getattr(self.clients[service], _snake(operation))
                try:
                    method(**params)
                except ClientError:
                    pass  # a condition that no longer holds: answered all the same (module docstring)
            else:
                _, method, path, headers, body = call
                headers = {**headers}
                if "Idempotency-Key" in headers:
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                self._session().request(method, self.mollie_endpoint + path, headers=headers, data=body, timeout=30)

    def _session(self):
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session


def _snake(operation):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def serve(scripts_file, port, *, aws_endpoint, mollie_endpoint):
    """The shop's own HTTP server (chaos/server.py: Django's runserver server class, its worker
    pool, `Connection: close`) around a bare WSGI app: only Django's request handling is gone."""
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    from chaos.server import DEFAULT_WORKERS, pooled_server_class

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    replayer = Replayer(
        pickle.loads(Path(scripts_file).read_bytes()),  # noqa: S301 (scripts this bench recorded itself) aws_endpoint=aws_endpoint, mollie_endpoint=mollie_endpoint
    )

    def app(environ, start_response):
        name = environ["PATH_INFO"].removeprefix("/floor/")
        if name not in replayer.scripts:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no such floor"]
        replayer.replay(name)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    WSGIServer.request_queue_size = 1024  # as chaos/server.py
    server = pooled_server_class(DEFAULT_WORKERS)(("127.0.0.1", port), QuietHandler)
    server.set_app(app)
    print(f"floor server listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.floors", description=__doc__.splitlines()[0])
    parser.add_argument("scripts", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--aws-endpoint", required=True)
    parser.add_argument("--mollie-endpoint", required=True)
    args = parser.parse_args(argv)
    serve(args.scripts, args.port, aws_endpoint=args.aws_endpoint, mollie_endpoint=args.mollie_endpoint)


if __name__ == "__main__":
    sys.exit(main())
