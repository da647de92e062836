"""The delivery and billing address fields of the checkout form: postal codes checked per country
(django-localflavor), phone numbers normalised to E.164 (phonenumbers), country names from
django-countries; the countries offered are the shop's shipping zones'."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from payments.models import Address
from shop import shipping
from shop.typed_text import OneLineField

# The postal-code field of each country (django-localflavor); LU has none there: "L-1234" or 1234.
POSTAL_CODE_FIELDS = {
    "NL": ("localflavor.nl.forms", "NLZipCodeField", "1234 AB"),
    "BE": ("localflavor.be.forms", "BEPostalCodeField", "1000"),
    "DE": ("localflavor.de.forms", "DEZipCodeField", "10115"),
    "FR": ("localflavor.fr.forms", "FRZipCodeField", "75001"),
    "AT": ("localflavor.at.forms", "ATZipCodeField", "1010"),
}
LU_POSTAL_CODE = r"^(?:L-?)?(\d{4})$"


def country_name(code: str) -> str:
    from django_countries import countries

    return countries.name(code) or code


def country_choices():
    return [(code, country_name(code)) for code in shipping.countries()]


def clean_postal_code(postal_code: str, country: str) -> str:
    """The postal code as the country writes it, or a ValidationError that shows an example."""
    postal_code = " ".join(postal_code.split()).upper()
    if country == "LU":
        import re

        match = re.match(LU_POSTAL_CODE, postal_code)
        if not match:
            raise ValidationError(gettext("Please enter a Luxembourg postal code of four digits, like L-1234."))
        return f"L-{match.group(1)}"
    if country not in POSTAL_CODE_FIELDS:
        if not 2 <= len(postal_code) <= 10:
            raise ValidationError(gettext("Please enter the postal code."))
        return postal_code
    module_name, field_name, example = POSTAL_CODE_FIELDS[country]
    from importlib import import_module

    field = getattr(import_module(module_name), field_name)()
    try:
        return field.clean(postal_code)
    except ValidationError:
        raise ValidationError(
            gettext("Please enter a valid postal code for %(country)s, like %(example)s.")
            % {"country": country_name(country), "example": example}
        ) from None


def clean_phone(phone: str, country: str) -> str:
    """E.164 ("+31612345678"); a number without a country code is read as the delivery country's."""
    import phonenumbers  # imported here: a shop page's cold start never needs its tables

    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            gettext("Please enter a phone number we can call, like +31 6 12345678, or leave it empty.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _text(label, autocomplete, required_message, max_length=100, required=True):
    """One line of an address: it reaches Mollie, the packing slip and mails (shop.typed_text).
    Its messages say what to do, in the checkout's voice."""
    return OneLineField(
        label=label,
        max_length=max_length,
        required=required,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
        error_messages={
            "required": required_message,
            "max_length": gettext_lazy("Please shorten this to at most %(limit_value)s characters."),
        },
    )


def split_name(full_name: str) -> tuple[str, str]:
    """Mollie's givenName and familyName from the one name field: the last word is the family name."""
    given, _, family = full_name.strip().rpartition(" ")
    return (given, family) if given else (family, "")


def company_name_given(text: str | None) -> bool:
    """Whether `text` names a company: at least one letter or digit. Spaces, a dash, or invisible
    characters (a zero-width space, a soft hyphen, a byte-order mark) are no name: Billie is not
    offered for them and they never reach Mollie as organizationName. Used by the form and by the
    checkout's choice of methods, so both decide alike."""
    return any(character.isalnum() for character in text or "")


def _company_name():
    """The company ordering, optional: Mollie's billingAddress.organizationName, which Billie (pay by
    invoice, for businesses) requires. One line, like a name (shop.typed_text)."""
    return OneLineField(
        label=gettext_lazy("Company name (optional)"),
        help_text=gettext_lazy("Only for a business order. Paying by invoice with Billie needs it."),
        max_length=100,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"max_length": gettext_lazy("Please shorten this to at most %(limit_value)s characters.")},
    )


class AddressFields(forms.Form):
    """Delivery address, optional phone and company, and a billing address only when it differs."""

    company_name = _company_name()
    street_and_number = _text(
        gettext_lazy("Street and house number"),
        "shipping address-line1",
        gettext_lazy("Please enter your street and house number."),
    )
    postal_code = _text(
        gettext_lazy("Postal code"),
        "shipping postal-code",
        gettext_lazy("Please enter your postal code."),
        max_length=12,
    )
    city = _text(gettext_lazy("City"), "shipping address-level2", gettext_lazy("Please enter your city."))
    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        widget=forms.Select(attrs={"autocomplete": "shipping country"}),
        error_messages={
            "required": gettext_lazy("Please choose the country we ship to."),
            "invalid_choice": gettext_lazy("We do not ship to that country; please choose one from the list."),
        },
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number (optional)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    billing_differs = forms.BooleanField(label=gettext_lazy("My billing address is different"), required=False)
    billing_name = _text(
        gettext_lazy("Billing name"), "billing name", gettext_lazy("Please enter your billing name."), required=False
    )
    billing_street_and_number = _text(
        gettext_lazy("Billing street and house number"),
        "billing address-line1",
        gettext_lazy("Please enter your billing street and house number."),
        required=False,
    )
    billing_postal_code = _text(
        gettext_lazy("Billing postal code"),
        "billing postal-code",
        gettext_lazy("Please enter your billing postal code."),
        max_length=12,
        required=False,
    )
    billing_city = _text(
        gettext_lazy("Billing city"),
        "billing address-level2",
        gettext_lazy("Please enter your billing city."),
        required=False,
    )
    billing_country = forms.ChoiceField(
        label=gettext_lazy("Billing country"),
        required=False,
        widget=forms.Select(attrs={"autocomplete": "billing country"}),
        error_messages={"invalid_choice": gettext_lazy("Please choose the billing country from the list.")},
    )

    DELIVERY_FIELDS = ("company_name", "street_and_number", "postal_code", "city", "country", "phone")
    BILLING_FIELDS = (
        "billing_name",
        "billing_street_and_number",
        "billing_postal_code",
        "billing_city",
        "billing_country",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = country_choices()
        for name in ("country", "billing_country"):
            self.fields[name].choices = choices  # type: ignore[attr-defined]  # a ChoiceField

    def clean_company_name(self):
        company = self.cleaned_data.get("company_name") or ""
        if company and not company_name_given(company):
            raise ValidationError(
                gettext_lazy("Please enter your company's name with letters or digits, or leave this empty."),
                code="no_name",
            )
        return company

    def clean(self):
        cleaned = super().clean() or {}
        self._clean_postal_code("postal_code", "country")
        if cleaned.get("phone") and cleaned.get("country"):
            try:
                cleaned["phone"] = clean_phone(cleaned["phone"], cleaned["country"])
            except ValidationError as error:
                self.add_error("phone", error)
        if cleaned.get("billing_differs"):
            for name in self.BILLING_FIELDS:
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(
                        name, gettext("Please fill this in for your billing address, or untick the box above.")
                    )
            self._clean_postal_code("billing_postal_code", "billing_country")
        return cleaned

    def _clean_postal_code(self, field, country_field):
        cleaned: dict = self.cleaned_data
        value, country = cleaned.get(field), cleaned.get(country_field)
        if value and country:
            try:
                cleaned[field] = clean_postal_code(value, country)
            except ValidationError as error:
                self.add_error(field, error)

    def addresses(self, full_name: str) -> tuple[Address, Address | None]:
        """The delivery address, and the billing address when it differs (else None)."""
        data: dict = self.cleaned_data
        given, family = split_name(full_name)
        company = data.get("company_name") or None
        delivery = Address(
            given_name=given,
            family_name=family,
            street_and_number=data["street_and_number"],
            postal_code=data["postal_code"],
            city=data["city"],
            country=data["country"],
            phone=data.get("phone") or None,
            organization_name=company,
        )
        if not data.get("billing_differs"):
            return delivery, None
        given, family = split_name(data["billing_name"])
        billing = Address(
            given_name=given,
            family_name=family,
            street_and_number=data["billing_street_and_number"],
            postal_code=data["billing_postal_code"],
            city=data["billing_city"],
            country=data["billing_country"],
            organization_name=company,
        )
        return delivery, billing
