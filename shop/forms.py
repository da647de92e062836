from django import forms
from django.utils.translation import gettext, gettext_lazy

from payments.enums import PaymentMethod
from payments.services.methods import BUSINESS_METHODS, PAY_LATER_METHODS
from shop.addresses import AddressFields
from shop.cart import MAX_QUANTITY
from shop.typed_text import OneLineField

QUANTITY_ERRORS = {
    "invalid": gettext_lazy("Please enter the quantity as a whole number, like 2."),
    "max_value": gettext_lazy("You can order at most %(limit_value)s of one article."),
    "required": gettext_lazy("Please enter a quantity."),
}


class CartAddForm(forms.Form):
    slug = forms.SlugField(max_length=64)
    # Left out (a plain "Add to cart" button): one.
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        required=False,
        error_messages={**QUANTITY_ERRORS, "min_value": gettext_lazy("Please choose a quantity of at least 1.")},
    )


class CartUpdateForm(forms.Form):
    slug = forms.SlugField(max_length=64)
    # 0 takes the article out of the cart, like the Remove button.
    quantity = forms.IntegerField(
        min_value=0,
        max_value=MAX_QUANTITY,
        error_messages={
            **QUANTITY_ERRORS,
            "min_value": gettext_lazy("A quantity cannot be negative; choose 0 or Remove to take an article out."),
        },
    )


# Billie (pay later for businesses) chosen without a company name: Mollie would refuse the payment.
COMPANY_NAME_NEEDED = gettext_lazy(
    "Paying by invoice with Billie is for businesses: please enter your company name, or choose another method."
)


class MethodChoiceForm(forms.Form):
    """The optional payment method: one Mollie offers for this amount, or empty (choose on Mollie's
    page). `methods`: Mollie's list for the amount, or None when Mollie cannot say now;
    `business_methods`: those of Mollie's list only a business may choose (Billie), shown to be
    chosen once a company name is filled in."""

    method = forms.CharField(label=gettext_lazy("Payment method"), required=False, max_length=40)

    def __init__(self, *args, methods=None, business_methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = methods
        offered = {method.id for method in methods or ()}
        self.needs_company = tuple(method for method in business_methods if method.id not in offered)

    def clean_method(self):
        method = self.cleaned_data["method"]
        if not method:
            return ""
        if self.methods is None:
            raise forms.ValidationError(
                gettext(
                    "We cannot check payment methods right now. Leave the choice to Mollie's payment page, "
                    "or try again in a moment."
                )
            )
        if method not in {offered.id for offered in self.methods}:
            if method in {listed.id for listed in self.needs_company}:
                raise forms.ValidationError(COMPANY_NAME_NEEDED)
            if method in PAY_LATER_METHODS:
                raise forms.ValidationError(
                    gettext(
                        "%(method)s is not available for this amount or billing country (each pay-later "
                        "method has its own minimum and maximum amount); please choose another method."
                    )
                    % {"method": PaymentMethod.label_of(method)}
                )
            raise forms.ValidationError(
                gettext("That payment method is not available for this order; please choose another.")
            )
        return method


class PayAgainForm(MethodChoiceForm):
    """ "Pay again" / "Try again" on the order page, with the same optional method choice."""


class CheckoutForm(AddressFields, MethodChoiceForm):
    field_order = ("name", "email", "checkout_id", *AddressFields.base_fields, "method")
    # autocomplete lets browsers and password managers fill in the shopper's details (WCAG 1.3.5).
    # Reaches mails, Mollie's pages and staff: one line (shop.typed_text). Every message says what to do,
    # in the checkout's voice, never Django's "This field is required.".
    name = OneLineField(
        label=gettext_lazy("Full name"),
        max_length=100,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": gettext_lazy("Please enter your full name."),
            "max_length": gettext_lazy("Please shorten your name to at most 100 characters."),
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": gettext_lazy("Please enter your e-mail address, so we can send your order confirmation."),
            "invalid": gettext_lazy("Please enter an e-mail address like name@example.com."),
            "max_length": gettext_lazy("Please enter an e-mail address of at most 254 characters."),
        },
    )
    # Rendered once per checkout page: submitting the same form twice places one order.
    checkout_id = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean() or {}
        # The methods offered followed the company name as posted; this holds to it as cleaned.
        company_given = cleaned.get("company_name") or "company_name" in self.errors
        if cleaned.get("method") in BUSINESS_METHODS and not company_given:
            self.add_error("method", COMPANY_NAME_NEEDED)
        return cleaned

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not any(character.isalpha() for character in name):
            raise forms.ValidationError(gettext("Please enter your name."))
        return name
