"""DynamoDB and Mollie calls per request, counted: `python -m bench.call_counts`.

Counts, for each shopper- or Mollie-facing request, the DynamoDB API calls by operation name
(a `before-call` hook on every botocore DynamoDB client, so botocore's own retries are not
counted twice) and the HTTP calls to Mollie's API (a hook on requests' Session.send, which
mollie-api-python uses). Only calls made by the thread that serves the request are counted:
the requests go through Django's test client, in this thread, against moto and the sandbox.
tests/perf/test_call_counts.py holds the budgets; this module also prints them for `make bench`.
"""

import math
import re
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

from bench.addresses import BENCH_ADDRESS

_active = threading.local()
_installed = False
_install_lock = threading.Lock()


@dataclass
class Calls:
    dynamodb: Counter = field(default_factory=Counter)
    mollie: Counter = field(default_factory=Counter)
    # DynamoDB read capacity units the reads would consume, computed from the items returned by
    # DynamoDB's rules (moto's ConsumedCapacity is a constant): see `_read_units`.
    read_units: float = 0.0

    @property
    def dynamodb_total(self):
        return sum(self.dynamodb.values())

    @property
    def mollie_total(self):
        return sum(self.mollie.values())

    def describe(self):
        dynamodb = ", ".join(f"{name}×{count}" for name, count in sorted(self.dynamodb.items())) or "none"
        mollie = ", ".join(f"{name}×{count}" for name, count in sorted(self.mollie.items())) or "none"
        return f"DynamoDB {self.dynamodb_total} ({dynamodb}); Mollie {self.mollie_total} ({mollie})"


def _count_dynamodb(event_name="", **kwargs):
    calls = getattr(_active, "calls", None)
    if calls is not None:
        calls.dynamodb[event_name.rsplit(".", 1)[-1]] += 1


def _remember_consistency(params=None, **kwargs):
    _active.consistent = bool((params or {}).get("ConsistentRead"))


def _count_read_units(parsed=None, model=None, **kwargs):
    calls = getattr(_active, "calls", None)
    if calls is not None and parsed:
        calls.read_units += _read_units(model.name, parsed, getattr(_active, "consistent", False))


def _read_units(operation, parsed, consistent):
    """Read units by DynamoDB's rules: a Query or Scan is charged by the total size of the items it
    reads, rounded up to 4 KB; GetItem and BatchGetItem per item; transactions twice a strong read;
    an eventually consistent read half. Without a filter expression (as in the staff pages), the
    items read are the items returned."""
    factor = 2.0 if operation == "TransactGetItems" else 1.0 if consistent else 0.5
    if operation in ("Query", "Scan"):
        return factor * max(1, math.ceil(sum(map(item_size, parsed.get("Items", []))) / 4096))
    if operation == "GetItem":
        return factor * max(1, math.ceil(item_size(parsed.get("Item", {})) / 4096))
    if operation == "BatchGetItem":
        items = [item for found in parsed.get("Responses", {}).values() for item in found]
        return factor * sum(max(1, math.ceil(item_size(item) / 4096)) for item in items)
    if operation == "TransactGetItems":
        items = [response.get("Item", {}) for response in parsed.get("Responses", [])]
        return factor * sum(max(1, math.ceil(item_size(item) / 4096)) for item in items)
    return 0.0


def item_size(item):
    """An item's size as DynamoDB counts it: attribute names plus values (UTF-8 bytes)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value):
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return len(content.lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_size(element) for name, element in content.items())
    return sum(len(str(element)) for element in content)  # the set types


def _register(client):
    client.meta.events.register("before-call.dynamodb", _count_dynamodb, unique_id="bench-call-counts")
    client.meta.events.register(
        "before-parameter-build.dynamodb", _remember_consistency, unique_id="bench-call-counts-consistency"
    )
    client.meta.events.register("after-call.dynamodb", _count_read_units, unique_id="bench-call-counts-read-units")


_MOLLIE_ID = re.compile(r"/(tr|re)_[A-Za-z0-9]+")


def _install():
    global _installed
    with _install_lock:
        if _installed:
            return
        from devstack.dynamodb_faults import hook_dynamodb_clients

        hook_dynamodb_clients(_register)
        original_send = requests.Session.send

        def send(session, request, **kwargs):
            calls = getattr(_active, "calls", None)
            if calls is not None:
                from django.conf import settings

                endpoint = settings.MOLLIE_API_ENDPOINT.rstrip("/")
                if endpoint and request.url.startswith(endpoint + "/v2/"):
                    path = _MOLLIE_ID.sub(
                        lambda match: f"/{match.group(1)}_…", request.url[len(endpoint) :].split("?")[0]
                    )
                    calls.mollie[f"{request.method} {path}"] += 1
            return original_send(session, request, **kwargs)

        requests.Session.send = send
        _installed = True


@contextmanager
def counting():
    """Counts the calls this thread makes inside the block."""
    _install()
    calls = Calls()
    _active.calls = calls
    try:
        yield calls
    finally:
        _active.calls = None


# --- the requests measured -----------------------------------------------------------------------


def measure(client, sandbox, article="espresso-cup"):
    """Runs one shopper's journey with Django's test `client`; returns {request: Calls}.

    `sandbox` drives the Mollie sandbox (tests' SandboxControl): the shopper's choice on Mollie's
    page is made through its control API, and webhooks are posted by us, never by the sandbox.
    """
    from payments.models import Order

    sandbox.faults(webhook_drop_rate=1.0)  # the sandbox must not call us behind our back
    results = {}

    def counted(name, call):
        with counting() as calls:
            response = call()
        results[name] = calls
        return response

    from shop.selectors import forget_shop_catalog

    forget_shop_catalog()  # the first shop page of a fresh process (a cold Lambda container)
    counted("shop page (GET /), first in the process", lambda: client.get("/en/"))
    counted("shop page (GET /), again", lambda: client.get("/en/"))
    client.post("/en/cart/add/", {"slug": article, "quantity": 1})
    page = client.get("/en/checkout/").content.decode()
    checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', page).group(1)
    form = {"name": "Ada Lovelace", "email": "ada@example.com", "checkout_id": checkout_id, **BENCH_ADDRESS}
    answer = counted("checkout POST", lambda: client.post("/en/checkout/", form))
    assert answer.status_code == 303, answer.status_code
    counted("checkout POST, double submit", lambda: client.post("/en/checkout/", form))

    order = Order.get(client.session["last_order_id"], consistent_read=True)
    status_url = f"/en/orders/{order.order_id}/{order.public_token}/status.json"
    counted("status poll, open order, pull due", lambda: client.get(status_url))
    counted("status poll, open order, pulled recently", lambda: client.get(status_url))

    sandbox.set_status(order.latest_mollie_payment_id, "paid")
    webhook = {"id": order.latest_mollie_payment_id}
    answer = counted("webhook, first (paid)", lambda: client.post("/payments/webhook/", webhook))
    assert answer.status_code == 200, answer.status_code
    counted("webhook, duplicate", lambda: client.post("/payments/webhook/", webhook))
    counted("status poll, finished order", lambda: client.get(status_url))
    counted("order page, finished order", lambda: client.get(status_url[: -len("status.json")]))
    return results


def report(results, budgets=None):
    lines = ["DynamoDB and Mollie calls per request (counted, one shopper, no faults):"]
    for name, calls in results.items():
        line = f"  {name:<42} {calls.describe()}"
        if budgets and name in budgets:
            line += f"   [budget: DynamoDB {sum(budgets[name]['dynamodb'].values())}, Mollie {budgets[name]['mollie']}]"
        lines.append(line)
    return "\n".join(lines)


def figures(results, budgets):
    """Calls per request as data (artifacts/bench.json), with each request's budget."""
    return {
        name: {
            "dynamodb": dict(sorted(calls.dynamodb.items())),
            "mollie": dict(sorted(calls.mollie.items())),
            "budget": budgets.get(name),
        }
        for name, calls in results.items()
    }


def main(argv=None):
    """Standalone: its own moto and sandbox in this process, fresh tables, the demo catalog."""
    import argparse
    import json
    import os
    import uuid
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m bench.call_counts", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the counts to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret-key-not-for-production-" + "x" * 20)
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:9")  # port 9 discards: no stray webhooks
    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)  # the request log would bury the report
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from config import dynamodb
    from config.tables import ensure_tables
    from devstack.moto_server import MotoServer
    from mollie_sandbox.server import SandboxServer
    from shop.services import seed_catalog

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    moto = MotoServer().start()
    sandbox = SandboxServer(host="127.0.0.1", port=0).start()
    try:
        dynamodb.configure(host=moto.url, prefix=f"bench{uuid.uuid4().hex[:6]}-")
        ensure_tables()
        seed_catalog()
        settings.MOLLIE_API_ENDPOINT = sandbox.url
        settings.MOLLIE_API_KEY = "test_" + "b" * 30
        from tests.perf.test_call_counts import BUDGETS

        results = measure(Client(), _SandboxControl(sandbox.url))
        print(report(results, BUDGETS))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(figures(results, BUDGETS), indent=2))
    finally:
        sandbox.stop()
        moto.stop()


class _SandboxControl:
    def __init__(self, url):
        self.url = url

    def faults(self, **faults):
        requests.post(f"{self.url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()

    def set_status(self, payment_id, status):
        requests.post(
            f"{self.url}/_sandbox/payments/{payment_id}", data={"status": status}, timeout=10
        ).raise_for_status()


if __name__ == "__main__":
    main()
