"""Billie, pay by invoice for businesses, as Mollie describes it, through both Python clients.

Sources: Mollie's OpenAPI description (github.com/mollie/openapi, specs.yaml, create-payment):
`billingAddress.organizationName`, "Required for payment method `billie`", and `lines`, "Required
for payment methods `billie`, …"; docs.mollie.com/docs/billie, "Key information": EUR for DE, AT,
NL and FR, from EUR 0.01 to EUR 25,000.00, and billingAddress.organizationName among the required
fields. A payment that misses a requirement is refused with Mollie's 422 naming the field; every
answer is also checked against the description (the ``mollie`` fixture).
"""

import pytest

from .test_responses import pay_later_body

COMPANY = "Brew Bar B.V."


def billie_body(target, value="10.00", **address):
    body = pay_later_body(target)
    amount = {"currency": "EUR", "value": value}
    body.update(method="billie", amount=amount)
    body.pop("captureMode")  # Billie also captures automatically (docs.mollie.com/docs/billie)
    body["lines"][0].update(unitPrice=amount, totalAmount=amount)
    body["billingAddress"].update(address)
    return body


def created_or_skipped(answer):
    """The payment, or a skip where the profile (real Mollie) has Billie off."""
    if answer.get("field") == "method":
        pytest.skip(f"Billie is not enabled on this Mollie profile: {answer['detail']}")
    return answer


def test_billie_without_an_organization_name_is_refused_on_that_field(mollie, target):
    refused = created_or_skipped(mollie.create_payment(billie_body(target)))

    assert refused["status"] == 422 and refused["field"] == "billingAddress.organizationName"


def test_billie_with_an_organization_name_is_made(mollie, target):
    payment = created_or_skipped(mollie.create_payment(billie_body(target, organizationName=COMPANY)))

    assert payment["status"] == "open" and payment["method"] == "billie"


@pytest.mark.parametrize(
    "value, address, field",
    [
        ("10.00", {"country": "BE", "postalCode": "1000", "city": "Brussel"}, "billingAddress.country"),
        ("25000.01", {}, "amount"),  # above Billie's EUR 25,000.00
    ],
)
def test_billie_outside_its_countries_or_amounts_is_refused(mollie, target, value, address, field):
    target.needs_sandbox("Mollie's limits are the profile's (/v2/methods); the sandbox's are Billie's page's")
    body = billie_body(target, value, organizationName=COMPANY, **address)

    refused = mollie.create_payment(body)

    assert refused["status"] == 422 and refused["field"] == field


def test_billie_is_listed_up_to_its_maximum(mollie, target):
    target.needs_sandbox("which methods a real profile lists depends on what it has enabled")

    assert "billie" in [
        m["id"] for m in mollie.list_methods({"currency": "EUR", "value": "25000.00"})["_embedded"]["methods"]
    ]
    over = mollie.list_methods({"currency": "EUR", "value": "25000.01"})["_embedded"]["methods"]
    assert "billie" not in [m["id"] for m in over]
