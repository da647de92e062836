"""Conformance: payment methods as Mollie has them (issue 19), through the real mollie-api-python.

The Methods API lists only what fits an amount and currency, the sandbox serves the images it
links to, a payment's method must fit its amount and currency, and only Mollie's currencies go.
"""

import pytest
import requests
from mollie.api.error import UnprocessableEntityError


def amount(value, currency="EUR"):
    return {"value": value, "currency": currency}


# "List payment methods": with amount[value] and amount[currency], "only payment methods that
# support the amount and currency are returned"; minimumAmount/maximumAmount per method
# (docs.mollie.com, Methods API).
def test_methods_list_has_mollies_shape(sandbox, client):
    methods = client.methods.list()
    assert [m.id for m in methods] == [
        *["ideal", "creditcard", "bancontact", "banktransfer", "paypal"],
        *["klarna", "riverty", "in3", "billie"],  # pay later: test_sandbox_pay_later.py
    ]
    ideal = methods[0]
    assert ideal.resource == "method" and ideal.description == "iDEAL"
    assert ideal.minimum_amount == amount("0.01") and ideal.maximum_amount == amount("50000.00")
    assert ideal.image_svg == f"{sandbox.url}/images/methods/ideal.svg"
    assert ideal.image_size2x == f"{sandbox.url}/images/methods/ideal%402x.png"
    assert ideal["_links"]["self"]["href"] == f"{sandbox.url}/v2/methods/ideal"


@pytest.mark.parametrize(
    "value, currency, expected",
    [
        # Pay later: Klarna from 1.00, Riverty from 5.00, Billie from 0.01; in3 starts at 100.00.
        (
            "10.00",
            "EUR",
            ["ideal", "creditcard", "bancontact", "banktransfer", "paypal", "klarna", "riverty", "billie"],
        ),
        # Above the card and PayPal maximum (10,000.00): only the methods that go higher.
        ("20000.00", "EUR", ["ideal", "bancontact", "banktransfer", "billie"]),
        # Above Billie's maximum of 25,000.00 (docs.mollie.com/docs/billie).
        ("25000.01", "EUR", ["ideal", "bancontact", "banktransfer"]),
        # Below Bancontact's minimum of 0.02.
        ("0.01", "EUR", ["ideal", "creditcard", "banktransfer", "paypal", "billie"]),
        # iDEAL, Bancontact and bank transfer take EUR only (docs.mollie.com/docs/multicurrency).
        ("10.00", "USD", ["creditcard", "paypal"]),
        ("10.00", "BRL", ["paypal"]),
        ("10.00", "ZAR", ["creditcard"]),
        ("1000", "JPY", ["creditcard", "paypal"]),
    ],
)
def test_methods_fit_the_amount_and_currency(sandbox, client, value, currency, expected):
    methods = client.methods.list(amount=amount(value, currency), locale="nl_NL")
    assert [m.id for m in methods] == expected
    assert all(m.minimum_amount["currency"] == currency for m in methods)


def test_methods_list_refuses_what_mollie_refuses(sandbox, client):
    with pytest.raises(UnprocessableEntityError) as refused:
        client.methods.list(amount=amount("10.00", "XXX"))
    assert refused.value.field == "amount.currency"
    with pytest.raises(UnprocessableEntityError) as refused:
        client.methods.list(locale="xx_XX")
    assert refused.value.field == "locale"


def test_method_images_are_served_by_the_sandbox(sandbox, client):
    for method in client.methods.list():
        links = {"svg": method.image_svg, "size1x": method.image_size1x, "size2x": method.image_size2x}
        assert all(href.startswith(f"{sandbox.url}/images/methods/") for href in links.values())
        svg = requests.get(links["svg"], timeout=30)
        assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
        assert svg.text.startswith("<svg") and f'aria-label="{method.description}"' in svg.text
        for size, width in (("size1x", 32), ("size2x", 64)):
            png = requests.get(links[size], timeout=30)
            assert png.headers["Content-Type"] == "image/png"
            assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
            assert int.from_bytes(png.content[16:20], "big") == width
    assert requests.get(f"{sandbox.url}/images/methods/bitcoin.svg", timeout=30).status_code == 404


# Create payment: a method that cannot take the amount is refused with 422 and field "amount"
# ("The amount is higher than the maximum"), a currency it does not support with
# field "amount.currency" (docs.mollie.com, "Create payment"; multicurrency guide).
@pytest.mark.parametrize(
    "method, value, currency, field",
    [
        ("creditcard", "10000.01", "EUR", "amount"),
        ("paypal", "12000.00", "EUR", "amount"),
        ("bancontact", "0.01", "EUR", "amount"),
        (["creditcard", "paypal"], "10000.01", "EUR", "amount"),
        ("ideal", "10.00", "USD", "amount.currency"),
        ("bancontact", "10.00", "GBP", "amount.currency"),
        ("banktransfer", "10.00", "CHF", "amount.currency"),
        (None, "50000.01", "EUR", "amount"),
    ],
)
def test_payment_with_a_method_that_does_not_fit_is_refused(
    sandbox, client, payment_data, method, value, currency, field
):
    body = payment_data(amount=amount(value, currency), **({"method": method} if method else {}))
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.create(body)
    assert refused.value.status == 422 and refused.value.field == field
    assert client.payments.list().count == 0


def test_changing_the_method_must_fit_too(sandbox, client, payment_data):
    payment = client.payments.create(payment_data(amount=amount("20000.00")))
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.update(payment.id, {"method": "creditcard"})
    assert refused.value.field == "amount"
    assert client.payments.update(payment.id, {"method": "ideal"}).method == "ideal"


# Only the currencies of Mollie's multicurrency guide; anything else is 422 on amount.currency.
@pytest.mark.parametrize("currency", ["XXX", "BTC", "RUB", "XAU"])
def test_unsupported_currency_is_refused(sandbox, client, payment_data, currency):
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.create(payment_data(amount=amount("10.00", currency)))
    assert refused.value.field == "amount.currency"


def test_supported_currencies_are_accepted_with_their_decimals(sandbox, client, payment_data):
    usd = client.payments.create(payment_data(amount=amount("10.00", "USD")))
    assert usd.amount == amount("10.00", "USD")
    # JPY and ISK have no decimals at Mollie: "1000", not "1000.00".
    yen = client.payments.create(payment_data(amount=amount("1000", "JPY")))
    assert client.payments.get(yen.id).amount == amount("1000", "JPY")
    with pytest.raises(UnprocessableEntityError) as refused:
        client.payments.create(payment_data(amount=amount("1000.00", "JPY")))
    assert refused.value.field == "amount.value"
