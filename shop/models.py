"""The catalog, stored in DynamoDB.

Access patterns:
- article by slug (article page, cart, checkout): GetItem on the key.
- all articles in shop order (shop page, staff catalog): Query on `catalog_index`, one partition
  ("catalog") sorted by `position`; a shop's catalog is small, so one partition is enough.
"""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from config import dynamodb

CATALOG_PARTITION = "catalog"


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
    catalog = UnicodeAttribute(default=CATALOG_PARTITION)
    position = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    catalog_index = CatalogIndex()

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0
