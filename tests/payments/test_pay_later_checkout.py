"""Pay later at checkout (issue 30): the methods Mollie lists for the amount and the billing
country, with their own wording; a chosen one is created with captureMode manual and its
authorization makes the order a sale; in3 below its minimum is refused with a clear message."""

from payments import mollie
from payments.models import Order, OrderStatus
from tests.fixtures.shopper import checkout_form
from tests.payments.test_payment_methods import methods_offered


def test_klarna_is_offered_for_a_dutch_billing_address_and_authorized_makes_a_sale(shopper):
    shopper.add("espresso-cup", 2)
    page = shopper.client.get("/en/checkout/").content.decode()
    assert "Pay later with Klarna" in page and "Pay in 30 days with Riverty" in page

    response = shopper.checkout(method="klarna")

    assert response.status_code == 303
    order = shopper.last_order()
    assert shopper.sandbox.payment(order.latest_mollie_payment_id)["captureMode"] == "manual"
    shopper.webhook(shopper.pay_at_mollie("authorized"))
    order = Order.get(order.order_id, consistent_read=True)
    assert order.status == OrderStatus.AUTHORIZED and order.is_to_ship
    assert "you pay later via Klarna" in shopper.order_page(order).content.decode()


def test_the_methods_follow_the_billing_country_not_the_delivery_country(shopper):
    shopper.add("espresso-cup", 2)
    checkout_id = shopper.checkout_id()
    french_billing = {
        "billing_differs": "on",
        "billing_name": "Ada Lovelace",
        "billing_street_and_number": "1 rue de Rivoli",
        "billing_postal_code": "75001",
        "billing_city": "Paris",
        "billing_country": "FR",
    }

    response = shopper.client.post("/en/checkout/", checkout_form(checkout_id, method="riverty", **french_billing))

    assert response.status_code == 422  # Riverty serves AT, BE, DE and NL billing addresses only
    page = response.content.decode()
    assert "Riverty is not available for this amount or billing country" in page
    assert "klarna" in methods_offered(page) and "riverty" not in methods_offered(page)


def test_in3_below_its_minimum_is_refused_with_a_clear_message(shopper):
    shopper.add("espresso-cup", 2)  # EUR 25.00, in3 starts at EUR 100.00
    assert "in3" not in methods_offered(shopper.client.get("/en/checkout/").content.decode())

    response = shopper.checkout(method="in3")  # a page from before the cart changed, a crafted form

    assert response.status_code == 422
    assert "in3 is not available for this amount or billing country" in response.content.decode()
    assert "last_order_id" not in shopper.client.session


def test_no_billing_country_no_pay_later_on_pay_again_of_an_old_order(shopper):
    # Orders from before addresses have none: Mollie is asked without a billing country.
    assert all(method.id not in {"klarna", "riverty", "in3", "billie"} for method in _listed_without_country())


def _listed_without_country():
    from payments.services.methods import methods_to_choose

    return methods_to_choose(amount_cents=2500, currency="EUR", billing_country=None, for_business=True) or ()


def test_a_card_is_captured_on_shipment_when_the_shop_says_so(shopper, settings):
    settings.CARD_CAPTURE_ON_SHIPMENT = True
    shopper.add("espresso-cup")
    shopper.checkout(method="creditcard")

    payment = mollie.get_payment(shopper.last_order().latest_mollie_payment_id)
    assert shopper.sandbox.payment(payment.id)["captureMode"] == "manual"
