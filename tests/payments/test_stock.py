"""Stock never goes below zero, even when shoppers race for the last item."""

import uuid

from payments import services
from shop.models import Article
from tests.concurrency import run_concurrently


def test_concurrent_checkouts_of_the_last_item_sell_it_once(catalog):

    def checkout():
        try:
            services.place_order(
                checkout_id=uuid.uuid4().hex,
                quantities={"last-one-grinder": 1},
                customer_name="Racer",
                customer_email="racer@example.com",
            )
            return "ordered"
        except services.CheckoutRefused as refusal:
            return str(refusal)

    outcomes = run_concurrently(*[checkout] * 8)

    assert outcomes.count("ordered") == 1
    assert all("Not enough stock" in outcome for outcome in outcomes if outcome != "ordered")
    assert Article.get("last-one-grinder").stock == 0


def test_ordering_more_than_in_stock_is_refused(catalog):
    try:
        services.place_order(
            checkout_id=uuid.uuid4().hex,
            quantities={"linen-apron": 9},
            customer_name="A",
            customer_email="a@example.com",
        )
    except services.CheckoutRefused as refusal:
        assert "linen apron" in str(refusal).lower()
    else:
        raise AssertionError("an order beyond stock was accepted")
    assert Article.get("linen-apron").stock == 8


def test_inactive_article_cannot_be_ordered(catalog):
    Article.get("espresso-cup").update(actions=[Article.active.set(False)])
    try:
        services.place_order(
            checkout_id=uuid.uuid4().hex,
            quantities={"espresso-cup": 1},
            customer_name="A",
            customer_email="a@example.com",
        )
    except services.CheckoutRefused as refusal:
        assert "no longer sold" in str(refusal)
    else:
        raise AssertionError("an inactive article was ordered")
