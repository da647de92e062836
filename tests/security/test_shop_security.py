"""Hostile shoppers: forged requests, guessed order pages, leaked secrets."""

import logging
import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from payments.models import Order

STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_cookie_signed_with_another_key_is_ignored(shopper, settings):
    from django.core import signing

    def cookie(key):
        return signing.dumps(
            {"cart": {"espresso-cup": 1}},
            key=key,
            compress=True,
            salt="django.contrib.sessions.backends.signed_cookies",
        )

    shopper.client.cookies[settings.SESSION_COOKIE_NAME] = cookie("not-our-key")
    assert "Your cart is empty" in shopper.client.get("/en/cart/").content.decode()

    shopper.client.cookies[settings.SESSION_COOKIE_NAME] = cookie(settings.SECRET_KEY)
    assert "Espresso cup" in shopper.client.get("/en/cart/").content.decode()  # the same cart, signed by us


def test_every_shop_form_refuses_a_post_without_csrf_token(shopper, csrf_client):
    shopper.buy()
    order = shopper.last_order()
    paths = [
        "/en/cart/add/",
        "/en/cart/update/",
        "/en/checkout/",
        f"/en/orders/{order.order_id}/{order.public_token}/pay/",
    ]

    for path in paths:
        response = csrf_client.post(path, {"slug": "espresso-cup", "quantity": 1})
        assert response.status_code == 403, path
    assert len(shopper.sandbox.payments()) == 1


def test_csrf_failure_page_is_a_clear_page(csrf_client, catalog):
    response = csrf_client.post("/en/cart/add/", {"slug": "espresso-cup"})
    assert response.status_code == 403
    assert b"<html" in response.content.lower()


def test_order_ids_cannot_be_enumerated(shopper):
    shopper.buy()
    order = shopper.last_order()
    near_token = order.public_token[:-1] + ("A" if order.public_token[-1] != "A" else "B")

    for path in (
        f"/en/orders/{order.order_id}/{near_token}/",
        f"/en/orders/{order.order_id}/x/",
        f"/en/orders/{order.order_id}/{order.public_token.upper()}/status.json",
    ):
        assert shopper.client.get(path).status_code == 404
    assert len(order.public_token) >= 32  # 24 random bytes, URL-safe


def test_checkout_redirect_only_goes_to_mollie(shopper, settings):
    shopper.add("espresso-cup")
    response = shopper.checkout()
    assert response["Location"].startswith(settings.MOLLIE_API_ENDPOINT)


@pytest.fixture
def staff_login(settings):
    from staff import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, for tests
    services.create_staff_member(username="ada", password=STAFF_PASSWORD, display_name="Ada")
    return {"username": "ada", "password": STAFF_PASSWORD}


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https:evil.example",
        "///evil.example/staff/",
        "/\\evil.example/staff/",
    ],
)
def test_staff_login_never_sends_a_fresh_login_off_site(staff_login, elsewhere):
    # A phishing link: /staff/login/?next=<their site>. The page must not carry it on...
    page = Client().get("/staff/login/", {"next": elsewhere}).content.decode()
    assert 'name="next" value="/staff/"' in page
    # ...and a correct login, with `next` in the link or in a forged form, stays on our site.
    from_link = Client().post(f"/staff/login/?{urlencode({'next': elsewhere})}", staff_login)
    from_form = Client().post("/staff/login/", {**staff_login, "next": elsewhere})

    assert from_link.status_code == from_form.status_code == 302
    assert from_link["Location"] == from_form["Location"] == "/staff/"


def test_staff_login_does_return_to_the_staff_page_asked_for(staff_login):
    response = Client().post(f"/staff/login/?{urlencode({'next': '/staff/orders/'})}", staff_login)

    assert response["Location"] == "/staff/orders/"


def test_the_mollie_key_never_reaches_logs_or_pages(shopper, caplog, settings):
    caplog.set_level(logging.DEBUG)
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)
    shopper.sandbox.faults(api_error_rate=1.0, seed=9)
    shopper.webhook(payment_id)
    page = shopper.order_page().content.decode()

    assert settings.MOLLIE_API_KEY not in caplog.text
    assert settings.MOLLIE_API_KEY not in page
    assert settings.SECRET_KEY not in caplog.text


def test_unknown_pages_do_not_leak_debug_details(client, catalog):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content and b"URLconf" not in response.content


def test_security_headers_on_shop_pages(client, catalog):
    response = client.get("/en/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_odd_cart_contents_are_cleaned_not_trusted(shopper, settings):
    # The cookie is signed, so only we can write it; still, the cart is re-checked on every use.
    session = shopper.client.session
    session["cart"] = {"espresso-cup": 2, "made-up": 3, "linen-apron": "lots", "coffee-beans": -4}
    session.save()
    shopper.client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    response = shopper.checkout()

    order = Order.get(shopper.client.session["last_order_id"])
    assert response.status_code == 303
    assert [(line.slug, line.quantity) for line in order.lines] == [("espresso-cup", 2)]
    assert order.total_cents == 2500
    assert re.match(r"^SO-[0-9A-F]{5}-[0-9A-F]{5}$", order.order_id)
