"""The addresses Mollie is sent (payments/mollie_payload.py): the company name goes in the billing
address as organizationName (Billie requires it, specs.yaml create-payment), never in the shipping
address, and not at all when none was given."""

import pytest

from payments.models import Address
from payments.mollie_payload import address_json

pytestmark = pytest.mark.pure


def address(**fields):
    return Address(
        given_name="Ada", family_name="Lovelace", street_and_number="Keizersgracht 1", postal_code="1015 AA",
        city="Amsterdam", country="NL", **fields,
    )  # fmt: skip


def test_the_company_name_is_the_billing_addresses_organization_name():
    company = address(organization_name="Brew Bar B.V.")

    assert address_json(company, email="ada@example.com", billing=True)["organizationName"] == "Brew Bar B.V."
    assert "organizationName" not in address_json(company)  # the shipping address


def test_no_company_name_no_organization_name():
    assert "organizationName" not in address_json(address(), email="ada@example.com", billing=True)
