"""The orders CSV's columns keep their positions: spreadsheets import it by column number, so a
column added later goes at the end (issue 30's review: `language`, then the company names)."""

import csv
import io

from tests.fixtures.shopper import checkout_form

HEADER = [
    "order_number",
    "placed_at",
    "status",
    "customer_name",
    "customer_email",
    "total",
    "refunded",
    "currency",
    "paid_at",
    "payment_attempts",
    "latest_payment_status",
    "latest_mollie_payment_id",
    "payment_method",
    "charged_back",
    "needs_attention",
    "attention_reason",
    "shipping",
    "vat",
    "vat_by_rate",
    "fulfilment",
    "shipping_name",
    "shipping_street",
    "shipping_postal_code",
    "shipping_city",
    "shipping_country",
    "shipping_phone",
    "billing_name",
    "billing_street",
    "billing_postal_code",
    "billing_city",
    "billing_country",
    "language",
    "shipping_company",
    "billing_company",
]
GERMAN_BILLING = {
    "billing_differs": "on",
    "billing_name": "Grace Hopper",
    "billing_street_and_number": "Unter den Linden 1",
    "billing_postal_code": "10117",
    "billing_city": "Berlin",
    "billing_country": "DE",
}


def exported(staff_client, query=""):
    response = staff_client.get(f"/staff/orders/export.csv?q={query}")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_header_keeps_every_column_where_it_was_and_adds_new_ones_at_the_end(shopper, staff_client):
    shopper.buy()

    header, *_ = exported(staff_client)

    assert header == HEADER


def test_the_company_of_each_address_is_exported(shopper, staff_client, shipping_zones):
    shopper.add("espresso-cup", 1)
    form = checkout_form(shopper.checkout_id(), company_name="Brew Bar B.V.", **GERMAN_BILLING)
    assert shopper.client.post("/en/checkout/", form).status_code == 303
    order = shopper.last_order()

    header, row = exported(staff_client, order.order_id)
    cells = dict(zip(header, row, strict=True))

    assert cells["shipping_company"] == cells["billing_company"] == "Brew Bar B.V."
    assert cells["billing_city"] == "Berlin" and cells["language"] == "en"
    assert row[-3:] == ["en", "Brew Bar B.V.", "Brew Bar B.V."]
