"""Stock never goes below zero, even when shoppers race for the last item."""

import uuid

import pytest

from payments import services
from shop.models import Article
from tests.concurrency import run_concurrently


def order(slug, quantity, customer_name="A"):
    return services.place_order(
        checkout_id=uuid.uuid4().hex,
        quantities={slug: quantity},
        customer_name=customer_name,
        customer_email=f"{customer_name.lower()}@example.com",
    )


def test_concurrent_checkouts_of_the_last_item_sell_it_once(catalog):

    def checkout():
        try:
            order("last-one-grinder", 1, customer_name="Racer")
            return "ordered"
        except services.CheckoutRefused as refusal:
            return str(refusal)

    outcomes = run_concurrently(*[checkout] * 8)

    assert outcomes.count("ordered") == 1
    assert all("Not enough stock" in outcome for outcome in outcomes if outcome != "ordered")
    assert Article.get("last-one-grinder").stock == 0


def test_ordering_more_than_in_stock_is_refused(catalog):
    with pytest.raises(services.CheckoutRefused) as refusal:
        order("linen-apron", 9)

    assert "linen apron" in str(refusal.value).lower()
    assert Article.get("linen-apron").stock == 8


def test_inactive_article_cannot_be_ordered(catalog):
    Article.get("espresso-cup").update(actions=[Article.active.set(False)])

    with pytest.raises(services.CheckoutRefused, match="no longer sold"):
        order("espresso-cup", 1)
