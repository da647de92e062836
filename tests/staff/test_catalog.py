"""Catalog management: list, add and edit articles."""

import pytest

from payments import services
from shop.models import Article
from tests.concurrency import run_concurrently, wait_until

NEW_ARTICLE = {
    "slug": "travel-mug",
    "name": "Travel mug",
    "description": "Keeps coffee hot.",
    "price": "19.95",
    "currency": "EUR",
    "stock": "30",
    "active": "on",
    "picture": "shop/articles/espresso-cup.svg",
}


def test_list_shows_every_article_also_those_not_sold(staff_client, catalog):
    Article.get("linen-apron").update(actions=[Article.active.set(False)])

    page = staff_client.get("/staff/articles/").content.decode()

    for name in ("Espresso cup", "Coffee beans, 250 g", "Linen apron"):
        assert name in page
    assert '<tr class="inactive">' in page
    assert "not counted" in page  # coffee beans have no stock count


def test_add_an_article_and_find_it_in_the_shop(staff_client, client, catalog):
    response = staff_client.post("/staff/articles/add/", NEW_ARTICLE)

    assert response.status_code == 302 and response["Location"] == "/staff/articles/"
    article = Article.get("travel-mug")
    assert (article.name, article.price_cents, article.stock, article.active) == ("Travel mug", 1995, 30, True)
    assert "Travel mug" in client.get("/en/").content.decode()
    assert "“Travel mug” was added." in staff_client.get("/staff/articles/").content.decode()


def test_an_existing_slug_cannot_be_added_again(staff_client, catalog):
    response = staff_client.post("/staff/articles/add/", {**NEW_ARTICLE, "slug": "espresso-cup"})

    assert response.status_code == 422
    assert "An article with this slug exists already." in response.content.decode()
    assert Article.get("espresso-cup").name == "Espresso cup"


def test_edit_price_stock_and_active(staff_client, client, catalog, settings):
    settings.ARTICLE_PICTURE_ORIGINS = ["https://images.example.com"]
    form = staff_client.get("/staff/articles/espresso-cup/").content.decode()
    assert 'value="12.50"' in form and 'value="40"' in form

    response = staff_client.post(
        "/staff/articles/espresso-cup/",
        {
            "slug": "ignored-because-disabled",
            "name": "Espresso cup",
            "description": "New glaze",
            "price": "13.00",
            "currency": "EUR",
            "stock": "",
            "stock_shown": "40",
            "picture": "https://images.example.com/cup.png",
        },
    )

    assert response.status_code == 302
    article = Article.get("espresso-cup")
    assert (article.price_cents, article.stock, article.active) == (1300, None, False)
    assert article.picture == "https://images.example.com/cup.png"
    assert "Espresso cup" not in client.get("/en/").content.decode()
    assert Article.count("ignored-because-disabled") == 0  # the slug cannot be changed


def _edit_apron(staff_client, **changes):
    return staff_client.post(
        "/staff/articles/linen-apron/",
        {
            "name": "Linen apron",
            "description": "Washed linen apron.",
            "price": "38.00",
            "currency": "EUR",
            "active": "on",
            "picture": "shop/articles/linen-apron.svg",
            "stock": "8",
            "stock_shown": "8",
            **changes,
        },
    )


def test_an_edit_does_not_undo_stock_reserved_meanwhile(staff_client, catalog):
    assert 'name="stock_shown" value="8"' in staff_client.get("/staff/articles/linen-apron/").content.decode()
    services.place_order(
        checkout_id="e" * 32, quantities={"linen-apron": 3}, customer_name="A", customer_email="a@example.com"
    )  # while the form is open

    _edit_apron(staff_client, price="39.00")
    assert (Article.get("linen-apron").price_cents, Article.get("linen-apron").stock) == (3900, 5)

    _edit_apron(staff_client, stock="10")  # "two more arrived"
    assert Article.get("linen-apron").stock == 7


def test_lowering_stock_below_what_is_left_is_refused(staff_client, catalog):
    services.place_order(
        checkout_id="f" * 32, quantities={"linen-apron": 7}, customer_name="A", customer_email="a@example.com"
    )

    response = _edit_apron(staff_client, stock="0")  # the form still showed 8: minus 8 of the 1 left

    assert response.status_code == 302
    assert Article.get("linen-apron").stock == 1
    assert "The stock changed while you were editing" in staff_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("price", "12.345", "Enter an amount like 12.50"),
        ("price", "0", "The amount must be at least 0.01."),
        ("stock", "-1", "Ensure this value is greater than or equal to 0."),
        ("picture", "../../settings.py", "Enter a path inside the static files"),
        ("picture", "/etc/passwd.png", "Enter a path inside the static files"),
        ("picture", "http://insecure.example.com/a.png", "Use a static file path like shop/articles/mug.svg"),
        ("picture", "shop/articles/expresso-cup.svg", "There is no picture “shop/articles/expresso-cup.svg”"),
        ("slug", "Not a slug!", "Enter a valid “slug”"),
        ("currency", "XXX", "Select a valid choice."),
    ],
)
def test_article_form_refuses_bad_values(staff_client, catalog, field, value, error):
    response = staff_client.post("/staff/articles/add/", {**NEW_ARTICLE, field: value})

    assert response.status_code == 422
    assert error in response.content.decode()
    assert Article.count("travel-mug") == 0


def test_unknown_article_is_404(staff_client, catalog):
    assert staff_client.get("/staff/articles/no-such-thing/").status_code == 404


def test_a_stock_edit_repeated_by_botocore_after_a_lost_answer_is_applied_once(staff_client, catalog, local_aws):
    """DynamoDB applied the edit, its answer was lost (a 500 here, a read timeout on AWS), and
    botocore sent the same request again: "two more" must still be two more."""
    local_aws.dynamodb_faults.fail_after_applying("UpdateItem")
    try:
        response = _edit_apron(staff_client, stock="10")
    finally:
        local_aws.dynamodb_faults.reset()

    assert response.status_code == 302
    assert local_aws.dynamodb_faults.injected.get("UpdateItem applied, answered 500") == 1
    assert Article.get("linen-apron", consistent_read=True).stock == 10


def test_an_edit_while_a_checkout_holds_the_article_waits_for_it(staff_client, catalog, server_faults):
    server_faults.transaction_hold_seconds = 0.3

    def checkout():
        services.place_order(
            checkout_id="c" * 32, quantities={"linen-apron": 1}, customer_name="A", customer_email="a@example.com"
        )

    def edit():
        wait_until(
            lambda: any("transaction" in kinds for kinds in server_faults.held_items().values()),
            what="the checkout to start its transaction",
        )
        return _edit_apron(staff_client, stock="10")  # two more arrived

    answers = dict(zip(["checkout", "edit"], run_concurrently(checkout, edit), strict=True))

    assert answers["edit"].status_code == 302
    assert server_faults.injected.get("TransactionConflictException", 0) >= 1
    assert Article.get("linen-apron", consistent_read=True).stock == 9  # 8 - 1 ordered + 2 arrived
