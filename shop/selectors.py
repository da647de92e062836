"""Read-only catalog queries. No Scan: the shop page is one Query on the catalog index."""

from collections.abc import Iterable

from config.dynamodb import get_or_none
from shop.models import CATALOG_PARTITION, Article


def catalog_articles(*, include_inactive: bool = False) -> list[Article]:
    articles = Article.catalog_index.query(CATALOG_PARTITION)
    return [article for article in articles if include_inactive or article.active]


def article_by_slug(slug: str) -> Article | None:
    return get_or_none(Article, slug, consistent_read=False)


def articles_by_slug(slugs: Iterable[str]) -> dict[str, Article]:
    """One BatchGetItem for the cart and checkout; unknown slugs are simply absent."""
    slugs = sorted(set(slugs))
    if not slugs:
        return {}
    return {article.slug: article for article in Article.batch_get(slugs, consistent_read=True)}
