"""What the cart says when it cannot take what a shopper adds: the truth, never "added"."""

import pytest

from shop import cart as shop_cart
from shop.models import Article
from shop.services import save_article


def new_article(slug, *, currency="EUR", price_cents=500):
    save_article(
        slug=slug,
        name=slug.replace("-", " ").capitalize(),
        description="",
        price_cents=price_cents,
        currency=currency,
        picture="",
        active=True,
        stock=None,
    )


def page_after(client, response):
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def thirty_articles(catalog):
    for number in range(shop_cart.MAX_LINES):
        new_article(f"article-{number:02d}")


@pytest.mark.parametrize("buy_now", [False, True])
def test_a_full_cart_says_the_article_was_not_added(client, thirty_articles, buy_now):
    for number in range(shop_cart.MAX_LINES):
        client.post("/en/cart/add/", {"slug": f"article-{number:02d}"})

    response = client.post("/en/cart/add/", {"slug": "espresso-cup", **({"buy_now": "1"} if buy_now else {})})

    assert response["Location"] == "/en/cart/"
    page = page_after(client, response)
    assert "Espresso cup was not added: your cart is full (30 different articles)" in page
    assert "Espresso cup was added" not in page
    assert "espresso-cup" not in shop_cart.stored_quantities(client.session)


def test_more_than_the_most_of_one_article_says_how_many_the_cart_has(client, catalog):
    page_after(client, client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": "15"}))

    response = client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": "10"})

    page = page_after(client, response)
    assert "You can order at most 20 of one article: your cart now has 20 × Espresso cup." in page
    assert "Espresso cup was added" not in page
    assert shop_cart.stored_quantities(client.session) == {"espresso-cup": 20}


def test_an_article_in_another_currency_is_refused_with_the_reason(client, catalog):
    new_article("tea-tin-usd", currency="USD", price_cents=1200)
    page_after(client, client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": "2"}))

    response = client.post("/en/cart/add/", {"slug": "tea-tin-usd"})

    page = page_after(client, response)
    assert "Tea tin usd was not added: it is priced in USD and your cart in EUR" in page
    assert shop_cart.stored_quantities(client.session) == {"espresso-cup": 2}
    assert "€25.00" in page and "$" not in page


def test_the_update_form_cannot_slip_in_an_article_the_add_button_would_refuse(client, catalog):
    new_article("tea-tin-usd", currency="USD", price_cents=1200)
    page_after(client, client.post("/en/cart/add/", {"slug": "espresso-cup"}))

    response = client.post("/en/cart/update/", {"slug": "tea-tin-usd", "quantity": "3"})

    assert "That article is not in your cart." in page_after(client, response)
    assert shop_cart.stored_quantities(client.session) == {"espresso-cup": 1}


def test_a_cart_whose_article_changed_currency_shows_no_total_and_no_checkout(client, catalog):
    new_article("tea-tin", price_cents=1200)
    client.post("/en/cart/add/", {"slug": "espresso-cup"})
    client.post("/en/cart/add/", {"slug": "tea-tin"})
    save_article(**{**_fields_of("tea-tin"), "currency": "USD"})  # staff reprice it meanwhile

    cart_page = client.get("/en/cart/").content.decode()
    checkout = client.get("/en/checkout/")

    assert "cannot be paid together" in cart_page and 'id="cart-total"' not in cart_page
    assert 'href="/en/checkout/"' not in cart_page
    assert checkout.status_code == 302 and checkout["Location"] == "/en/cart/"


def _fields_of(slug):
    article = Article.get(slug)
    return {
        "slug": slug,
        "name": article.name,
        "description": article.description or "",
        "price_cents": article.price_cents,
        "currency": article.currency,
        "picture": article.picture or "",
        "active": article.active,
        "stock": article.stock,
    }
