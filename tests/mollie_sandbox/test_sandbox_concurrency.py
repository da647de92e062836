"""Many clients at once: the threaded server keeps its state consistent."""

from concurrent.futures import ThreadPoolExecutor

import requests
from mollie.api.error import ConflictError

from tests.fixtures.sandbox import SandboxControl
from tests.mollie_sandbox.mollie_client import make_client


def test_concurrent_creates_pays_and_refunds(sandbox, payment_data):
    def shopper(n):
        client = make_client(sandbox.url)
        payment = client.payments.create(payment_data(description=f"Order {n}"))
        requests.post(
            payment.checkout_url, data={"status": "paid"}, allow_redirects=False, timeout=30
        ).raise_for_status()
        payment = client.payments.get(payment.id)
        payment.refunds.create({"amount": {"currency": "EUR", "value": "2.50"}})
        client.payments.list(limit=5)
        return payment.id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(shopper, range(40)))

    assert len(set(ids)) == 40
    payments = SandboxControl(sandbox.url).payments()
    assert {p["id"] for p in payments} == set(ids)
    for payment in payments:
        assert payment["status"] == "paid"
        assert payment["amountRemaining"] == {"currency": "EUR", "value": "7.50"}
        assert len(payment["_embedded"]["refunds"]) == 1


def test_one_idempotency_key_from_many_threads_makes_one_payment(sandbox, payment_data):
    def create(_):
        try:
            return make_client(sandbox.url).payments.create(payment_data(), idempotency_key="contended").id
        except ConflictError:
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create, range(24)))

    created = {r for r in results if r is not None}
    assert len(created) == 1
    assert [p["id"] for p in SandboxControl(sandbox.url).payments()] == list(created)
