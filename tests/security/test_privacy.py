"""No personal data in cookies: cookies are signed, not encrypted, and live on in the browser.

The shopper's cart may sit in the signed-cookie session (slugs and quantities); their name and
e-mail address never do, and a staff member's cookies hold no customer's data either.
"""

import json

from django.test import Client

from tests.fixtures.staff import log_in

NAME, EMAIL = "Ada Lovelace", "ada.lovelace@example.com"


def everything_in_cookies(client):
    """The cookies' raw values and what the signed session cookie says when decoded."""
    raw = " ".join(morsel.value for morsel in client.cookies.values())
    return f"{raw} {json.dumps(dict(client.session.items()))}".lower()


def test_no_cookie_holds_the_shoppers_name_or_email_after_checkout(shopper):
    shopper.buy(name=NAME, email=EMAIL)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    shopper.order_page()
    shopper.client.get("/en/checkout/")  # back to the checkout form, e.g. with the browser's Back button

    cookies = everything_in_cookies(shopper.client)

    assert shopper.last_order().customer_email == EMAIL  # the order itself keeps them, on the server
    for personal in ("ada", "lovelace", "example.com"):
        assert personal not in cookies


def test_the_checkout_form_does_not_refill_details_from_a_cookie(shopper):
    shopper.buy(name=NAME, email=EMAIL)
    shopper.add("espresso-cup")

    form = shopper.client.get("/en/checkout/").content.decode()

    assert EMAIL not in form and NAME not in form
    assert 'autocomplete="email"' in form and 'autocomplete="name"' in form  # the browser offers them instead


def test_staff_cookies_hold_no_customer_data(shopper, staff_member):
    shopper.buy(name=NAME, email=EMAIL)
    order = shopper.last_order()
    staff = Client()
    log_in(staff)

    staff.get(f"/staff/orders/?q={EMAIL}")
    staff.get(f"/staff/orders/{order.order_id}/")
    staff.post(f"/staff/orders/{order.order_id}/refresh/")

    assert EMAIL in staff.get(f"/staff/orders/{order.order_id}/").content.decode()
    cookies = everything_in_cookies(staff)
    for personal in ("ada", "lovelace", "example.com"):
        assert personal not in cookies
