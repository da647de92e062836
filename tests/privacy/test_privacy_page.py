"""The privacy page says what is kept, why, how long (from the settings), who else holds it and how
to ask; and the shop sets no cookie beyond the session, the CSRF token and one-time notices, so it needs no banner."""

from django.conf import settings as django_settings

from tests.privacy.test_customer_data import ADA


def test_the_privacy_page_states_the_periods_from_the_settings(client, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS, settings.ACCOUNTING_RETENTION_YEARS = 1095, 10
    page = client.get("/en/pages/privacy/").content.decode()
    assert "until 3 years after your order is complete" in page and "for 10 years after the end of the year" in page
    assert "120 days" in page
    for holder in ("Mollie B.V.", "Amazon Web Services", settings.SHOP_LEGAL["SHOP_CONTACT_EMAIL"]):
        assert holder in page
    assert "a copy of your data, or its erasure" in page.lower()


def test_a_whole_purchase_sets_only_the_cookies_the_shop_needs_and_they_hold_no_personal_data(shopper):
    names, values = set(), []
    responses = [shopper.client.get("/en/"), shopper.add("espresso-cup"), shopper.client.get("/en/checkout/")]
    responses.append(shopper.checkout(name="Ada Lovelace", email="ada@example.com"))
    shopper.webhook(shopper.pay_at_mollie("paid"))
    responses += [shopper.order_page(), shopper.client.get("/en/pages/privacy/")]
    for response in responses:
        for name, morsel in response.cookies.items():
            names.add(name)
            values.append(morsel.value.lower())
    # The session (the cart), the CSRF token and Django's one-time notices ("added to your cart").
    assert names <= {django_settings.SESSION_COOKIE_NAME, django_settings.CSRF_COOKIE_NAME, "messages"}
    everything = " ".join(values) + " " + str(dict(shopper.client.session.items())).lower()
    assert not any(value.lower() in everything for value in ADA)
