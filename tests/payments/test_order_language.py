"""The order remembers the language it was placed in: Mollie's payment gets the matching `locale`
for the delivery country, and sends the shopper back to the order page in that language, through
the local stack (the sandbox refuses a locale Mollie would refuse)."""

from django.utils import translation

from payments.models import Order
from tests.fixtures.languages import buy_in, path_in

# The shop's pages under i18n_patterns: an order page reversed in the wrong language is another URL.


def mollie_payment(shopper, order):
    return shopper.sandbox.payment(order.latest_mollie_payment_id)


def test_a_belgian_shopper_in_french_pays_on_mollies_page_in_belgian_french(shopper):
    buy_in(shopper, "fr", country="BE")

    order = shopper.last_order()
    payment = mollie_payment(shopper, order)
    assert order.language == "fr"
    assert payment["locale"] == "fr_BE"
    order_page = path_in("fr", "shop:order", order_id=order.order_id, token=order.public_token)
    assert order_page.startswith("/fr/orders/") and payment["redirectUrl"].endswith(order_page)


def test_a_belgian_shopper_in_dutch_gets_belgian_dutch(shopper):
    buy_in(shopper, "nl", country="BE")

    order = shopper.last_order()
    assert order.language == "nl"
    assert mollie_payment(shopper, order)["locale"] == "nl_BE"


def test_an_austrian_shopper_in_german_gets_austrian_german(shopper):
    buy_in(shopper, "de", country="AT")

    assert mollie_payment(shopper, shopper.last_order())["locale"] == "de_AT"


def test_a_shopper_in_english_in_the_netherlands_gets_mollies_dutch_english(shopper):
    shopper.buy()

    order = shopper.last_order()
    assert order.language == "en"
    assert mollie_payment(shopper, order)["locale"] == "en_NL"


def test_pay_again_from_a_page_in_another_language_keeps_the_orders(shopper):
    buy_in(shopper, "nl", country="NL")
    order = shopper.last_order()
    shopper.webhook(shopper.pay_at_mollie("canceled"))

    with translation.override("de"):  # the shopper switched to German meanwhile
        shopper.client.post(path_in("de", "shop:order_pay", order_id=order.order_id, token=order.public_token))

    again = shopper.last_order()
    assert again.attempt_count == 2 and again.language == "nl"
    payment = mollie_payment(shopper, again)
    assert payment["locale"] == "nl_NL"
    assert payment["redirectUrl"].endswith(f"/nl/orders/{order.order_id}/{order.public_token}/")


def test_an_order_from_before_languages_is_paid_in_the_default_language(shopper):
    shopper.buy()
    order = shopper.last_order()
    order.update(actions=[Order.language.remove()])  # as stored before orders kept their language
    shopper.webhook(shopper.pay_at_mollie("canceled"))

    shopper.client.post(path_in("en", "shop:order_pay", order_id=order.order_id, token=order.public_token))

    again = shopper.last_order()
    assert again.language is None and again.attempt_count == 2
    assert mollie_payment(shopper, again)["locale"] == "en_NL"
