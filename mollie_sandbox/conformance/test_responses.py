"""Each answer of each operation the sandbox implements, parsed strictly by the description's models.

The steps are an integrator's: create a payment, read it, list, update, pay on the hosted checkout,
refund, cancel, chargebacks, methods, and the errors on the way. The ``mollie`` fixture checks every
answer when the test ends (``strict.ResponseCheck``); the asserts here are the behaviour.
"""

import pytest
import requests

# Mollie's test helpers (docs.mollie.com/reference/testing) are pages for a person: the test-mode
# checkout screen, where one picks the outcome, and the `changePaymentState` link of test payments.
# Neither is an API, so the steps behind them run on the sandbox only.
NO_HOSTED_CHECKOUT_API = (
    "paying needs a person on Mollie's test-mode checkout screen; Mollie documents no API for it "
    "(docs.mollie.com/reference/testing)"
)


def pay_on_hosted_checkout(target, payment):
    target.needs_sandbox(NO_HOSTED_CHECKOUT_API)
    checkout = payment["_links"]["checkout"]["href"]
    # What a shopper's browser sends on the sandbox's checkout page (a form POST, no API key).
    answer = requests.post(checkout, data={"method": "ideal", "status": "paid"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 303


def test_a_payment_is_created_read_listed_and_updated(mollie, target):
    created = mollie.create_payment(target.payment_body())
    assert created["status"] == "open" and created["_links"]["checkout"]["href"]

    assert mollie.get_payment(created["id"])["id"] == created["id"]
    listed = mollie.list_payments(limit=5)
    assert created["id"] in [payment["id"] for payment in listed["_embedded"]["payments"]]
    updated = mollie.update_payment(created["id"], {"description": "Conformance order 1, updated"})
    assert updated["description"] == "Conformance order 1, updated"


def test_a_paid_payment_is_refunded_and_the_refund_canceled(mollie, target):
    payment = mollie.create_payment(target.payment_body())
    pay_on_hosted_checkout(target, payment)
    paid = mollie.get_payment(payment["id"])
    assert paid["status"] == "paid" and paid["method"] == "ideal"

    refund = mollie.create_refund(
        payment["id"], {"amount": {"currency": "EUR", "value": "2.50"}, "description": "Back"}
    )
    assert refund["status"] in ("queued", "pending") and refund["paymentId"] == payment["id"]
    assert mollie.get_refund(payment["id"], refund["id"])["id"] == refund["id"]
    assert [item["id"] for item in mollie.list_refunds(payment["id"])["_embedded"]["refunds"]] == [refund["id"]]
    embedded = mollie.get_payment(payment["id"], embed="refunds")
    assert embedded["_embedded"]["refunds"][0]["id"] == refund["id"]

    assert mollie.cancel_refund(payment["id"], refund["id"]) is None  # 204, no body
    assert mollie.get_refund(payment["id"], refund["id"])["status"] == "canceled"


def test_an_open_bank_transfer_is_canceled_and_a_paid_payment_is_not(mollie, target):
    transfer = mollie.create_payment(target.payment_body(method="banktransfer"))
    if transfer.get("field") == "method":
        pytest.skip(f"bank transfer is not enabled on this Mollie profile: {transfer['detail']}")
    assert transfer["isCancelable"] is True
    assert mollie.cancel_payment(transfer["id"])["status"] == "canceled"

    payment = mollie.create_payment(target.payment_body())
    pay_on_hosted_checkout(target, payment)
    refused = mollie.cancel_payment(payment["id"])
    assert refused["status"] == 422


def test_chargebacks_are_listed_per_payment_and_for_the_account(mollie, target):
    everything = mollie.list_all_chargebacks()
    assert "chargebacks" in everything["_embedded"]

    payment = mollie.create_payment(target.payment_body())
    pay_on_hosted_checkout(target, payment)
    target.needs_sandbox(
        "a test chargeback is made by a person through the payment's `changePaymentState` page; Mollie "
        "documents no API for it (docs.mollie.com/reference/testing)"
    )
    made = requests.post(
        f"{target.base_url}/_sandbox/payments/{payment['id']}/chargebacks", json={"reason": "MD06"}, timeout=10
    )
    assert made.status_code == 201
    listed = mollie.list_chargebacks(payment["id"])["_embedded"]["chargebacks"]
    assert [chargeback["id"] for chargeback in listed] == [made.json()["id"]]
    assert mollie.get_chargeback(payment["id"], made.json()["id"])["paymentId"] == payment["id"]
    assert payment["id"] in [item["paymentId"] for item in mollie.list_all_chargebacks()["_embedded"]["chargebacks"]]


def test_methods_are_listed_for_an_amount_and_read_one_by_one(mollie, target):
    every = mollie.list_methods()
    assert "ideal" in [method["id"] for method in every["_embedded"]["methods"]]
    for_amount = mollie.list_methods(amount={"currency": "EUR", "value": "100.00"})
    assert for_amount["count"] >= 1
    assert mollie.get_method("ideal")["id"] == "ideal"


def test_errors_have_mollies_shape(mollie, target):
    missing = mollie.get_payment("tr_doesNotExist1")
    assert missing["status"] == 404 and missing["title"] == "Not Found"
    refused = mollie.create_refund(missing_id := "tr_doesNotExist1", {"amount": {"currency": "EUR", "value": "1.00"}})
    assert refused["status"] == 404 and missing_id in refused["detail"]
