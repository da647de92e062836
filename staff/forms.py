"""Forms for the staff pages: they parse and validate what staff typed; the services decide."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.csp import picture_allowed
from payments.converters import ORDER_ID_PATTERN
from payments.enums import OrderStatus
from payments.mollie import PAYMENT_ID_PATTERN
from shop.money import SYMBOLS, decimal_amount, format_money
from shop.selectors import stored_article
from shop.typed_text import NoteField, OneLineField
from staff import article_translations, cursors, services
from staff.selectors import OrderFilter

AMOUNT_PATTERN = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")
PICTURE_PATH_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_./-]*\.(svg|png|jpe?g|webp|gif)$")


class AmountField(forms.CharField):
    """An amount typed as "12.50" (or "12,50"), cleaned to integer cents. Never a float."""

    def __init__(self, *, min_cents=1, **kwargs):
        self.min_cents = min_cents
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        text = text.replace(" ", "").replace("\u00a0", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if not AMOUNT_PATTERN.match(text):
            raise ValidationError("Enter an amount like 12.50 (at most two decimals).", code="invalid")
        cents = int(Decimal(text) * 100)
        if cents < self.min_cents:
            raise ValidationError(f"The amount must be at least {decimal_amount(self.min_cents)}.", code="min")
        return cents


# --- Logging in ---------------------------------------------------------------------------------


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        strip=False, max_length=4096, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordChangeForm(forms.Form):
    # The current password is checked by services.change_password, which throttles guesses.
    current_password = forms.CharField(
        strip=False, max_length=4096, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common or all-numeric password.",
    )
    new_password_again = forms.CharField(
        strip=False,
        max_length=4096,
        label="New password (again)",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        new, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "The two new passwords differ.")
        elif new:
            try:
                services.validate_new_password(
                    new, username=self.member.username, display_name=self.member.display_name
                )
            except ValidationError as error:
                self.add_error("new_password", error)
        return cleaned


# --- Orders list --------------------------------------------------------------------------------


# Days an order can have been placed on. Past them a day means nothing to the shop, and the end of
# the range (the day after "until") must stay a date Python and DynamoDB's sort order can hold.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class DayField(forms.DateField):
    """A day of the orders list's range: typed as YYYY-MM-DD, between EARLIEST_DAY and LATEST_DAY."""

    def __init__(self, **kwargs):
        attrs = {"type": "date", "min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()}
        super().__init__(required=False, widget=forms.DateInput(attrs=attrs, format="%Y-%m-%d"), **kwargs)
        self.error_messages["invalid"] = "Enter a date like 2026-03-10 (year, month, day)."

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ValidationError(
                f"Choose a day between {EARLIEST_DAY:%-d %B %Y} and {LATEST_DAY:%-d %B %Y}.", code="out_of_range"
            )
        return day


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "All")] + OrderStatus.choices, required=False)
    created_from = DayField(label="Placed from")
    created_to = DayField(label="Placed until")
    q = forms.CharField(
        required=False,
        max_length=254,
        label="Search",
        help_text=(
            "An order number or its beginning (SO-7F3…), a customer's e-mail address or a Mollie payment id (tr_…)."
        ),
    )
    cursor = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_q(self):
        # Each kind of search is an exact key lookup: DynamoDB cannot search inside text.
        text = self.cleaned_data["q"].strip()
        if not text:
            return {}
        prefix = _order_number_prefix(text)
        if prefix and ORDER_ID_PATTERN.match(prefix):
            return {"order_id": prefix}
        if prefix:
            return {"order_number_prefix": prefix}
        if PAYMENT_ID_PATTERN.match(text):
            return {"mollie_payment_id": text}
        if "@" in text:
            try:
                forms.EmailField().clean(text)
            except ValidationError:
                pass
            else:
                return {"customer_email": text.lower()}
        raise ValidationError(
            "Search for an order number or its beginning (SO-XXXXX-XXXXX), an e-mail address or a Mollie "
            "payment id (tr_…)."
        )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        since, until = cleaned.get("created_from"), cleaned.get("created_to")
        if since and until and since > until:
            self.add_error("created_to", "The end date is before the start date.")
        if self.errors:
            return cleaned
        self.order_filter = OrderFilter(
            status=cleaned.get("status") or "",
            created_since=_start_of_day(since) if since else None,
            created_before=_start_of_day(until + timedelta(days=1)) if until else None,
            **cleaned.get("q", {}),
        )
        self.start_key = None
        if cleaned.get("cursor"):
            try:
                self.start_key = cursors.read_cursor(cleaned["cursor"], self.order_filter)
            except cursors.InvalidCursor:
                self.add_error(
                    "cursor", "This page link does not belong to these filters. Start again from the first page."
                )
        return cleaned


_ORDER_NUMBER_DIGITS = re.compile(r"^[0-9A-F]{1,10}$")


def _order_number_prefix(text):
    """The beginning of an order number as read out over the phone: "so 7f3", "7F3K2-1" and
    "SO-7F3K21" become their SO-XXXXX-XXXXX form ("SO-7F3", "SO-7F3K2-1"). None for anything else."""
    digits = re.sub(r"[\s-]+", "", text.upper())
    digits = digits.removeprefix("SO")
    if not _ORDER_NUMBER_DIGITS.match(digits):
        return None
    return f"SO-{digits[:5]}-{digits[5:]}" if len(digits) > 5 else f"SO-{digits}"


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# --- Order actions ------------------------------------------------------------------------------


class RefundForm(forms.Form):
    amount = AmountField(help_text="For example 12.50. At most what has not been refunded yet.")
    description = OneLineField(required=False, max_length=140, label="Note for the customer's bank statement")
    # Made once when the form is shown, and sent to Mollie as the idempotency key: submitting
    # the confirmation twice refunds once.
    refund_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def __init__(self, *args, remaining_cents=None, currency="EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.remaining_cents = remaining_cents
        self.currency = currency

    def clean_amount(self):
        cents = self.cleaned_data["amount"]
        # Checked before the confirmation step for a quick answer; the refund service checks
        # again against Mollie's figures when it is confirmed.
        if self.remaining_cents is not None and cents > self.remaining_cents:
            raise ValidationError(f"At most {format_money(self.remaining_cents, self.currency)} can still be refunded.")
        return cents


def _handled_note(example):
    return NoteField(
        required=False,
        max_length=500,
        label="Note for the timeline",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"For example: {example}.",
    )


class ChargebackHandledForm(forms.Form):
    note = _handled_note("contacted the customer, nothing was shipped; or disputed in Mollie's dashboard")


class DoublePaymentHandledForm(forms.Form):
    note = _handled_note("refunded via Mollie's dashboard, or the customer keeps both")


# --- Catalog ------------------------------------------------------------------------------------


STALE_FORM = "This form was changed outside the page; open the article again and retype the stock."


class ArticleForm(forms.Form):
    slug = forms.SlugField(max_length=64, help_text="Part of the article's web address; cannot be changed later.")
    name = OneLineField(max_length=100)
    description = NoteField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    price = AmountField(help_text="Including VAT, for example 12.50.")
    currency = forms.ChoiceField(choices=[(code, code) for code in SYMBOLS], initial="EUR")
    stock = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text="Leave empty if stock is not counted (always available). A change is "
        "applied as a difference, so orders placed meanwhile still count.",
    )
    vat_rate = forms.ChoiceField(
        label="VAT rate",
        choices=[("21.00", "21% (standard)"), ("9.00", "9% (reduced: food, such as coffee beans)"), ("0.00", "0%")],
        initial="21.00",
        required=False,  # left out (an older form): the standard rate
        help_text="The VAT included in the price; Mollie receives it per line.",
    )
    sku = forms.CharField(label="SKU", required=False, max_length=64, help_text="Your article number (optional).")
    weight_grams = forms.IntegerField(label="Weight (grams)", required=False, min_value=0, max_value=100_000)
    # The stock this form showed: the save applies the difference to the live value.
    stock_shown = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1_000_000,
        widget=forms.HiddenInput,
        error_messages={"min_value": STALE_FORM, "max_value": STALE_FORM, "invalid": STALE_FORM},
    )
    active = forms.BooleanField(required=False, initial=True, label="Sold in the shop")
    picture = forms.CharField(
        required=False,
        max_length=500,
        help_text="A static file path such as shop/articles/mug.svg",
    )

    def __init__(self, *args, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        if settings.ARTICLE_PICTURE_ORIGINS:
            origins = ", ".join(settings.ARTICLE_PICTURE_ORIGINS)
            self.fields["picture"].help_text += f", or a web address at {origins}."
        else:
            self.fields["picture"].help_text += "."
        if article is not None:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = ""
        article_translations.add_translation_fields(self)

    def clean(self):
        super().clean()
        self.cleaned_data["translations"] = article_translations.cleaned_translations(self)
        return self.cleaned_data

    def translation_groups(self):
        return article_translations.translation_groups(self)

    def missing_translations_summary(self):
        return article_translations.missing_summary(self.translation_groups())

    def fields_before_translations(self):
        return [self[name] for name in ("slug", "name", "description")]

    def fields_after_translations(self):
        shown_apart = {"slug", "name", "description"} | article_translations.translation_field_names()
        return [field for field in self.visible_fields() if field.name not in shown_apart]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.article is None and stored_article(slug) is not None:
            raise ValidationError("An article with this slug exists already.")
        return slug

    def clean_picture(self):
        picture = self.cleaned_data["picture"].strip()
        if not picture:
            return picture
        if "://" in picture:
            forms.URLField(assume_scheme="https").clean(picture)
            # The page's Content-Security-Policy lets browsers load pictures only from these.
            if not picture_allowed(picture):
                origins = ", ".join(settings.ARTICLE_PICTURE_ORIGINS)
                raise ValidationError(
                    f"Pictures by web address can come only from {origins}."
                    if origins
                    else "This shop shows no pictures from other web sites (ARTICLE_PICTURE_ORIGINS is not set). "
                    "Use a static file path like shop/articles/mug.svg."
                )
            return picture
        if ".." in picture.split("/") or not PICTURE_PATH_PATTERN.match(picture):
            raise ValidationError(
                "Enter a path inside the static files (like shop/articles/mug.svg) ending in "
                ".svg, .png, .jpg, .webp or .gif."
            )
        # Only this release's files reach the bucket and its manifest: a typo would be a broken picture.
        if finders.find(picture) is None:
            raise ValidationError(
                f"There is no picture “{picture}” among the shop's static files. Check the "
                "spelling (like shop/articles/mug.svg)."
            )
        return picture

    @classmethod
    def initial_for(cls, article):
        return {
            "slug": article.slug,
            "name": article.name,
            "description": article.description,
            "price": decimal_amount(article.price_cents),
            "currency": article.currency,
            "stock": article.stock,
            "stock_shown": article.stock,
            "active": article.active,
            "picture": article.picture,
            "vat_rate": article.vat_rate,
            "sku": article.sku or "",
            "weight_grams": article.weight_grams,
            **article_translations.initial_translations(article),
        }
