"""The shopper's journey through the Django test client, against moto and the Mollie sandbox."""

from payments.models import OrderStatus, PaymentAttempt
from shop.models import Article
from tests.concurrency import run_concurrently
from tests.fixtures.shopper import DUTCH_ADDRESS


def test_happy_path_order_is_paid_and_cart_emptied(shopper):
    response = shopper.buy("espresso-cup", 2)

    order = shopper.last_order()
    assert response["Location"].startswith(shopper.sandbox.url + "/checkout/tr_")
    assert order.total_cents == 2 * 1250
    assert order.status == OrderStatus.PENDING_PAYMENT
    payment = next(p for p in shopper.sandbox.payments() if p["id"] == order.latest_mollie_payment_id)
    assert payment["amount"] == {"currency": "EUR", "value": "25.00"}
    assert payment["metadata"] == {"order_id": order.order_id, "attempt_no": 1}
    # PUBLIC_BASE_URL is on loopback here: Mollie would refuse such a webhookUrl, so none is sent
    # (tests/payments/test_strict_mollie.py covers a public one and the strict sandbox).
    assert "webhookUrl" not in payment
    assert payment["redirectUrl"].endswith(f"/en/orders/{order.order_id}/{order.public_token}/")

    payment_id = shopper.pay_at_mollie("paid")
    assert shopper.webhook(payment_id).status_code == 200

    order = shopper.last_order()
    assert order.status == OrderStatus.PAID
    page = shopper.order_page()
    assert "Thank you! Your payment was received." in page.content.decode()
    assert shopper.client.get("/en/cart/").content.decode().count("Your cart is empty") == 1
    assert Article.get("espresso-cup").stock == 38


def test_thank_you_page_before_the_webhook_pulls_from_mollie(shopper):
    shopper.buy()
    shopper.pay_at_mollie("paid")  # the webhook has not arrived (yet)

    status = shopper.status()

    assert status["status"] == "paid"
    assert status["keep_polling"] is False
    assert shopper.last_order().status == OrderStatus.PAID


def test_a_new_payment_is_pulled_at_once_though_the_last_pull_was_a_moment_ago(shopper):
    """Back from Mollie with a failed payment (pulled), "Pay again" and paid within seconds, still
    without a webhook (a local shop sends none): the thank-you page shows it paid at once, not
    after STATUS_PULL_INTERVAL_SECONDS. The interval limits pulls of one payment, not of the next."""
    shopper.buy()
    shopper.pay_at_mollie("failed")
    assert shopper.status()["status"] == "failed"  # pulled: the last pull was just now
    order = shopper.last_order()
    shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")
    shopper.pay_at_mollie("paid")

    status = shopper.status()

    assert status["status"] == "paid"
    assert shopper.last_order().paid_attempt_no == 2


def test_open_payment_keeps_polling(shopper):
    shopper.buy()

    status = shopper.status()
    page = shopper.order_page().content.decode()

    assert status == {**status, "status": "open", "keep_polling": True}
    assert "Your payment is not complete yet." in page
    assert 'http-equiv="refresh"' in page  # works without JavaScript too


def test_failed_then_pay_again_then_paid(shopper):
    shopper.buy()
    first_payment = shopper.pay_at_mollie("failed")
    shopper.webhook(first_payment)
    page = shopper.order_page().content.decode()
    assert "Your payment did not succeed." in page and "Pay again" in page

    order = shopper.last_order()
    again = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")

    order = shopper.last_order()
    assert again.status_code == 303
    assert order.attempt_count == 2
    assert order.latest_mollie_payment_id != first_payment
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    assert order.status == OrderStatus.PAID and order.paid_attempt_no == 2
    attempts = list(PaymentAttempt.query(order.order_id))
    assert [a.status for a in attempts] == ["failed", "paid"]


def test_pay_again_double_click_starts_one_new_attempt(shopper):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("canceled"))
    order = shopper.last_order()

    first = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")
    second = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")

    assert first["Location"] == second["Location"]
    assert shopper.last_order().attempt_count == 2
    assert len(shopper.sandbox.payments()) == 2


def test_pending_then_paid_later(shopper):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("pending")
    shopper.webhook(payment_id)
    assert shopper.status()["status"] == "pending"
    assert "Your payment is being processed." in shopper.order_page().content.decode()

    shopper.sandbox.set_status(payment_id, "paid")
    shopper.webhook(payment_id)

    assert shopper.status()["status"] == "paid"


def test_double_submit_of_checkout_form_places_one_order(shopper):
    shopper.add("espresso-cup")
    checkout_id = shopper.checkout_id()
    first = shopper.checkout(checkout_id=checkout_id)
    second = shopper.checkout(checkout_id=checkout_id)

    assert first["Location"] == second["Location"]
    assert len(shopper.sandbox.payments()) == 1
    assert Article.get("espresso-cup").stock == 39


def test_tampered_price_and_quantity_fields_change_nothing(shopper):
    shopper.client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": "1", "price": "1", "price_cents": "1"})
    shopper.client.post("/en/cart/update/", {"slug": "espresso-cup", "quantity": "-5"})
    shopper.client.post("/en/cart/update/", {"slug": "espresso-cup", "quantity": "100000"})
    response = shopper.client.post(
        "/en/checkout/",
        {
            "name": "Eve",
            "email": "eve@example.com",
            "checkout_id": shopper.checkout_id(),
            **DUTCH_ADDRESS,
            "total": "0.01",
            "amount": "0.01",
        },
    )

    order = shopper.last_order()
    assert response.status_code == 303
    assert order.total_cents == 1250
    assert [(line.slug, line.quantity, line.unit_price_cents) for line in order.lines] == [("espresso-cup", 1, 1250)]


def test_checkout_form_errors_are_shown(shopper):
    shopper.add("espresso-cup")
    page = shopper.client.get("/en/checkout/")
    assert page.status_code == 200

    response = shopper.client.post("/en/checkout/", {"name": "", "email": "not-an-email", "checkout_id": "c" * 32})

    assert response.status_code == 422
    body = response.content.decode()
    assert "Please enter your full name." in body
    assert "Please enter an e-mail address like name@example.com." in body
    assert len(shopper.sandbox.payments()) == 0


def test_an_empty_checkout_says_what_each_field_needs_in_the_shops_words(shopper):
    shopper.add("espresso-cup")
    shopper.client.get("/en/checkout/")

    body = shopper.client.post("/en/checkout/", {}).content.decode()

    assert "This field is required." not in body
    assert "Please enter your full name." in body
    assert "Please enter your e-mail address, so we can send your order confirmation." in body
    assert "This form has expired; please submit it again." in body


def test_too_long_details_are_explained(shopper):
    shopper.add("espresso-cup")
    long_name, long_email = "A" * 101, "a" * 250 + "@example.com"

    body = shopper.client.post("/en/checkout/", {"name": long_name, "email": long_email}).content.decode()

    assert "Please shorten your name to at most 100 characters." in body
    assert "Please enter an e-mail address of at most 254 characters." in body
    assert "Ensure this value" not in body


def test_checkout_with_empty_cart_goes_back_to_shop(shopper):
    response = shopper.client.post("/en/checkout/", {"name": "A", "email": "a@example.com", "checkout_id": "d" * 32})
    assert response.status_code == 302 and response["Location"] == "/en/"


def test_mollie_down_on_create_keeps_order_and_try_again_works(shopper):
    shopper.sandbox.faults(api_error_rate=1.0, seed=1)
    shopper.add("espresso-cup")

    response = shopper.checkout()

    order = shopper.last_order()
    assert response.status_code == 302
    assert response["Location"] == f"/en/orders/{order.order_id}/{order.public_token}/"
    page = shopper.client.get(response["Location"]).content.decode()
    assert "We could not reach our payment provider" in page and "Try again" in page
    assert order.latest_attempt_status == "created"

    shopper.sandbox.clear_faults()
    again = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")

    assert again.status_code == 303
    assert len(shopper.sandbox.payments()) == 1
    assert shopper.last_order().attempt_count == 1


def test_order_page_needs_the_token(shopper):
    shopper.buy()
    order = shopper.last_order()

    assert shopper.client.get(f"/en/orders/{order.order_id}/wrong-token/").status_code == 404
    assert shopper.client.get(f"/en/orders/{order.order_id}/wrong-token/status.json").status_code == 404
    assert shopper.client.post(f"/en/orders/{order.order_id}/wrong-token/pay/").status_code == 404
    assert shopper.client.get(f"/en/orders/SO-00000-00000/{order.public_token}/").status_code == 404


def test_try_again_from_two_tabs_at_once_gets_one_payment_and_the_same_page(shopper):
    from payments import services

    shopper.sandbox.faults(api_error_rate=1.0, seed=4)
    shopper.add("espresso-cup")
    shopper.checkout()  # Mollie down: the attempt waits, `created`
    order = shopper.last_order()
    shopper.sandbox.clear_faults()
    shopper.sandbox.faults(api_latency_ms=600, seed=4)  # the first tab's request is still in flight

    def try_again():
        return services.pay_order(order_id=order.order_id)

    urls = run_concurrently(try_again, try_again)  # two tabs

    assert len(urls) == 2 and urls[0] == urls[1]
    assert len(shopper.sandbox.payments()) == 1
    creates = [r["status"] for r in shopper.sandbox.requests() if r["method"] == "POST" and r["path"] == "/v2/payments"]
    assert 409 in creates  # the second tab really met the first one in flight, and waited it out


def pricey_article(price_cents=2_600_00, stock=30):
    from django.utils import timezone

    now = timezone.now()
    Article(
        "gold-kettle",
        name="Gold kettle",
        price_cents=price_cents,
        currency="EUR",
        stock=stock,
        position="000900",
        created_at=now,
        updated_at=now,
    ).save()


def test_a_cart_above_mollies_maximum_is_refused_before_anything_is_reserved(shopper):
    pricey_article()
    shopper.add("gold-kettle", 20)  # EUR 52,000.00

    response = shopper.checkout()

    assert response.status_code == 302 and response["Location"] == "/en/cart/"
    page = shopper.client.get("/en/cart/").content.decode()
    assert "Your order comes to more than €50,000.00, the most our payment provider accepts" in page
    assert Article.get("gold-kettle").stock == 30
    assert shopper.sandbox.payments() == []
    from payments.models import Order

    assert list(Order.scan()) == []


def test_the_maximum_is_a_setting(shopper, settings):
    settings.MOLLIE_MAX_AMOUNT_CENTS = 20_00
    shopper.add("espresso-cup", 2)  # EUR 25.00

    response = shopper.checkout()

    assert response["Location"] == "/en/cart/"
    assert "more than €20.00" in shopper.client.get("/en/cart/").content.decode()


def test_a_payment_mollie_refuses_is_never_offered_pay_again(shopper, settings):
    settings.MOLLIE_MAX_AMOUNT_CENTS = 60_000_00  # a shop set above Mollie's own limit
    pricey_article()
    shopper.add("gold-kettle", 20)

    response = shopper.checkout()

    order = shopper.last_order()
    page = shopper.client.get(response["Location"]).content.decode()
    assert order.latest_attempt_status == "rejected"
    assert "Our payment provider could not accept this payment." in page
    assert "Pay again" not in page and "Try again" not in page
    again = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/")
    assert again.status_code == 302
    assert "Trying again would not help" in shopper.client.get(again["Location"]).content.decode()
    assert shopper.last_order().attempt_count == 1  # no new attempt, no new call to Mollie
