"""Catalog writes: seeding the demo catalog and staff edits. Stock changes live in payments.services."""
from django.utils import timezone
from pynamodb.exceptions import PutError

from config import dynamodb
from shop.models import Article

DEMO_ARTICLES = [
    # slug, name, description, price in cents, stock (None = not tracked)
    ("espresso-cup", "Espresso cup", "Stoneware cup for a double espresso, glazed by hand.", 1250, 40),
    ("pour-over-kettle", "Pour-over kettle", "Gooseneck kettle, 1 litre, for a slow and even pour.", 4995, 12),
    ("coffee-beans", "Coffee beans, 250 g", "Washed Ethiopian beans, light roast, notes of citrus.", 895, None),
    ("ceramic-dripper", "Ceramic dripper", "Cone dripper for paper filters, brews one or two cups.", 2400, 25),
    ("linen-apron", "Linen apron", "Washed linen apron with a deep front pocket.", 3800, 8),
    ("last-one-grinder", "Hand grinder (last one)", "Steel burr hand grinder. Only one left in stock.", 8900, 1),
]


def seed_catalog() -> int:
    """Adds the demo articles that are missing; returns how many were added. Idempotent."""
    added = 0
    now = timezone.now()
    for position, (slug, name, description, price_cents, stock) in enumerate(DEMO_ARTICLES):
        article = Article(
            slug,
            name=name,
            description=description,
            price_cents=price_cents,
            currency="EUR",
            picture=f"shop/articles/{slug}.svg",
            active=True,
            stock=stock,
            position=f"{position * 10:06d}",
            created_at=now,
            updated_at=now,
        )
        try:
            article.save(condition=Article.slug.does_not_exist())
        except PutError as error:
            if not dynamodb.is_condition_failure(error):
                raise
        else:
            added += 1
    return added


def save_article(*, slug, name, description, price_cents, currency, picture, active, stock, position=None):
    """Create or update an article (staff catalog). Stock is set as given: a staff decision."""
    now = timezone.now()
    try:
        article = Article.get(slug, consistent_read=True)
    except Article.DoesNotExist:
        article = Article(slug, created_at=now, position=position or now.strftime("%Y%m%d%H%M%S"))
    article.name = name
    article.description = description
    article.price_cents = price_cents
    article.currency = currency
    article.picture = picture
    article.active = active
    article.stock = stock
    if position:
        article.position = position
    article.updated_at = now
    article.save()
    return article

