"""The catalog, stored in DynamoDB.

Access patterns:
- article by slug (article page, cart, checkout): GetItem on the key.
- all articles in shop order (shop page, staff catalog): Query on `catalog_index`, one partition
  ("catalog") sorted by `position`; a shop's catalog is small, so one partition is enough.
- all shipping zones (cart, checkout, staff): Query `shipping_zones` on its one partition ("zones");
  a shop has a handful, read once and kept briefly (shop.shipping).

An article's name and description in other languages live with it, in `translations`: no table,
no second read (docs/staff.md, Article translations).
"""

from typing import Any, NamedTuple

from django.conf import settings
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from config import dynamodb

CATALOG_PARTITION = "catalog"
ZONES_PARTITION = "zones"
# Mollie's vatRate for an article stored before articles had one: the standard rate.
STANDARD_VAT_RATE = "21.00"


class CatalogIndex(dynamodb.AllProjectionIndex):
    catalog = UnicodeAttribute(hash_key=True)
    position = UnicodeAttribute(range_key=True)


class ArticleText(NamedTuple):
    """What a shopper reads of an article in one language."""

    name: str
    description: str


def default_language() -> str:
    """The language of an article's own `name` and `description`, every translation's fallback."""
    return settings.LANGUAGE_CODE


def translated_languages() -> list[str]:
    """The shop's languages an article can be translated into: all but the default one."""
    return [code for code, _ in settings.LANGUAGES if code != default_language()]


def missing_parts(text: dict[str, str], *, default_description: str) -> list[str]:
    """What one translation lacks: "name" and/or "description" (a description is missing only
    when the default language has one)."""
    parts = ["name"] if not text.get("name") else []
    if default_description and not text.get("description"):
        parts.append("description")
    return parts


class DisplayCopyNotSaved(Exception):
    """A copy of an article in another language was about to be written over the stored one."""


@dynamodb.table
class Article(Model):
    class Meta:
        table_name = "articles"

    slug = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    price_cents = NumberAttribute()
    currency = UnicodeAttribute(default="EUR")
    # A static file path (e.g. "shop/articles/mug.svg") or an absolute URL.
    picture = UnicodeAttribute(default="")
    active = BooleanAttribute(default=True)
    # None means "not tracked": the article can always be sold.
    stock = NumberAttribute(null=True)
    # VAT included in the price, as Mollie's vatRate ("21.00", "9.00": food such as coffee beans).
    vat_rate = UnicodeAttribute(default=STANDARD_VAT_RATE)
    sku = UnicodeAttribute(null=True)
    weight_grams = NumberAttribute(null=True)
    catalog = UnicodeAttribute(default=CATALOG_PARTITION)
    position = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    # Name and description in the other languages: {"nl": {"name": ..., "description": ...}}. The
    # default language's are `name` and `description` above, so items stored before translations
    # load as they are and read the same in every language.
    translations: MapAttribute[str, Any] = MapAttribute(null=True)

    catalog_index = CatalogIndex()

    # Not stored: the language this copy shows (`in_language`); None for the article as stored.
    shown_in: str | None = None

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0

    def stored_translations(self) -> dict[str, dict[str, str]]:
        """The translations as plain dicts, by language code; {} for an article without any."""
        value = self.translations
        if value is None:
            return {}
        stored = value.as_dict() if isinstance(value, MapAttribute) else dict(value)
        return {
            code: {"name": str(text.get("name") or ""), "description": str(text.get("description") or "")}
            for code, text in stored.items()
            if isinstance(text, dict)
        }

    def text_in(self, language: str | None) -> ArticleText:
        """Name and description in `language` ("nl", or a variant such as "nl-be"), each falling
        back to the default language's when that translation has none."""
        translations = self.stored_translations()
        code = (language or "").lower()
        text = translations.get(code) or translations.get(code.split("-")[0]) or {}
        return ArticleText(name=text.get("name") or self.name, description=text.get("description") or self.description)

    def in_language(self, language: str | None) -> "Article":
        """The article as a shopper in `language` reads it: itself when nothing differs, else a
        copy with that name and description (never written back: `save` and `update` refuse it)."""
        text = self.text_in(language)
        if text == (self.name, self.description):
            return self
        shown = Article.from_raw_data(self.serialize())
        shown.name, shown.description, shown.shown_in = text.name, text.description, language
        return shown

    def missing_translations(self) -> dict[str, list[str]]:
        """For each translated language that lacks something: "name" and/or "description"."""
        translations = self.stored_translations()
        missing = {}
        for code in translated_languages():
            if parts := missing_parts(translations.get(code, {}), default_description=self.description):
                missing[code] = parts
        return missing

    def save(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_display_copy()
        return super().save(*args, **kwargs)

    def update(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_display_copy()
        return super().update(*args, **kwargs)

    def _refuse_display_copy(self) -> None:
        # A copy's name is a translation: saved, it would become the default language's name.
        if self.shown_in is not None:
            raise DisplayCopyNotSaved(f"{self.slug} as shown in {self.shown_in!r} is not the stored article")


@dynamodb.table
class ShippingZone(Model):
    """Countries shipped to at one price, free above an amount; edited by staff."""

    class Meta:
        table_name = "shipping_zones"

    zones = UnicodeAttribute(hash_key=True, default=ZONES_PARTITION)
    zone_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    countries = ListAttribute(of=UnicodeAttribute)  # ISO 3166-1 alpha-2 codes
    price_cents = NumberAttribute()
    free_above_cents = NumberAttribute(null=True)  # None: never free
    vat_rate = UnicodeAttribute(default=STANDARD_VAT_RATE)
    currency = UnicodeAttribute(default="EUR")
    delivery_days = UnicodeAttribute(default="")  # "1-2", shown on the shipping page
    updated_at = UTCDateTimeAttribute(null=True)
