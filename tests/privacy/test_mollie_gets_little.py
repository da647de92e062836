"""Mollie keeps its own copy of what it is sent (docs/privacy.md): the shopper's e-mail and name
reach it only in the fields a payment method requires, never in the description or metadata."""

# Mollie's Payments API: billingAddress with givenName, familyName and email is required for the
# pay-later methods (klarna, in3, billie, riverty); shippingAddress names the parcel's recipient.
ALLOWED = {
    "countess@example.com": {"billingAddress.email"},
    "ada": {"billingAddress.givenName", "shippingAddress.givenName"},
    "lovelace": {"billingAddress.familyName", "shippingAddress.familyName"},
}


def places(value, path=""):
    """(dotted path, text) of every string in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from places(item, path)
    elif isinstance(value, str):
        yield path, value


def test_no_mollie_payment_carries_the_email_or_name_outside_the_address_fields(shopper, shipping_zones):
    shopper.buy(name="Ada Lovelace", email="countess@example.com")
    shopper.webhook(shopper.pay_at_mollie("canceled"))
    payments = shopper.sandbox.payments()
    assert payments
    for payment in payments:
        for needle, allowed in ALLOWED.items():
            found = {path for path, text in places(payment) if needle in text.lower()}
            assert found <= allowed, (needle, found - allowed)
        assert "ada" not in payment["description"].lower() and "example.com" not in str(payment.get("metadata"))
    for request in shopper.sandbox.requests():
        assert "example.com" not in request["path"] and "lovelace" not in request["path"].lower()
