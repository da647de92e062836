"""The catalog, stored in DynamoDB.

Access patterns:
- article by slug (article page, cart, checkout): GetItem on the key.
- all articles in shop order (shop page, staff catalog): Query on `catalog_index`, one partition
  ("catalog") sorted by `position`; a shop's catalog is small, so one partition is enough.
- all shipping zones (cart, checkout, staff): Query `shipping_zones` on its one partition ("zones");
  a shop has a handful, read once and kept briefly (shop.shipping).
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
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

    catalog_index = CatalogIndex()

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0


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
