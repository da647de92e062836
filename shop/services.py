"""Catalog writes: seeding the demo catalog and staff edits. Checkouts reserve and return stock in
payments.services; staff edits here change it only by the difference they made."""

from django.utils import timezone
from pynamodb.exceptions import UpdateError

from config import dynamodb
from shop.models import STANDARD_VAT_RATE, Article
from shop.selectors import forget_shop_catalog

FOOD_VAT_RATE = "9.00"  # the Netherlands' reduced rate: coffee beans are food
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
            vat_rate=FOOD_VAT_RATE if slug == "coffee-beans" else STANDARD_VAT_RATE,
            sku=f"BC-{slug.upper()}",
            created_at=now,
            updated_at=now,
        )
        if dynamodb.save_new(article):
            added += 1
    forget_shop_catalog()
    return added


class StockChangedMeanwhile(Exception):
    """The stock moved (an order, a return) between showing the form and saving it."""


def save_article(**fields):
    """Create or update an article (staff catalog); this process's shop page shows it at once."""
    try:
        return _write_article(**fields)
    finally:
        forget_shop_catalog()  # also after a failed try: a write may have landed before the error


def _write_article(
    *, slug, name, description, price_cents, currency, picture, active, stock, stock_shown=None, position=None, **tax
):
    """Create or update an article.

    Checkouts change stock all the time, so an edit never writes back the number the form showed:
    a changed stock is applied as a difference (shown 8, typed 10: two more), and turning stock
    counting on or off only succeeds if nothing moved meanwhile. `tax`: vat_rate, sku and
    weight_grams, kept as they are when not given.
    """
    for write_try in dynamodb.optimistic_retries(slug):
        now = timezone.now()  # fresh on each try: it also marks this write as ours
        article = dynamodb.get_or_none(Article, slug)
        if article is None:
            article = Article(
                slug,
                name=name,
                description=description,
                price_cents=price_cents,
                currency=currency,
                picture=picture,
                active=active,
                stock=stock,
                created_at=now,
                updated_at=now,
                position=position or now.strftime("%Y%m%d%H%M%S"),
                **{name: value for name, value in tax.items() if value is not None},
            )
            article.save(condition=Article.slug.does_not_exist())
            return article
        actions = [
            Article.name.set(name),
            Article.description.set(description),
            Article.price_cents.set(price_cents),
            Article.currency.set(currency),
            Article.picture.set(picture),
            Article.active.set(active),
            Article.updated_at.set(now),
        ]
        if position:
            actions.append(Article.position.set(position))
        actions += _tax_changes(tax)
        actions += _stock_change(article, stock, stock_shown)
        try:
            # Conditional on the state it was computed from (every stock change sets updated_at):
            # a checkout meanwhile, or botocore repeating this request after a read timeout when
            # the first one had landed, fails it instead of adding the difference twice.
            article.update(actions=actions, condition=Article.updated_at == article.updated_at)
        except UpdateError as error:
            write_try.lost(error)
            current = Article.get(slug, consistent_read=True)
            if current.updated_at == now:
                return current  # it was this edit that landed, on an earlier try
            continue
        return article


def _tax_changes(tax):
    """Staff's VAT rate (None: kept), SKU and weight (emptied: removed)."""
    actions = []
    for name in ("vat_rate", "sku", "weight_grams"):
        if name in tax and not (name == "vat_rate" and tax[name] is None):
            attribute = getattr(Article, name)
            actions.append(attribute.remove() if tax[name] in (None, "") else attribute.set(tax[name]))
    return actions


def _stock_change(article, stock, stock_shown):
    """The update actions for the stock, relative to what the form showed; raises
    StockChangedMeanwhile when the change no longer fits what is in stock now."""
    if stock == stock_shown:
        return []
    if stock is not None and stock_shown is not None:
        if article.stock is None or article.stock < stock_shown - stock:  # never below zero
            raise StockChangedMeanwhile()
        return [Article.stock.add(stock - stock_shown)]
    if stock is None:
        if article.stock != stock_shown:
            raise StockChangedMeanwhile()
        return [Article.stock.remove()]
    if article.stock is not None:
        raise StockChangedMeanwhile()
    return [Article.stock.set(stock)]
