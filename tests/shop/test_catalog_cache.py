"""The shop page's in-process copy of the catalog (shop/selectors.py): how stale it may be, and
that it never sells what is gone. Its cost, no DynamoDB call, is counted in tests/perf."""

import pytest
from django.conf import settings

from shop import selectors, services
from shop.models import Article


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by hand: no test waits for the bound to pass."""
    now = [1000.0]
    monkeypatch.setattr(selectors, "_clock", lambda: now[0])
    return now


def _edit_elsewhere(slug, **changes):
    """A write by another process (another Lambda container, the staff pages on another one)."""
    Article.get(slug).update(actions=[getattr(Article, name).set(value) for name, value in changes.items()])


def test_an_edit_made_elsewhere_shows_on_the_shop_page_within_the_bound(client, catalog, clock):
    assert "Espresso cup" in client.get("/en/").content.decode()
    _edit_elsewhere("espresso-cup", name="Espresso cup, blue")

    clock[0] += settings.CATALOG_CACHE_SECONDS - 0.5
    assert "Espresso cup, blue" not in client.get("/en/").content.decode()  # the copy is still fresh enough
    clock[0] += 0.5
    assert "Espresso cup, blue" in client.get("/en/").content.decode()


def _staff_edit(slug, **changes):
    """What the staff catalog page saves (staff/views/articles.py calls this service)."""
    article = Article.get(slug)
    fields = {
        name: getattr(article, name) for name in ("name", "description", "price_cents", "currency", "picture", "active")
    }
    services.save_article(slug=slug, stock=article.stock, stock_shown=article.stock, **{**fields, **changes})


def test_a_staff_edit_in_this_process_shows_at_once(client, catalog, clock):
    assert "Linen apron" in client.get("/en/").content.decode()

    _staff_edit("linen-apron", name="Linen apron, olive")

    assert "Linen apron, olive" in client.get("/en/").content.decode()


def test_an_article_taken_off_sale_in_this_process_leaves_the_shop_page_at_once(client, catalog, clock):
    assert "Espresso cup" in client.get("/en/").content.decode()

    _staff_edit("espresso-cup", active=False)

    assert "Espresso cup" not in client.get("/en/").content.decode()


def test_sold_out_elsewhere_but_shown_in_stock_still_cannot_be_bought(shopper, catalog, clock):
    assert "Hand grinder (last one)" in shopper.client.get("/en/").content.decode()
    _edit_elsewhere("last-one-grinder", stock=0)  # another container sold the last one
    assert "Sold out" not in shopper.client.get("/en/").content.decode()  # this copy does not know yet

    # Adding reads the article itself, not the page's copy: refused there, before any checkout.
    response = shopper.client.post("/en/cart/add/", {"slug": "last-one-grinder"}, follow=True)

    assert "Sorry, Hand grinder (last one) is sold out." in response.content.decode()
    assert shopper.client.session.get("cart", {}) == {}
    assert Article.get("last-one-grinder").stock == 0
