"""Checkout's decisions on their own: the order a cart's lines make, and the stock writes that go
with it. Items built in memory: no DynamoDB, no Mollie."""

from datetime import UTC, datetime

import pytest

from payments.errors import CheckoutRefused, ErrorCode
from payments.models import OrderLine
from payments.services import stock
from payments.services.checkout import new_order

pytestmark = pytest.mark.pure

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def a_line(slug="linen-apron", *, price=2500, quantity=1, reserves_stock=True):
    return OrderLine(slug=slug, name=slug, unit_price_cents=price, quantity=quantity, reserves_stock=reserves_stock)


def an_order_of(*lines, currency="EUR"):
    return new_order(
        "SO-AAAAA-BBBBB",
        [(line, currency) for line in lines],
        customer_name="Ada",
        customer_email="Ada@Example.com",
        now=NOW,
    )


def test_an_order_totals_its_lines_and_waits_for_its_first_payment():
    order = an_order_of(a_line(quantity=2), a_line("espresso-cup", price=1250))

    assert order.total_cents == 6250 and order.currency == "EUR"
    assert order.customer_email == "ada@example.com"
    assert order.attempt_count == 1 and order.latest_attempt_status == "created"
    assert order.expires_at > NOW


def test_articles_in_two_currencies_cannot_be_paid_together():
    with pytest.raises(CheckoutRefused) as refused:
        new_order(
            "SO-1", [(a_line(), "EUR"), (a_line("mug"), "USD")], customer_name="A", customer_email="a@b.c", now=NOW
        )

    assert refused.value.code == ErrorCode.MIXED_CURRENCIES


def test_an_order_over_what_one_payment_may_take_is_refused_before_it_exists(settings):
    settings.MOLLIE_MAX_AMOUNT_CENTS = 5000

    assert an_order_of(a_line(price=5000)).total_cents == 5000  # at the limit: fine
    with pytest.raises(CheckoutRefused) as refused:
        an_order_of(a_line(price=5001))

    assert refused.value.code == ErrorCode.AMOUNT_TOO_HIGH
    assert "€50.00" in str(refused.value)


def test_tracked_stock_is_reserved_only_if_enough_is_left_and_untracked_only_checked():
    updates, checks = stock.reservations([a_line(quantity=3), a_line("gift-card", reserves_stock=False)], NOW)

    assert [item.slug for item, _, _ in updates] == ["linen-apron"]
    assert all(condition is not None for _, _, condition in updates)
    assert [key for _, key, _ in checks] == ["gift-card"]


def test_stock_is_given_back_once():
    order = an_order_of(a_line(quantity=2), a_line("gift-card", reserves_stock=False))

    first = stock.give_back(order, NOW)
    second = stock.give_back(order, NOW)

    assert [item.slug for item, _, _ in first] == ["linen-apron"]
    assert order.stock_released and second == []
