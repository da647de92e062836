"""BatchGetItem's UnprocessedKeys (DynamoDB returns them when a table is busy): re-requested with
back-off, a bounded number of times, on the path a shopper takes."""

import pytest

from config import dynamodb
from shop.models import Article
from shop.selectors import articles_by_slug

SLUGS = ["ceramic-dripper", "espresso-cup", "linen-apron", "pour-over-kettle"]


def test_checkout_reads_every_article_when_dynamodb_leaves_keys_unprocessed(shopper, server_faults):
    for slug in SLUGS:
        shopper.add(slug)
    server_faults.unprocessed_keys_rate = 0.7

    response = shopper.checkout()

    assert response.status_code == 303, response.content[:300]
    assert server_faults.injected.get("BatchGetItem UnprocessedKeys", 0) >= 1
    assert sorted(line.slug for line in shopper.last_order().lines) == SLUGS


def test_unprocessed_keys_are_asked_again_after_a_growing_jittered_wait(catalog, server_faults, monkeypatch):
    waits = []
    page = dynamodb._batch_get_page_with_backoff
    monkeypatch.setattr(
        Article,
        "_batch_get_page",
        classmethod(lambda cls, *args, **options: page(cls, *args, **options, sleep=waits.append, rng=lambda: 1.0)),
    )
    server_faults.unprocessed_keys_rate = 1.0  # one key served per request

    assert sorted(articles_by_slug(SLUGS)) == SLUGS
    assert waits == [dynamodb.BACKOFF_BASE_SECONDS * 2**number for number in range(len(SLUGS) - 1)]


def test_a_table_that_keeps_keys_unprocessed_gets_a_bounded_number_of_requests(catalog, server_faults, monkeypatch):
    page = dynamodb._batch_get_page_with_backoff
    monkeypatch.setattr(
        Article,
        "_batch_get_page",
        classmethod(lambda cls, *args, **options: page(cls, *args, **options, sleep=lambda seconds: None)),
    )
    server_faults.unprocessed_keys_rate = 1.0
    many = [f"article-{number}" for number in range(20)]
    before = server_faults.calls.get("BatchGetItem", 0)

    with pytest.raises(dynamodb.UnprocessedKeysLeft):
        articles_by_slug(many)
    assert server_faults.calls["BatchGetItem"] - before == dynamodb.UNPROCESSED_KEYS_TRIES
