"""Read-only catalog queries. No Scan: the shop page is one Query on the catalog index, and most
shop pages not even that (a short-lived in-process copy, `shop_catalog`).

What shoppers see (`shop_catalog`, `article_by_slug`, `articles_by_slug`) comes in the active
language (`Article.in_language`), so templates, the cart and the order's lines read `name` and
`description` as always; staff read and edit the articles as stored (`catalog_articles`,
`stored_article`)."""

import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import get_language

from config.dynamodb import current_target, get_or_none
from shop.models import CATALOG_PARTITION, Article


def catalog_articles(*, include_inactive: bool = False) -> list[Article]:
    articles = Article.catalog_index.query(CATALOG_PARTITION)
    return [article for article in articles if include_inactive or article.active]


# --- The shop page's copy of the catalog ---------------------------------------------------------
# Every shopper's first page is the catalog, and it changes rarely. Each process (a Lambda
# container, a runserver) keeps what it read for CATALOG_CACHE_SECONDS, so the shop page costs no
# DynamoDB call in the common case. Staleness is bounded by that: a staff edit made through this
# process is seen at once (`forget_shop_catalog`), one made elsewhere within the bound. Stock shown
# may be that old too; the checkout's conditional write is what refuses a sold-out article.
_clock = time.monotonic
_lock = threading.Lock()
_cached: tuple[object, float, list[Article]] | None = None  # (tables, read at, articles)
_generation = 0  # moved by every forget, so a read that started before it is not kept


def shop_catalog() -> list[Article]:
    """The active articles in shop order, read at most CATALOG_CACHE_SECONDS ago."""
    global _cached
    tables = current_target()  # tests and runserver re-point the tables
    with _lock:
        cached, generation = _cached, _generation
    started = _clock()
    if cached is not None and cached[0] == tables and started - cached[1] < settings.CATALOG_CACHE_SECONDS:
        return _shown(cached[2])
    articles = catalog_articles()
    with _lock:
        if generation == _generation:
            _cached = (tables, started, articles)
    return _shown(articles)


def forget_shop_catalog() -> None:
    """After a catalog write in this process: the next shop page reads the catalog again."""
    global _cached, _generation
    with _lock:
        _cached = None
        _generation += 1


def _shown(articles: list[Article]) -> list[Article]:
    # Copies where the language differs: the cached articles themselves stay as stored.
    language = get_language()
    return [article.in_language(language) for article in articles]


def stored_article(slug: str) -> Article | None:
    """The article as stored, for staff: its default-language text and all its translations."""
    return get_or_none(Article, slug, consistent_read=False)


def article_by_slug(slug: str) -> Article | None:
    """The article in the shopper's language (the article page, the cart's messages)."""
    article = stored_article(slug)
    return None if article is None else article.in_language(get_language())


def articles_by_slug(slugs: Iterable[str]) -> dict[str, Article]:
    """One BatchGetItem for the cart and checkout, in the shopper's language (the order keeps
    the names the shopper saw); unknown slugs are simply absent."""
    slugs = sorted(set(slugs))
    if not slugs:
        return {}
    language = get_language()
    return {article.slug: article.in_language(language) for article in Article.batch_get(slugs, consistent_read=True)}
