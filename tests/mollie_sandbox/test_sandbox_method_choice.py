"""Conformance: the hosted checkout asks for a method, and the payment shows it with its details.

Mollie's hosted checkout first asks a shopper for a method when the payment was created without
one; the payment then carries `method` and method-specific `details` ("Payment method-specific
details", docs.mollie.com, "Get payment"). Since iDEAL 2.0 (April 2025) the bank is chosen on
iDEAL's own page, so there is no issuer list. Issue 19.
"""

import re
import threading
from pathlib import Path

import pytest
import requests

CHROMIUM = Path("/usr/bin/chromium")


def choose(checkout_url, status, method=None):
    data = {"status": status, **({"method": method} if method else {})}
    return requests.post(checkout_url, data=data, allow_redirects=False, timeout=30)


def offered_methods(page_html):
    return re.findall(r'<input type="radio" name="method" value="(\w+)"', page_html)


def test_checkout_asks_for_a_method_without_an_issuer_list(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    page = requests.get(payment.checkout_url, timeout=30).text
    assert "<legend>Payment method</legend>" in page
    assert offered_methods(page) == ["ideal", "creditcard", "bancontact", "banktransfer", "paypal"]
    assert re.search(r'value="ideal" checked>', page)  # preselected, so an outcome works at once
    assert "issuer" not in page.lower()
    # Each method is a labelled radio button, with the sandbox's own image.
    assert re.search(
        r'<label class="method"><input type="radio" name="method" value="paypal"> '
        r'<img src="/images/methods/paypal.svg" alt=""[^>]*> PayPal</label>',
        page,
    )


def test_checkout_offers_only_the_methods_that_fit(sandbox, client, payment_data):
    usd = client.payments.create(payment_data(amount={"currency": "USD", "value": "10.00"}))
    assert offered_methods(requests.get(usd.checkout_url, timeout=30).text) == ["creditcard", "paypal"]
    big = client.payments.create(payment_data(amount={"currency": "EUR", "value": "20000.00"}))
    assert offered_methods(requests.get(big.checkout_url, timeout=30).text) == ["ideal", "bancontact", "banktransfer"]
    some = client.payments.create(payment_data(method=["paypal", "creditcard"]))
    assert offered_methods(requests.get(some.checkout_url, timeout=30).text) == ["creditcard", "paypal"]
    # A method the payment cannot use is refused, and nothing changes.
    assert choose(usd.checkout_url, "paid", method="ideal").status_code == 400
    assert client.payments.get(usd.id).status == "open"
    # Without a method in the form, the first that fits is used.
    choose(usd.checkout_url, "paid")
    assert client.payments.get(usd.id).method == "creditcard"


def test_with_a_method_given_the_checkout_goes_straight_to_the_outcomes(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(method="creditcard"))
    page = requests.get(payment.checkout_url, timeout=30).text
    assert offered_methods(page) == []
    assert re.findall(r'<button type="submit" name="status" value="\w+">([\w ]+)</button>', page) == [
        "Paid",
        "Failed",
        "Canceled",
        "Expired",
        "Pending",
        "Back to the shop",
    ]


@pytest.mark.parametrize(
    "method, details",
    [
        ("ideal", {"consumerName": "T. TEST", "consumerAccount": "NL69INGB0123456789", "consumerBic": "INGBNL2A"}),
        ("creditcard", {"cardHolder": "T. TEST", "cardNumber": "4242", "cardLabel": "Visa", "cardCountryCode": "NL"}),
        ("bancontact", {"cardNumber": "1234", "consumerName": "T. TEST"}),
        ("paypal", {"consumerName": "T. TEST", "consumerAccount": "test@example.org"}),
    ],
)
def test_the_chosen_method_and_its_details_are_on_the_paid_payment(sandbox, client, payment_data, method, details):
    payment = client.payments.create(payment_data())
    assert payment.method is None and payment.details is None
    assert choose(payment.checkout_url, "paid", method=method).status_code == 303
    paid = client.payments.get(payment.id)
    assert paid.method == method
    assert details.items() <= paid.details.items()


def test_a_refused_card_shows_the_card_an_open_payment_has_no_details(sandbox, client, payment_data):
    card = client.payments.create(payment_data(method="creditcard"))
    assert card.details is None
    choose(card.checkout_url, "failed")
    assert client.payments.get(card.id).details["cardNumber"] == "4242"
    ideal = client.payments.create(payment_data(method="ideal"))
    choose(ideal.checkout_url, "expired")
    assert client.payments.get(ideal.id).details is None  # nobody paid: no consumer to show


def test_control_api_can_say_which_method_paid(sandbox, client, payment_data):
    payment = client.payments.create(payment_data())
    answer = requests.post(
        f"{sandbox.url}/_sandbox/payments/{payment.id}", data={"status": "paid", "method": "ideal"}, timeout=30
    )
    assert answer.status_code == 200
    paid = client.payments.get(payment.id)
    assert paid.method == "ideal" and paid.details["consumerBic"] == "INGBNL2A"
    other = client.payments.create(payment_data(amount={"currency": "USD", "value": "5.00"}))
    refused = requests.post(
        f"{sandbox.url}/_sandbox/payments/{other.id}", data={"status": "paid", "method": "ideal"}, timeout=30
    )
    assert refused.status_code == 422 and refused.json()["field"] == "amount.currency"


def _pay_by_card_in_chromium(checkout_url, landing_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.goto(checkout_url)
            methods = page.get_by_role("group", name="Payment method")
            expect(methods.get_by_role("radio")).to_have_count(5)
            expect(page.get_by_role("radio", name="iDEAL")).to_be_checked()
            page.get_by_role("radio", name="Credit card").check()
            page.get_by_role("button", name="Paid", exact=True).click()
            page.wait_for_url(landing_url)
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Debian's Chromium at {CHROMIUM}")
def test_a_shopper_chooses_a_method_by_its_label_in_a_browser(sandbox, client, payment_data):
    landing_url = f"{sandbox.url}/_sandbox/health"
    payment = client.payments.create(payment_data(redirectUrl=landing_url))
    # Playwright's sync API refuses a thread whose event loop is running (the browser tests' session
    # fixture may hold one); its own thread has none.
    failures = []
    worker = threading.Thread(
        target=lambda: _run_collecting(failures, _pay_by_card_in_chromium, payment.checkout_url, landing_url)
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the browser did not finish within 120 s"
    if failures:
        raise failures[0]
    paid = client.payments.get(payment.id)
    assert paid.status == "paid" and paid.method == "creditcard" and paid.details["cardLabel"] == "Visa"


def _run_collecting(failures, function, *args):
    try:
        function(*args)
    except BaseException as error:  # noqa: BLE001 (handed to the test's own thread)
        failures.append(error)
