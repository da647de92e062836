"""What Klarna, Riverty, in3 and Billie need of a payment, as Mollie checks it.

Sources: docs.mollie.com, "Create payment" (method-specific parameters, captureMode); Mollie's
OpenAPI description (github.com/mollie/openapi, specs.yaml: create-payment `captureMode`,
`billingAddress`, `lines`); /work/shared/reference/mollie/BEHAVIOUR.md, "Lines, addresses and pay
later":
- `lines` are required for billie, in3, klarna and riverty;
- `billingAddress` is required, with givenName, familyName, streetAndNumber, postalCode, city,
  country and email; Billie also needs `organizationName` (it is for businesses);
- the billing country must be one the method serves;
- Riverty requires `captureMode: manual`.
"""

from .errors import unprocessable
from .methods import METHODS, Method

CAPTURE_MODES = ("automatic", "manual")
BILLING_REQUIRED = ("givenName", "familyName", "email")


def check_capture_mode(value) -> str:
    """``captureMode``: "automatic" (the default) or "manual"; anything else a 422 on the field."""
    if value is None or value == "":
        return "automatic"
    if value not in CAPTURE_MODES:
        raise unprocessable(f"The captureMode {value!r} is invalid; use 'automatic' or 'manual'", "captureMode")
    return value


def unmet(method: Method, lines, billing: dict | None, capture_mode: str) -> tuple[str, str] | None:
    """(message, field) of the first requirement of ``method`` the payment misses, or None."""
    if not method.pay_later:
        return None
    if not lines:
        return f"The lines are required for {method.description}", "lines"
    if not billing:
        return f"The billingAddress is required for {method.description}", "billingAddress"
    for name in BILLING_REQUIRED:
        if not str(billing.get(name) or "").strip():
            return f"The billingAddress {name} is required for {method.description}", f"billingAddress.{name}"
    if method.for_businesses and not str(billing.get("organizationName") or "").strip():
        return (
            f"The billingAddress organizationName is required: {method.description} is for businesses",
            "billingAddress.organizationName",
        )
    if method.countries is not None and billing.get("country") not in method.countries:
        return (
            f"{method.description} is not available for billing country {billing.get('country')}",
            "billingAddress.country",
        )
    if method.needs_manual_capture and capture_mode != "manual":
        return f"{method.description} requires captureMode 'manual'", "captureMode"
    return None


def check_create(fields: dict) -> None:
    """422 when the one method the payment names misses a requirement."""
    method_id = fields.get("method")
    if isinstance(method_id, str) and method_id in METHODS:
        problem = unmet(METHODS[method_id], fields["lines"], fields["billingAddress"], fields["captureMode"])
        if problem:
            raise unprocessable(*problem)
