"""What the cart says about a quantity it cannot take, as a shopper meets it."""

import pytest

from shop import cart as shop_cart


def message_after(client, response):
    return client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("-5", "Please choose a quantity of at least 1."),
        ("0", "Please choose a quantity of at least 1."),
        ("100000000000000000000", "You can order at most 20 of one article."),
        ("lots", "Please enter the quantity as a whole number, like 2."),
    ],
)
def test_adding_a_bad_quantity_says_what_is_wrong(client, catalog, quantity, message):
    response = client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": quantity})

    assert response.status_code == 302 and response["Location"] == "/en/articles/espresso-cup/"
    page = message_after(client, response)
    assert message in page and "That article is not available" not in page
    assert shop_cart.stored_quantities(client.session) == {}


def test_adding_without_a_quantity_adds_one(client, catalog):
    client.post("/en/cart/add/", {"slug": "espresso-cup"})
    assert shop_cart.stored_quantities(client.session) == {"espresso-cup": 1}


def test_an_unknown_article_is_still_not_available(client, catalog):
    response = client.post("/en/cart/add/", {"slug": "no-such-thing", "quantity": "1"})
    assert "That article is not available." in message_after(client, response)


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("-5", "A quantity cannot be negative; choose 0 or Remove to take an article out."),
        ("21", "You can order at most 20 of one article."),
        ("two", "Please enter the quantity as a whole number, like 2."),
        ("", "Please enter a quantity."),
    ],
)
def test_updating_to_a_bad_quantity_says_what_is_wrong_and_keeps_the_cart(client, catalog, quantity, message):
    client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": "3"})

    response = client.post("/en/cart/update/", {"slug": "espresso-cup", "quantity": quantity})

    assert message in message_after(client, response)
    assert shop_cart.stored_quantities(client.session) == {"espresso-cup": 3}


def test_zero_or_remove_takes_the_article_out(client, catalog):
    client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": "3"})
    client.post("/en/cart/add/", {"slug": "linen-apron", "quantity": "1"})

    client.post("/en/cart/update/", {"slug": "espresso-cup", "quantity": "0"})
    client.post("/en/cart/update/", {"slug": "linen-apron", "quantity": "nonsense", "remove": "1"})

    assert shop_cart.stored_quantities(client.session) == {}
