"""When an order's personal data may go, and what anonymised leaves (privacy.policy)."""

from datetime import UTC, datetime, timedelta

import pytest

from payments.enums import OrderStatus
from payments.models import Address, MethodDetails, Order, OrderLine
from privacy import policy

pytestmark = pytest.mark.pure

CLOCK = policy.Clock(personal_days=730, accounting_years=7, chargeback_days=120)
PAID_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def shipped_order(**fields):
    address = Address(
        given_name="Ada",
        family_name="Lovelace",
        street_and_number="Keizersgracht 1",
        postal_code="1015 AA",
        city="Amsterdam",
        country="NL",
        phone="+31612345678",
    )
    order = Order(
        "100001", public_token="t", status=OrderStatus.PAID, customer_name="Ada Lovelace",
        customer_email="ada@example.com", lines=[OrderLine(slug="cup", name="Cup", unit_price_cents=1250, quantity=2,
        shipped_quantity=2)], total_cents=2500, shipping_address=address, billing_address=None,
        created_at=PAID_AT, updated_at=PAID_AT, expires_at=PAID_AT, paid_at=PAID_AT,
        latest_method_details=MethodDetails(cardHolder="A. Lovelace", cardNumber="4242", cardLabel="Visa"),
    )  # fmt: skip
    for name, value in fields.items():
        setattr(order, name, value)
    return order


def test_a_shipped_order_closes_when_its_chargeback_window_ends_and_is_anonymised_two_years_later():
    order = shipped_order()
    shipped = PAID_AT + timedelta(days=3)
    assert policy.closed_at(order, last_activity_at=shipped, clock=CLOCK) == shipped + timedelta(days=120)
    day_before = shipped + timedelta(days=120 + 730) - timedelta(seconds=1)
    assert not policy.anonymise_due(order, last_activity_at=shipped, clock=CLOCK, now=day_before)
    assert policy.anonymise_due(order, last_activity_at=shipped, clock=CLOCK, now=day_before + timedelta(seconds=1))
    reason, until = policy.kept_because(order, last_activity_at=shipped, clock=CLOCK, now=shipped)
    assert "chargeback" in reason and until == shipped + timedelta(days=120)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": OrderStatus.PENDING_PAYMENT, "paid_at": None},
        {"needs_attention": True},
        {"amount_charged_back_cents": 500},
        {"lines": [OrderLine(slug="cup", name="Cup", unit_price_cents=1250, quantity=2)]},  # not shipped
    ],
)
def test_open_unshipped_or_disputed_orders_are_never_due(fields):
    order = shipped_order(**fields)
    far_future = PAID_AT + timedelta(days=365 * 20)
    assert not policy.anonymise_due(order, last_activity_at=None, clock=CLOCK, now=far_future)
    assert policy.kept_because(order, last_activity_at=None, clock=CLOCK, now=far_future) is not None


def test_an_unpaid_order_closes_when_it_expired():
    expired_at = PAID_AT + timedelta(hours=2)
    order = shipped_order(status=OrderStatus.EXPIRED, paid_at=None, closed_at=expired_at)
    assert policy.closed_at(order, last_activity_at=None, clock=CLOCK) == expired_at
    assert policy.kept_because(order, last_activity_at=None, clock=CLOCK, now=expired_at) is None


def test_books_are_kept_seven_years_after_the_end_of_the_orders_year():
    assert policy.accounting_until(shipped_order(), CLOCK) == datetime(2034, 1, 1, tzinfo=UTC)


def test_anonymising_keeps_the_books_and_the_country_and_a_second_time_changes_nothing():
    order = shipped_order()
    values = policy.personal_values(order)
    assert {"Ada Lovelace", "ada@example.com", "Keizersgracht 1", "+31612345678", "A. Lovelace"} <= set(values)

    assert policy.anonymise_order(order) is True
    assert order.customer_email == "100001@erased.invalid" and order.customer_name == "[erased]"
    assert order.shipping_address.country == "NL" and order.shipping_address.city == ""
    assert order.shipping_address.phone is None and order.latest_method_details.cardHolder is None
    assert order.latest_method_details.cardLabel == "Visa"
    assert (order.total_cents, order.lines[0].quantity, order.status) == (2500, 2, OrderStatus.PAID)
    assert policy.anonymise_order(order) is False


def test_redact_finds_quoted_personal_values_in_any_case():
    values = policy.personal_values(shipped_order())
    text = "Mail to ADA@example.com for ada lovelace, Keizersgracht 1"
    assert policy.redact(text, values) == "Mail to [erased] for [erased], [erased]"


def test_a_company_name_is_personal_data_erased_like_the_rest_of_the_address():
    order = shipped_order()
    order.shipping_address.organization_name = "Lovelace Analytics"
    values = policy.personal_values(order)
    assert "Lovelace Analytics" in values
    assert policy.redact("Invoice to LOVELACE ANALYTICS", values) == "Invoice to [erased]"  # quoted in a note

    assert policy.anonymise_order(order) is True
    assert order.shipping_address.organization_name is None and order.shipping_address.country == "NL"
