"""Choosing a payment method at checkout, and the method and its details where people see them
(issue 19), against moto and the Mollie sandbox."""

import re

from payments.models import Order, OrderStatus, PaymentAttempt, PaymentEvent
from tests.fixtures.shopper import checkout_form


def methods_offered(page):
    return re.findall(r'name="method" value="([a-z0-9]*)"', page)


def methods_requests(sandbox):
    return [call for call in sandbox.requests() if call["path"] == "/v2/methods"]


def sandbox_payment(shopper, order=None):
    order = order or shopper.last_order()
    return shopper.sandbox.payment(order.latest_mollie_payment_id)


def test_the_checkout_page_offers_mollies_methods_for_the_amount_with_their_pictures(shopper):
    shopper.add("espresso-cup")

    page = shopper.client.get("/en/checkout/").content.decode()

    # Pay later for the billing country (the delivery country, NL): Klarna and Riverty, not in3 (its minimum).
    offered = ["", "ideal", "creditcard", "bancontact", "banktransfer", "paypal", "klarna", "riverty"]
    assert methods_offered(page) == offered
    assert "Pay in 30 days with Riverty" in page and "Pay later with Klarna" in page
    assert "Choose on Mollie&#x27;s payment page" in page or "Choose on Mollie's payment page" in page
    assert f'src="{shopper.sandbox.url}/images/methods/ideal.png"' in page
    assert "issuer" not in page.lower()  # iDEAL 2.0: the bank is chosen on iDEAL's own page


def test_the_pictures_are_allowed_by_the_content_security_policy(shopper):
    shopper.add("espresso-cup")

    response = shopper.client.get("/en/checkout/")

    img_src = re.search(r"img-src ([^;]*)", response["Content-Security-Policy"]).group(1)
    assert shopper.sandbox.url in img_src


def test_page_views_and_the_submit_cost_one_methods_call(shopper):
    shopper.add("espresso-cup")
    shopper.client.get("/en/checkout/")
    shopper.client.get("/en/checkout/")  # a reload, a second tab

    shopper.checkout(method="ideal")

    assert len(methods_requests(shopper.sandbox)) == 1


def test_a_chosen_method_goes_into_the_payment_and_is_shown_once_paid(shopper):
    shopper.add("espresso-cup")
    response = shopper.checkout(method="ideal")

    assert response.status_code == 303
    assert sandbox_payment(shopper)["method"] == "ideal"
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)

    attempt = PaymentAttempt.get(shopper.last_order().order_id, 1)
    assert attempt.method == "ideal"
    assert attempt.method_details.consumerBic == "INGBNL2A"
    assert "Paid with iDEAL (ING)" in shopper.order_page().content.decode()


def test_a_card_payment_chosen_on_mollies_page_shows_the_last_four_digits(shopper):
    shopper.buy()
    order = shopper.last_order()
    assert "method" not in sandbox_payment(shopper) or sandbox_payment(shopper)["method"] is None

    shopper.sandbox.set_status(order.latest_mollie_payment_id, "paid", method="creditcard")
    shopper.webhook(order.latest_mollie_payment_id)

    page = shopper.order_page().content.decode()
    assert "Paid by card ending 4242 (Visa)" in page
    assert shopper.last_order().latest_method == "creditcard"


def test_a_forged_method_is_a_form_error_and_places_no_order(shopper):
    shopper.add("espresso-cup")

    response = shopper.checkout(method="bitcoin<script>")

    assert response.status_code == 422
    page = response.content.decode()
    assert "That payment method is not available for this order" in page
    assert "bitcoin<script>" not in page  # never echoed unescaped
    assert list(Order.scan()) == []


def test_a_method_that_does_not_fit_the_amount_is_a_form_error(shopper, catalog):
    from shop.services import save_article

    save_article(
        slug="espresso-machine",
        name="Espresso machine",
        description="Dual boiler.",
        price_cents=600000,
        currency="EUR",
        picture="",
        active=True,
        stock=None,
    )
    shopper.add("espresso-machine", 2)  # EUR 12,000.00: above what cards and PayPal take (10,000.00)

    page = shopper.client.get("/en/checkout/").content.decode()
    response = shopper.checkout(method="creditcard")

    assert "creditcard" not in methods_offered(page) and "ideal" in methods_offered(page)
    assert response.status_code == 422
    assert "That payment method is not available for this order" in response.content.decode()
    assert list(Order.scan()) == []


def test_when_mollie_cannot_list_methods_the_shopper_chooses_on_mollies_page(shopper):
    shopper.add("espresso-cup")
    shopper.sandbox.faults(api_error_rate=1.0)

    page = shopper.client.get("/en/checkout/")

    assert page.status_code == 200
    assert methods_offered(page.content.decode()) == []
    assert "you choose how to pay on Mollie" in page.content.decode()
    shopper.sandbox.clear_faults()
    assert shopper.checkout().status_code == 303  # the fallback is remembered briefly: no choice, no wait


def test_a_method_posted_while_mollie_cannot_list_methods_is_a_form_error(shopper):
    shopper.add("espresso-cup")
    checkout_id = shopper.checkout_id()  # with the list
    from payments.services import forget_methods

    forget_methods()
    shopper.sandbox.faults(api_error_rate=1.0)

    response = shopper.checkout(method="ideal", checkout_id=checkout_id)

    assert response.status_code == 422
    assert "We cannot check payment methods right now" in response.content.decode()


def test_back_from_mollie_another_method_continues_the_same_payment_with_it(shopper):
    shopper.add("espresso-cup")
    first = shopper.checkout(method="ideal")

    second = shopper.checkout(method="paypal")  # back from Mollie's page, another choice

    assert second["Location"] == first["Location"]
    [payment] = shopper.sandbox.payments()
    assert payment["method"] == "paypal"
    order = shopper.last_order()
    assert order.status == OrderStatus.PENDING_PAYMENT and order.latest_method == "paypal"
    assert PaymentAttempt.get(order.order_id, 1).method == "paypal"


def test_back_from_mollie_without_a_choice_keeps_the_payment_as_it_is(shopper):
    shopper.add("espresso-cup")
    first = shopper.checkout(method="ideal")

    second = shopper.checkout()

    assert second["Location"] == first["Location"]
    assert [p["method"] for p in shopper.sandbox.payments()] == ["ideal"]


def test_when_mollie_will_not_change_the_method_the_payment_continues_as_it_is(shopper):
    shopper.add("espresso-cup")
    first = shopper.checkout(method="ideal")
    shopper.sandbox.faults(api_error_rate=1.0)  # the list is cached; the update fails

    second = shopper.checkout(method="paypal")

    shopper.sandbox.clear_faults()
    assert second.status_code == 303 and second["Location"] == first["Location"]
    assert [p["method"] for p in shopper.sandbox.payments()] == ["ideal"]


def test_two_tabs_choosing_different_methods_at_once_make_one_payment(shopper):
    from django.test import Client

    from tests.concurrency import run_concurrently

    shopper.add("espresso-cup")
    checkout_id = shopper.checkout_id()
    other_tab = Client()
    other_tab.cookies = shopper.client.cookies  # the same browser, so the same cart

    def submit(client, method):
        form = checkout_form(checkout_id, method=method)
        return lambda: client.post("/en/checkout/", form)

    answers = run_concurrently(submit(shopper.client, "ideal"), submit(other_tab, "paypal"))

    assert [answer.status_code for answer in answers] == [303, 303]
    assert answers[0]["Location"] == answers[1]["Location"]
    [payment] = shopper.sandbox.payments()
    assert payment["method"] in ("ideal", "paypal")
    shopper.webhook(shopper.pay_at_mollie("paid"))
    assert (
        PaymentAttempt.get(shopper.last_order().order_id, 1).method == shopper.sandbox.payment(payment["id"])["method"]
    )


def stale_method_list(shopper, monkeypatch, extra="eps"):  # EPS: a method the sandbox profile does not have
    """The checkout page as shown minutes ago, when Mollie still listed `extra`: the shop's cache
    keeps that list for five minutes, while Mollie (the sandbox) does not offer the method now."""
    from payments import mollie

    listed = mollie.list_methods

    def with_extra(**query):
        return [*listed(**query), mollie.MollieMethod(extra, extra.title(), "", "")]

    monkeypatch.setattr(mollie, "list_methods", with_extra)
    checkout_id = shopper.checkout_id()
    monkeypatch.setattr(mollie, "list_methods", listed)
    return checkout_id


def test_a_method_mollie_refuses_at_creation_leaves_the_choice_to_mollies_page(shopper, monkeypatch):
    shopper.add("espresso-cup")
    checkout_id = stale_method_list(shopper, monkeypatch)

    response = shopper.checkout(method="eps", checkout_id=checkout_id)

    assert response.status_code == 303
    [payment] = shopper.sandbox.payments()
    assert response["Location"] == payment["_links"]["checkout"]["href"]
    assert payment.get("method") is None  # the shopper chooses on Mollie's page
    order = shopper.last_order()
    attempt = PaymentAttempt.get(order.order_id, 1)
    assert attempt.status == "open" and attempt.method is None and order.attempt_count == 1
    assert "method_refused" in [event.kind for event in PaymentEvent.query(order.order_id)]
    shopper.webhook(shopper.pay_at_mollie("paid"))
    assert shopper.last_order().status == OrderStatus.PAID


def test_after_a_refused_method_the_checkout_page_asks_mollie_for_its_list_again(shopper, monkeypatch):
    from django.test import Client

    shopper.add("espresso-cup")
    checkout_id = stale_method_list(shopper, monkeypatch)
    shopper.checkout(method="eps", checkout_id=checkout_id)
    another_shopper = Client()
    another_shopper.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": 1})  # the same amount
    before = len(methods_requests(shopper.sandbox))

    page = another_shopper.get("/en/checkout/").content.decode()

    assert len(methods_requests(shopper.sandbox)) == before + 1
    assert "eps" not in methods_offered(page)


def test_a_refused_method_twice_at_once_makes_one_payment(shopper, monkeypatch):
    from django.test import Client

    from tests.concurrency import run_concurrently

    shopper.add("espresso-cup")
    checkout_id = stale_method_list(shopper, monkeypatch)
    other_tab = Client()
    other_tab.cookies = shopper.client.cookies
    form = checkout_form(checkout_id, method="eps")

    answers = run_concurrently(
        lambda: shopper.client.post("/en/checkout/", form), lambda: other_tab.post("/en/checkout/", form)
    )

    assert [answer.status_code for answer in answers] == [303, 303]
    assert len(shopper.sandbox.payments()) == 1
    assert answers[0]["Location"] == answers[1]["Location"]


def test_try_again_after_mollie_was_down_for_the_fallback_reuses_its_key(shopper, monkeypatch):
    from payments import mollie

    shopper.add("espresso-cup")
    checkout_id = stale_method_list(shopper, monkeypatch)
    create = mollie.create_payment
    calls = []

    def down_after_the_refusal(**request):
        calls.append(request)
        if len(calls) == 2:
            raise mollie.PaymentProviderUnavailable("Mollie answered 503 to create payment")
        return create(**request)

    monkeypatch.setattr(mollie, "create_payment", down_after_the_refusal)
    shopper.checkout(method="eps", checkout_id=checkout_id)
    order = shopper.last_order()
    assert "Try again" in shopper.order_page().content.decode()

    response = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")

    assert response.status_code == 303
    assert len(shopper.sandbox.payments()) == 1
    assert calls[0]["idempotency_key"] != calls[1]["idempotency_key"] == calls[2]["idempotency_key"]
    assert calls[1].get("method") is None and calls[2].get("method") is None


# --- "Pay again" / "Try again" with a method choice ----------------------------------------------


def pay_again(shopper, method=None, order=None):
    order = order or shopper.last_order()
    return shopper.client.post(
        f"/en/orders/{order.order_id}/{order.public_token}/pay/", {"method": method} if method is not None else {}
    )


def failed_payment(shopper):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("failed"))
    return shopper.last_order()


def test_pay_again_offers_the_methods_and_sends_the_one_chosen(shopper):
    order = failed_payment(shopper)
    page = shopper.order_page().content.decode()
    assert "Pay again" in page
    assert methods_offered(page) == [
        "",
        "ideal",
        "creditcard",
        "bancontact",
        "banktransfer",
        "paypal",
        "klarna",
        "riverty",
    ]

    response = pay_again(shopper, "paypal")

    assert response.status_code == 303
    first, second = sorted(shopper.sandbox.payments(), key=lambda payment: payment["createdAt"])
    assert response["Location"] == second["_links"]["checkout"]["href"]
    assert second["method"] == "paypal" and second["metadata"]["attempt_no"] == 2
    assert PaymentAttempt.get(order.order_id, 2).method == "paypal"


def test_pay_again_without_a_choice_leaves_it_to_mollies_page(shopper):
    order = failed_payment(shopper)

    assert pay_again(shopper, "").status_code == 303

    assert PaymentAttempt.get(order.order_id, 2).method is None
    assert [payment.get("method") for payment in shopper.sandbox.payments()].count(None) == 2


def test_a_forged_method_on_pay_again_is_a_form_error_and_starts_nothing(shopper):
    order = failed_payment(shopper)

    response = pay_again(shopper, "bitcoin<script>")

    assert response.status_code == 422
    page = response.content.decode()
    assert "That payment method is not available for this order" in page
    assert "bitcoin<script>" not in page and "Pay again" in page
    assert shopper.last_order().attempt_count == 1 and len(shopper.sandbox.payments()) == 1
    assert order.order_id in page


def test_a_method_on_pay_again_while_mollie_cannot_list_methods_is_a_form_error(shopper):
    failed_payment(shopper)
    from payments.services import forget_methods

    forget_methods()
    shopper.sandbox.faults(api_error_rate=1.0)

    response = pay_again(shopper, "ideal")

    shopper.sandbox.clear_faults()
    assert response.status_code == 422
    assert "We cannot check payment methods right now" in response.content.decode()
    assert shopper.last_order().attempt_count == 1


def test_try_again_with_another_method_continues_the_first_request_then_switches(shopper, monkeypatch):
    from payments import mollie

    shopper.add("espresso-cup")
    checkout_id = shopper.checkout_id()
    create = mollie.create_payment
    calls = []

    def lost_answer_first(**request):
        calls.append(request)
        payment = create(**request)  # Mollie made it, but the answer never reached the shop
        if len(calls) == 1:
            raise mollie.PaymentProviderUnavailable("Mollie unreachable for create payment")
        return payment

    monkeypatch.setattr(mollie, "create_payment", lost_answer_first)
    shopper.checkout(method="ideal", checkout_id=checkout_id)
    page = shopper.order_page().content.decode()
    assert "Try again" in page and "paypal" in methods_offered(page)

    response = pay_again(shopper, "paypal")

    assert response.status_code == 303
    [payment] = shopper.sandbox.payments()  # the same key: one payment, not two
    assert payment["method"] == "paypal"
    assert calls[0]["idempotency_key"] == calls[1]["idempotency_key"]
    assert PaymentAttempt.get(shopper.last_order().order_id, 1).method == "paypal"


def test_pay_again_from_a_stale_tab_after_paying_is_refused_cleanly(shopper):
    order = failed_payment(shopper)
    pay_again(shopper, "ideal")
    shopper.webhook(shopper.pay_at_mollie("paid"))

    response = pay_again(shopper, "bitcoin", order=order)  # the old tab still shows "Pay again"

    assert response.status_code == 302
    assert "This order has been paid already." in shopper.client.get(response["Location"]).content.decode()


def test_pay_again_with_a_method_mollie_now_refuses_goes_on_without_it(shopper, monkeypatch):
    from payments.services import forget_methods

    order = failed_payment(shopper)
    forget_methods()
    stale_method_list(shopper, monkeypatch)  # the cart is kept: the same amount, listed minutes ago
    assert "eps" in methods_offered(shopper.order_page().content.decode())

    response = pay_again(shopper, "eps")

    assert response.status_code == 303
    attempt = PaymentAttempt.get(order.order_id, 2)
    assert attempt.status == "open" and attempt.method is None
    assert "eps" not in methods_offered(shopper.order_page().content.decode())
