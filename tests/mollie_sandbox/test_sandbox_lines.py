"""Conformance: a payment's lines and addresses are checked and kept as Mollie does.

Through the real mollie-api-python client. Sources, per rule (docs.mollie.com, "Create payment",
Payments API; Mollie's OpenAPI description, github.com/mollie/openapi specs.yaml;
/work/shared/reference/mollie/BEHAVIOUR.md, "Lines, addresses and pay later"):
- lines.vatAmount: "The totalAmount field includes VAT, so the vatAmount can be calculated with
  the formula totalAmount × (vatRate / (100 + vatRate)). Any deviations from this will result in
  an error." Mollie names the line: "Field: lines.3.vatAmount" (mollie/shopware#63).
- lines.totalAmount: unitPrice × quantity − discountAmount; the lines add up to `amount`.
- lines.sku: at most 64 characters.
- the address object: "If any of the fields is provided, all fields have to be provided with
  exception of the region field"; country in ISO 3166-1 alpha-2; phone in E.164.
"""

import pytest
from mollie.api.error import UnprocessableEntityError


def eur(value):
    return {"currency": "EUR", "value": value}


def line(description="Espresso cup", quantity=2, unit="12.50", total="25.00", rate="21.00", vat="4.34", **extra):
    return {
        "type": "physical",
        "description": description,
        "quantity": quantity,
        "unitPrice": eur(unit),
        "totalAmount": eur(total),
        "vatRate": rate,
        "vatAmount": eur(vat),
        **extra,
    }


ADDRESS = {
    "givenName": "Ada",
    "familyName": "Lovelace",
    "streetAndNumber": "Keizersgracht 1",
    "postalCode": "1015 AA",
    "city": "Amsterdam",
    "country": "NL",
    "email": "ada@example.com",
    "phone": "+31612345678",
}


def order_body(payment_data, **overrides):
    beans = line("Coffee beans, 250 g", 1, "8.95", "8.95", "9.00", "0.74", sku="BC-COFFEE-BEANS")
    shipping = line("Shipping", 1, "4.95", "4.95", "21.00", "0.86", type="shipping_fee")
    fields = {"amount": eur("38.90"), "lines": [line(), beans, shipping], "billingAddress": ADDRESS}
    return payment_data(**{**fields, "shippingAddress": ADDRESS, **overrides})


def refused(client, body):
    with pytest.raises(UnprocessableEntityError) as error:
        client.payments.create(body)
    return error.value


def test_lines_and_addresses_are_stored_and_returned_on_get(sandbox, client, payment_data):
    body = order_body(payment_data)

    payment = client.payments.get(client.payments.create(body).id)

    assert payment["lines"] == body["lines"]
    assert payment["billingAddress"] == ADDRESS and payment["shippingAddress"] == ADDRESS


def test_a_vat_amount_a_cent_off_is_refused_naming_the_line(sandbox, client, payment_data):
    body = order_body(payment_data)
    body["lines"][1]["vatAmount"] = eur("0.73")  # 8.95 × 9/109 = 0.739 → 0.74

    error = refused(client, body)

    assert error.field == "lines.1.vatAmount"
    assert "Expected VAT amount to be EUR 0.74" in str(error)


def test_lines_that_do_not_add_up_to_the_amount_are_refused(sandbox, client, payment_data):
    error = refused(client, order_body(payment_data, amount=eur("38.91")))

    assert error.field == "amount"


def test_a_total_amount_other_than_unit_price_times_quantity_is_refused(sandbox, client, payment_data):
    body = order_body(payment_data)
    body["lines"][0]["totalAmount"] = eur("24.00")
    body["lines"][0]["vatAmount"] = eur("4.17")

    assert refused(client, body).field == "lines.0.totalAmount"


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2"])
def test_a_quantity_that_is_not_a_whole_number_of_at_least_one_is_refused(sandbox, client, payment_data, quantity):
    body = order_body(payment_data)
    body["lines"][0]["quantity"] = quantity

    assert refused(client, body).field == "lines.0.quantity"


def test_an_sku_over_64_characters_is_refused(sandbox, client, payment_data):
    body = order_body(payment_data)
    body["lines"][0]["sku"] = "S" * 65

    assert refused(client, body).field == "lines.0.sku"


@pytest.mark.parametrize("missing", ["streetAndNumber", "postalCode", "city", "country"])
def test_an_address_missing_a_required_field_is_refused(sandbox, client, payment_data, missing):
    address = {name: value for name, value in ADDRESS.items() if name != missing}

    error = refused(client, order_body(payment_data, shippingAddress=address))

    assert error.field == f"shippingAddress.{missing}"


@pytest.mark.parametrize("phone", ["0612345678", "+31 6 12345678", "+0612345678", "call me"])
def test_a_phone_number_not_in_e164_is_refused(sandbox, client, payment_data, phone):
    error = refused(client, order_body(payment_data, billingAddress={**ADDRESS, "phone": phone}))

    assert error.field == "billingAddress.phone"


def test_a_country_not_in_iso_3166_alpha_2_is_refused(sandbox, client, payment_data):
    error = refused(client, order_body(payment_data, billingAddress={**ADDRESS, "country": "NLD"}))

    assert error.field == "billingAddress.country"
