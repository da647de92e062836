"""Conformance: where real Mollie is stricter than a kind double, the sandbox is as strict.

One test (or a few) per item of issue 18, through the real mollie-api-python client. Each states
Mollie's behaviour and where it is documented; /work/shared/reference/mollie/BEHAVIOUR.md
collects the same sources.
"""

from datetime import datetime

import pytest
import requests
from mollie.api.error import ConflictError, ResponseError, UnprocessableEntityError

from tests.fixtures.sandbox import SandboxControl
from tests.mollie_sandbox.mollie_client import make_client


def eur(value):
    return {"currency": "EUR", "value": value}


def choose(checkout_url, status, method=None):
    data = {"status": status, **({"method": method} if method else {})}
    return requests.post(checkout_url, data=data, allow_redirects=False, timeout=30)


def lifetime_seconds(payment):
    return (datetime.fromisoformat(payment.expires_at) - datetime.fromisoformat(payment.created_at)).total_seconds()


# 1. "Only bank transfer and direct debit payments can be canceled while open" (Mollie staff,
#    mollie/api-documentation#675 and mollie/mollie-api-php#307): isCancelable is false for the
#    rest and DELETE answers 422 "The payment cannot be cancelled".
@pytest.mark.parametrize("method", [None, "ideal", "creditcard", "paypal", "bancontact"])
def test_1_open_payment_without_bank_transfer_cannot_be_canceled(sandbox, client, payment_data, method):
    payment = client.payments.create(payment_data(**({"method": method} if method else {})))
    assert payment.is_cancelable is False
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.delete(payment.id)
    assert refused.value.status == 422
    assert client.payments.get(payment.id).status == "open"


def test_1_open_bank_transfer_can_be_canceled(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    # The shopper picks bank transfer in the hosted checkout and goes back to the shop.
    assert choose(payment.checkout_url, "open", method="banktransfer").status_code == 303
    chosen = client.payments.get(payment.id)
    assert chosen.method == "banktransfer" and chosen.is_cancelable is True
    assert client.payments.delete(payment.id).status == "canceled"


# 1 and 8. Mollie expires open payments itself, per method (docs.mollie.com, "Payment status
#    changes"): 15 minutes for iDEAL or no method, 30 for card, 1 hour for Bancontact, 72 hours for
#    PayPal, 12 days (or more) for bank transfer.
@pytest.mark.parametrize(
    "method, seconds",
    [
        (None, 900),
        ("ideal", 900),
        ("creditcard", 1800),
        ("bancontact", 3600),
        ("paypal", 72 * 3600),
        ("banktransfer", 12 * 24 * 3600),
    ],
)
def test_1_8_expiry_per_method(make_sandbox, client_for, payment_data, method, seconds):
    client = client_for(make_sandbox(expiry_seconds=900).url)
    payment = client.payments.create(payment_data(**({"method": method} if method else {})))
    assert lifetime_seconds(payment) == seconds


def test_1_8_choosing_a_method_in_checkout_sets_its_expiry(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    choose(payment.checkout_url, "open", method="banktransfer")
    assert lifetime_seconds(client.payments.get(payment.id)) == 12 * 24 * 3600


def test_1_8_expired_by_mollie_calls_the_webhook(make_sandbox, client_for, payment_data, receiver, wait_until):
    server = make_sandbox(expiry_seconds=0.2)
    client = client_for(server.url)
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    wait_until(lambda: receiver.calls)
    assert client.payments.get(payment.id).status == "expired"
    assert receiver.bodies() == [f"id={payment.id}"]


# 8. A pending payment (PayPal may stay pending for more than 48 hours: mollie/mollie-api-python#129)
#    does not expire with the open payments' clock, and gets no webhook while pending
#    (docs.mollie.com, "Webhooks": never on open or pending).
def test_8_pending_outlives_the_expiry_without_a_webhook(make_sandbox, client_for, payment_data, receiver, wait_until):
    server = make_sandbox(expiry_seconds=0.2)
    client = client_for(server.url)
    payment = client.payments.create(payment_data(webhookUrl=receiver.url, method="paypal"))
    assert choose(payment.checkout_url, "pending").status_code == 303
    later = client.payments.create(payment_data())  # a payment that does expire meanwhile
    wait_until(lambda: client.payments.get(later.id).status == "expired")
    assert client.payments.get(payment.id).status == "pending"
    assert receiver.calls == []


# 2. Mollie lowers amountRemaining when a refund is created, amountRefunded only once it is
#    processed (payment object reference; mollie/Shopware6#89), and allows up to EUR 25.00 more
#    than the payment (refunds guide).
def test_2_pending_refund_lowers_remaining_not_refunded(sandbox, client, payment_data, set_status):
    payment = client.payments.create(payment_data())
    set_status(sandbox, payment.id, "paid")
    refund = client.payments.get(payment.id).refunds.create({"amount": eur("10.00")})
    SandboxControl(sandbox.url).set_refund_status(refund.id, "pending")
    pending = client.payments.get(payment.id)
    assert pending.amount_remaining == eur("0.00")
    assert pending.amount_refunded == eur("0.00")
    # The allowance: EUR 25.00 beyond the payment, no more.
    extra = pending.refunds.create({"amount": eur("25.00")})
    SandboxControl(sandbox.url).set_refund_status(extra.id, "pending")
    with pytest.raises(UnprocessableEntityError) as refused:
        pending.refunds.create({"amount": eur("0.01")})
    assert refused.value.field == "amount"
    SandboxControl(sandbox.url).set_refund_status(refund.id, "refunded")
    assert client.payments.get(payment.id).amount_refunded == eur("10.00")


# 3. Mollie calls the payment's webhook when a refund reaches processing, refunded or failed; not
#    on creation and not on canceled (docs.mollie.com, "Webhooks").
def test_3_refund_webhooks_only_on_processing_refunded_failed(
    make_sandbox, client_for, payment_data, set_status, receiver, logged_deliveries
):
    # Refunds settle after 2 minutes of the scaled clock: 2 s here, so they stay pending meanwhile.
    server = make_sandbox(time_scale=1.0)
    client = client_for(server.url)
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    set_status(server, payment.id, "paid")
    paid = client.payments.get(payment.id)
    canceled = paid.refunds.create({"amount": eur("1.00")})
    paid.refunds.delete(canceled.id)
    failed = paid.refunds.create({"amount": eur("2.00")})
    for status in ("processing", "failed"):
        SandboxControl(server.url).set_refund_status(failed.id, status)
    events = [entry["event"] for entry in logged_deliveries(server, 3)]
    assert sorted(events) == ["payment.paid", "refund.failed", "refund.processing"]


# 4. Mollie remembers an Idempotency-Key for one hour (docs.mollie.com, "API idempotency"). The
#    lost-answer fault carries a request out and loses its answer; once the key is forgotten, the
#    same POST makes a second refund, which is why the refunds guide says to list first.
def test_4_lost_answer_then_key_forgotten_posts_twice(sandbox, client, payment_data, set_status):
    payment = client.payments.create(payment_data())
    set_status(sandbox, payment.id, "paid")
    refunds = client.payments.get(payment.id).refunds
    SandboxControl(sandbox.url).faults(api_lost_answer_rate=1.0)
    with pytest.raises(ResponseError) as lost:
        refunds.create({"amount": eur("3.00")}, idempotency_key="refund-1")
    assert lost.value.status == 504
    SandboxControl(sandbox.url).clear_faults()
    # Within the hour the key replays the refund that was made.
    replayed = refunds.create({"amount": eur("3.00")}, idempotency_key="refund-1")
    assert [r.id for r in refunds.list()] == [replayed.id]
    # An hour later the key is forgotten: the refund list is the only way to know it exists.
    SandboxControl(sandbox.url).forget_idempotency_keys()
    with pytest.raises(ConflictError):  # a second 3.00 within the hour is a duplicate (item 6)
        refunds.create({"amount": eur("3.00")}, idempotency_key="refund-1")


# 5. Idempotency keys are honoured on POST only; Mollie ignores them on PATCH and DELETE
#    (docs.mollie.com, "API idempotency"): a repeated cancel is refused with 422.
def test_5_repeated_cancel_with_the_same_key_is_refused(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(method="banktransfer"))
    assert client.payments.delete(payment.id, idempotency_key="cancel-x").status == "canceled"
    with pytest.raises(UnprocessableEntityError):
        client.payments.delete(payment.id, idempotency_key="cancel-x")


# 6. "Duplicate Refunds (same amount as another Refund on the same Payment within the hour) are
#    now blocked by the API" (docs.mollie.com changelog, 2020-03-12): 409 "A duplicate refund has
#    been detected." (mollie/magento2#456; mollie/mollie-api-node#256).
def test_6_duplicate_refund_is_refused(sandbox, client, payment_data, set_status):
    payment = client.payments.create(payment_data(amount=eur("100.00")))
    set_status(sandbox, payment.id, "paid")
    paid = client.payments.get(payment.id)
    paid.refunds.create({"amount": eur("10.00")})
    with pytest.raises(ConflictError) as refused:
        paid.refunds.create({"amount": eur("10.00")})
    assert refused.value.status == 409 and "duplicate refund" in str(refused.value)
    paid.refunds.create({"amount": eur("10.01")})  # another amount is fine


# 7. With no method given, a failed or canceled attempt inside a method sends the shopper back to
#    method selection; the payment stays open, no webhook, no redirect (mollie/mollie-api-php#510).
@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_7_failure_inside_checkout_keeps_the_payment_open(sandbox, client, payment_data, receiver, status):
    payment = client.payments.create(payment_data(webhookUrl=receiver.url))
    page = choose(payment.checkout_url, status, method="ideal")
    assert page.status_code == 200 and "Choose a method to try again" in page.text
    assert client.payments.get(payment.id).status == "open"
    said = {"failed": "Your iDEAL payment did not go through.", "canceled": "You canceled your iDEAL payment."}
    assert said[status] in page.text and " was failed" not in page.text
    # The shopper gives up and returns to the shop: still open, still no webhook.
    back = choose(payment.checkout_url, "open")
    assert back.status_code == 303 and back.headers["Location"] == payment.redirect_url
    assert client.payments.get(payment.id).status == "open"
    assert SandboxControl(sandbox.url).webhooks() == []
    # And may still pay.
    choose(payment.checkout_url, "paid", method="creditcard")
    paid = client.payments.get(payment.id)
    assert paid.status == "paid" and paid.method == "creditcard"


@pytest.mark.parametrize(
    "status, said",
    [("failed", "Your card payment did not go through."), ("canceled", "You canceled your card payment.")],
)
def test_7_the_checkout_says_what_happened_in_plain_words(sandbox, client, payment_data, status, said):
    payment = client.payments.create(payment_data())
    page = choose(payment.checkout_url, status, method="creditcard")
    assert said in page.text and "Credit card payment was" not in page.text


# 9. Mollie answers 429 when called too fast (docs.mollie.com, "Rate limiting").
def test_9_rate_limit_fault_answers_429(sandbox, client, payment_data):
    SandboxControl(sandbox.url).faults(api_rate_limit_rate=1.0)
    with pytest.raises(ResponseError) as limited:
        client.payments.create(payment_data())
    assert limited.value.status == 429
    SandboxControl(sandbox.url).clear_faults()
    assert client.payments.list().count == 0  # nothing was made


# 10. Mollie refuses a webhookUrl it cannot reach: 422 on webhookUrl, "The webhook URL is invalid
#     because it is unreachable from Mollie's point of view" (create-payment reference;
#     mollie/magento2#230; mollie/laravel-mollie#138). The strict mode does the same.
@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/payments/webhook/",
        "http://127.0.0.1:8000/payments/webhook/",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.5/hook",
        "http://shop.local/hook",
    ],
)
def test_10_strict_mode_refuses_unreachable_webhook_urls(make_sandbox, payment_data, url):
    client = make_client(make_sandbox(strict=True).url)
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.create(payment_data(webhookUrl=url))
    assert refused.value.field == "webhookUrl"
    assert "unreachable from Mollie's point of view" in str(refused.value)


def test_10_strict_mode_accepts_public_or_no_webhook_url(make_sandbox, payment_data):
    client = make_client(make_sandbox(strict=True).url)
    assert client.payments.create(payment_data(webhookUrl="https://shop.example.org/payments/webhook/")).id
    assert client.payments.create(payment_data()).webhook_url is None
    payment = client.payments.create(payment_data())
    with pytest.raises(UnprocessableEntityError):
        client.payments.update(payment.id, {"webhookUrl": "http://127.0.0.1/hook"})


def test_10_default_mode_still_calls_local_webhooks(sandbox, client, payment_data):
    assert client.payments.create(payment_data(webhookUrl="http://127.0.0.1:9/hook")).id


def test_10_strict_from_the_environment(monkeypatch):
    from mollie_sandbox.__main__ import parse_args

    monkeypatch.setenv("MOLLIE_SANDBOX_STRICT", "1")
    assert parse_args([]).strict is True
    monkeypatch.setenv("MOLLIE_SANDBOX_STRICT", "0")
    assert parse_args([]).strict is False
    assert parse_args(["--strict"]).strict is True
