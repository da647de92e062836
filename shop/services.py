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
# The demo articles in the shop's other languages: slug -> language -> (name, description).
DEMO_TRANSLATIONS = {
    "espresso-cup": {
        "nl": ("Espressokopje", "Kopje van steengoed voor een dubbele espresso, met de hand geglazuurd."),
        "de": ("Espressotasse", "Tasse aus Steinzeug für einen doppelten Espresso, von Hand glasiert."),
        "fr": ("Tasse à expresso", "Tasse en grès pour un double expresso, émaillée à la main."),
    },
    "pour-over-kettle": {
        "nl": ("Schenkketel", "Ketel met zwanenhals, 1 liter, om langzaam en gelijkmatig op te gieten."),
        "de": ("Schwanenhalskessel", "Wasserkessel mit Schwanenhals, 1 Liter, zum langsamen, gleichmäßigen Aufgießen."),
        "fr": (
            "Bouilloire col de cygne",
            "Bouilloire à col de cygne de 1 litre, pour verser lentement et régulièrement.",
        ),
    },
    "coffee-beans": {
        "nl": ("Koffiebonen, 250 g", "Gewassen Ethiopische bonen, lichte branding, met tonen van citrus."),
        "de": ("Kaffeebohnen, 250 g", "Gewaschene äthiopische Bohnen, helle Röstung, mit Zitrusnoten."),
        "fr": ("Café en grains, 250 g", "Grains d’Éthiopie lavés, torréfaction légère, notes d’agrumes."),
    },
    "ceramic-dripper": {
        "nl": ("Keramische filterhouder", "Conische filterhouder voor papieren filters, voor één of twee kopjes."),
        "de": ("Keramik-Handfilter", "Kegelförmiger Handfilter für Papierfilter, für ein bis zwei Tassen."),
        "fr": ("Porte-filtre en céramique", "Porte-filtre conique pour filtres en papier, pour une ou deux tasses."),
    },
    "linen-apron": {
        "nl": ("Linnen schort", "Schort van gewassen linnen met een diepe zak aan de voorkant."),
        "de": ("Leinenschürze", "Schürze aus gewaschenem Leinen mit tiefer Fronttasche."),
        "fr": ("Tablier en lin", "Tablier en lin lavé, avec une poche profonde sur le devant."),
    },
    "last-one-grinder": {
        "nl": ("Handkoffiemolen (de laatste)", "Handmolen met stalen maalwerk. Nog maar één op voorraad."),
        "de": ("Handmühle (letztes Exemplar)", "Kaffeemühle mit Stahlmahlwerk. Nur noch ein Stück auf Lager."),
        "fr": (
            "Moulin manuel (dernier exemplaire)",
            "Moulin à café manuel à meules en acier. Il n’en reste plus qu’un.",
        ),
    },
}


def demo_translations(slug: str) -> dict[str, dict[str, str]]:
    return {
        code: {"name": name, "description": description}
        for code, (name, description) in DEMO_TRANSLATIONS.get(slug, {}).items()
    }


def seed_catalog() -> int:
    """Adds the demo articles that are missing; returns how many were added. Idempotent. Demo
    articles seeded before translations get theirs (staff's own translations are left alone)."""
    added = 0
    for article in demo_articles():
        if dynamodb.save_new(article):
            added += 1
        else:
            _add_demo_translations(article.slug)
    forget_shop_catalog()
    return added


def demo_articles() -> list[Article]:
    """The demo catalog, unsaved, in the shop's order."""
    now = timezone.now()
    return [
        Article(
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
            translations=demo_translations(slug),
            created_at=now,
            updated_at=now,
        )
        for position, (slug, name, description, price_cents, stock) in enumerate(DEMO_ARTICLES)
    ]


def _add_demo_translations(slug):
    try:
        Article(slug).update(
            actions=[Article.translations.set(demo_translations(slug)), Article.updated_at.set(timezone.now())],
            condition=Article.slug.exists() & Article.translations.does_not_exist(),
        )
    except UpdateError as error:
        if not dynamodb.is_condition_failure(error):
            raise


class StockChangedMeanwhile(Exception):
    """The stock moved (an order, a return) between showing the form and saving it."""


def save_article(**fields):
    """Create or update an article (staff catalog); this process's shop page shows it at once."""
    try:
        return _write_article(**fields)
    finally:
        forget_shop_catalog()  # also after a failed try: a write may have landed before the error


SHOWN_FIELDS = ("name", "description", "price_cents", "currency", "picture", "active")
TAX_FIELDS = ("vat_rate", "sku", "weight_grams")


def _write_article(*, slug, stock, stock_shown=None, position=None, translations=None, **fields):
    """Create or update an article.

    Checkouts change stock all the time, so an edit never writes back the number the form showed:
    a changed stock is applied as a difference (shown 8, typed 10: two more), and turning stock
    counting on or off only succeeds if nothing moved meanwhile. `fields`: the SHOWN_FIELDS, set
    as given, and the TAX_FIELDS, kept as they are when not given. `translations`: by language
    code, the name and description in it, or None to remove it; languages not given are kept.
    """
    shown = {name: fields.pop(name) for name in SHOWN_FIELDS}
    if unknown := set(fields) - set(TAX_FIELDS):
        raise TypeError(f"save_article() got unexpected fields {sorted(unknown)}")
    for write_try in dynamodb.optimistic_retries(slug):
        now = timezone.now()  # fresh on each try: it also marks this write as ours
        article = dynamodb.get_or_none(Article, slug)
        if article is None:
            new = {**shown, "stock": stock, "translations": merged_translations({}, translations) or None}
            return _create_article(slug, now=now, position=position, fields=new, tax=fields)
        actions = [getattr(Article, name).set(value) for name, value in shown.items()]
        actions.append(Article.updated_at.set(now))
        if position:
            actions.append(Article.position.set(position))
        actions += _tax_changes(fields)
        if translations is not None:
            # Kept even when empty: staff removed every translation, and a later seed must not add any.
            actions.append(Article.translations.set(merged_translations(article.stored_translations(), translations)))
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


def _create_article(slug, *, now, position, fields, tax):
    article = Article(
        slug,
        created_at=now,
        updated_at=now,
        position=position or now.strftime("%Y%m%d%H%M%S"),
        **fields,
        **{name: value for name, value in tax.items() if value is not None},
    )
    article.save(condition=Article.slug.does_not_exist())
    return article


def merged_translations(stored, changes):
    """`stored` translations with `changes` applied (a language given as None is removed); a
    translation without a name is not kept (an article is never nameless in a language)."""
    merged = {**stored, **(changes or {})}
    return {
        code: {"name": text["name"], "description": text.get("description") or ""}
        for code, text in sorted(merged.items())
        if text and text.get("name")
    }


def _tax_changes(tax):
    """Staff's VAT rate (None: kept), SKU and weight (emptied: removed)."""
    actions = []
    for name in TAX_FIELDS:
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
