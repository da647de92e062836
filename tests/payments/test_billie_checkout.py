"""Billie at checkout (issue 30): pay by invoice, for businesses. Mollie requires
billingAddress.organizationName for it (specs.yaml, create-payment; docs/pay-later.md), so the shop
asks an optional company name, sends it as organizationName, and offers Billie only with one and
only where Mollie lists it for the amount and billing country. Through the shop's pages, its
webhook and the staff packing slip, against the Mollie sandbox."""

import pytest

from payments import mollie
from payments.models import Order, OrderStatus
from payments.services.methods import methods_to_choose
from tests.fixtures.shopper import checkout_form
from tests.payments.test_payment_methods import methods_offered

COMPANY = "Brew Bar B.V."
BILLIE = "Pay by invoice for businesses with Billie"


def business_cart(shopper):
    shopper.add("pour-over-kettle", 3)  # EUR 149.85


def test_without_a_company_name_billie_is_shown_but_cannot_be_chosen(shopper, shipping_zones):
    """The option is there, disabled, with a hint; a small script enables it once a company name is
    typed (the browser journey). Scrapers of offered methods (tests, chaos) do not count it."""
    business_cart(shopper)

    page = shopper.client.get("/en/checkout/").content.decode()

    assert "Company name (optional)" in page and "Paying by invoice with Billie needs it" in page
    assert 'id="method-billie"' in page and BILLIE in page
    billie = page[page.index('value="billie"') : page.index('id="method-billie-hint"')]
    assert "disabled" in billie and "data-needs-company" in billie and "billie" not in methods_offered(page)
    assert "enter your company name above" in page
    assert "js/checkout-company" in page  # the script that enables it as the company name is typed
    assert 'value="klarna"' in page and "disabled" not in page[page.index('value="klarna"') :][:40]


def test_choosing_billie_without_a_company_name_gets_a_clear_error(shopper, shipping_zones):
    business_cart(shopper)

    response = shopper.client.post("/en/checkout/", checkout_form(shopper.checkout_id(), method="billie"))

    assert response.status_code == 422
    assert "Paying by invoice with Billie is for businesses: please enter your company name" in (
        response.content.decode()
    )
    assert shopper.sandbox.payments() == [] and "last_order_id" not in shopper.client.session


def test_a_blank_company_name_is_no_company_name(shopper, shipping_zones):
    business_cart(shopper)
    form = checkout_form(shopper.checkout_id(), method="billie", company_name="   ")

    response = shopper.client.post("/en/checkout/", form)

    assert response.status_code == 422 and "please enter your company name" in response.content.decode()


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\ufeff", "-", " \u200b-\u00ad "])
def test_an_invisible_company_name_is_no_company_name(shopper, shipping_zones, invisible):
    """A zero-width space, a soft hyphen, a byte-order mark or a dash pass for text, but name no
    company: the field says so, Billie stays disabled, and nothing reaches Mollie."""
    business_cart(shopper)
    form = checkout_form(shopper.checkout_id(), method="billie", company_name=invisible)

    response = shopper.client.post("/en/checkout/", form)

    page = response.content.decode()
    assert response.status_code == 422
    assert "Please enter your company&#x27;s name with letters or digits, or leave this empty." in page
    billie = page[page.index('value="billie"') : page.index('id="method-billie-hint"')]
    assert "disabled" in billie and "billie" not in methods_offered(page)
    assert shopper.sandbox.payments() == [] and "last_order_id" not in shopper.client.session


def test_a_company_name_of_digits_is_a_name(shopper, shipping_zones):
    business_cart(shopper)
    form = checkout_form(shopper.checkout_id(), method="billie", company_name="3M")

    response = shopper.client.post("/en/checkout/", form)

    assert response.status_code == 303
    payment = shopper.sandbox.payments()[-1]
    assert payment["method"] == "billie" and payment["billingAddress"]["organizationName"] == "3M"


def test_billie_outside_its_countries_is_not_offered_even_to_a_business(shopper, shipping_zones):
    business_cart(shopper)
    belgian_billing = {
        "billing_differs": "on",
        "billing_name": "Grace Hopper",
        "billing_street_and_number": "Grote Markt 1",
        "billing_postal_code": "1000",
        "billing_city": "Brussel",
        "billing_country": "BE",
    }
    form = checkout_form(shopper.checkout_id(), method="billie", company_name=COMPANY, **belgian_billing)

    response = shopper.client.post("/en/checkout/", form)

    assert response.status_code == 422  # Billie serves AT, DE, FR and NL billing addresses
    page = response.content.decode()
    assert "Billie is not available for this amount or billing country" in page
    assert 'value="billie"' not in page and "klarna" in methods_offered(page)


def test_billie_is_offered_for_a_business_where_mollie_lists_it(sandbox):
    def ids(country, for_business, cents=14985):
        methods = methods_to_choose(
            amount_cents=cents, currency="EUR", billing_country=country, for_business=for_business
        )
        return {method.id for method in methods or ()}

    assert "billie" in ids("NL", True) and "billie" in ids("DE", True)
    assert "billie" not in ids("NL", False) and "klarna" in ids("NL", False)
    assert "billie" not in ids("BE", True)  # Billie serves AT, DE, FR and NL billing addresses
    assert "billie" in ids("NL", True, cents=1) and "billie" not in ids("NL", True, cents=2_500_001)  # 0.01 to 25,000


def test_a_company_name_with_a_line_break_is_refused(shopper, shipping_zones):
    business_cart(shopper)
    form = checkout_form(shopper.checkout_id(), company_name="Brew Bar\nB.V.", method="billie")

    response = shopper.client.post("/en/checkout/", form)

    assert response.status_code == 422
    page = response.content.decode()
    assert "Please keep this on one line" in page and 'href="#id_company_name"' in page
    assert "please enter your company name" not in page  # the company name's own error says it
    assert shopper.sandbox.payments() == []


def test_a_company_name_is_kept_and_sent_to_mollie_in_the_billing_address_only(shopper, shipping_zones):
    business_cart(shopper)

    response = shopper.client.post("/en/checkout/", checkout_form(shopper.checkout_id(), company_name=COMPANY))

    assert response.status_code == 303
    order = shopper.last_order()
    assert order.shipping_address.organization_name == COMPANY
    payment = shopper.sandbox.payments()[-1]
    assert payment["billingAddress"]["organizationName"] == COMPANY
    assert "organizationName" not in payment["shippingAddress"]


def test_a_separate_billing_address_carries_the_company_name(shopper, shipping_zones):
    business_cart(shopper)
    german_billing = {
        "billing_differs": "on",
        "billing_name": "Grace Hopper",
        "billing_street_and_number": "Unter den Linden 1",
        "billing_postal_code": "10117",
        "billing_city": "Berlin",
        "billing_country": "DE",
    }
    form = checkout_form(shopper.checkout_id(), company_name=COMPANY, method="billie", **german_billing)

    assert shopper.client.post("/en/checkout/", form).status_code == 303

    payment = shopper.sandbox.payments()[-1]
    assert payment["method"] == "billie" and payment["billingAddress"]["country"] == "DE"
    assert payment["billingAddress"]["organizationName"] == COMPANY
    assert shopper.last_order().billing_address.organization_name == COMPANY


def test_billie_authorized_then_shipped_is_captured_and_paid(shopper, shipping_zones, staff_client):
    business_cart(shopper)
    page = shopper.client.post(
        "/en/checkout/", checkout_form(shopper.checkout_id(), company_name=COMPANY, method="nope")
    ).content.decode()
    assert "billie" in methods_offered(page) and "method-billie-hint" not in page  # offered: a company name

    response = shopper.client.post(
        "/en/checkout/", checkout_form(shopper.checkout_id(), company_name=COMPANY, method="billie")
    )

    assert response.status_code == 303
    order = shopper.last_order()
    payment_id = order.latest_mollie_payment_id
    assert shopper.sandbox.payment(payment_id)["captureMode"] == "manual"
    shopper.webhook(shopper.pay_at_mollie("authorized"))
    order = Order.get(order.order_id, consistent_read=True)
    assert order.status == OrderStatus.AUTHORIZED and order.is_to_ship
    assert "you pay later via Billie" in shopper.order_page(order).content.decode()

    slip = f"/staff/orders/{order.order_id}/packing-slip/"
    assert COMPANY in staff_client.get(slip).content.decode()  # on the parcel's label
    assert COMPANY in staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    shipped = staff_client.post(slip, {"carrier": "postnl", "tracking_number": "3SBILLIE1", "ship_pour-over-kettle": 3})
    assert shipped.status_code == 302
    assert [capture.amount_cents for capture in mollie.list_captures(payment_id)] == [int(order.total_cents)]
    shopper.sandbox.advance_clock(5)  # the capture settles; Mollie calls the webhook
    shopper.webhook(payment_id)

    paid = Order.get(order.order_id, consistent_read=True)
    assert paid.status == OrderStatus.PAID and paid.paid_at is not None
    assert "3SBILLIE1" in shopper.order_page(paid).content.decode()


def test_pay_again_offers_billie_only_for_an_order_with_a_company_name(shopper, shipping_zones):
    business_cart(shopper)
    shopper.client.post("/en/checkout/", checkout_form(shopper.checkout_id(), company_name=COMPANY))
    shopper.webhook(shopper.pay_at_mollie("failed"))
    assert "billie" in methods_offered(shopper.order_page().content.decode())

    order = shopper.last_order()
    response = shopper.client.post(f"/en/orders/{order.order_id}/{order.public_token}/pay/", {"method": "billie"})

    assert response.status_code == 303
    second = sorted(shopper.sandbox.payments(), key=lambda payment: payment["createdAt"])[-1]
    assert second["method"] == "billie" and second["billingAddress"]["organizationName"] == COMPANY

    shopper.client.cookies.clear()
    business_cart(shopper)
    shopper.client.post("/en/checkout/", checkout_form(shopper.checkout_id(), email="bo@example.com"))
    shopper.webhook(shopper.pay_at_mollie("failed"))
    assert "billie" not in methods_offered(shopper.order_page().content.decode())  # no company name
