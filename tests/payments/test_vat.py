"""The VAT arithmetic against Mollie's check, over thousands of random carts: the lines always add up
to the amount, and every line's vatAmount is what Mollie (and our sandbox) expects."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mollie_sandbox.errors import ApiError
from mollie_sandbox.lines import check_lines, expected_vat
from mollie_sandbox.validation import check_url, parse_amount
from payments import vat
from payments.mollie_payload import lines_json

pytestmark = pytest.mark.pure

RATES = st.sampled_from(["0.00", "5.50", "6.00", "7.00", "9.00", "10.00", "13.00", "16.00", "19.00", "20.00", "21.00"])
ARTICLE = st.builds(
    SimpleNamespace,
    name=st.text(min_size=1, max_size=40).filter(str.strip),
    quantity=st.integers(min_value=1, max_value=20),
    unit_price_cents=st.integers(min_value=1, max_value=500_000),
    vat_rate=RATES,
    sku=st.one_of(st.none(), st.text(min_size=1, max_size=64)),
)


# 500 random carts of up to 30 lines each (five times Hypothesis's default; 2,000 took 30 s of `make test`).
@settings(max_examples=500, deadline=None)
@given(
    articles=st.lists(ARTICLE, min_size=1, max_size=30),
    price_cents=st.integers(min_value=0, max_value=5000),
    free_above_cents=st.one_of(st.none(), st.integers(min_value=0, max_value=200_000)),
    shipping_rate=RATES,
)
def test_random_carts_add_up_and_every_vat_amount_passes_mollies_check(
    articles, price_cents, free_above_cents, shipping_rate
):
    subtotal = sum(article.unit_price_cents * article.quantity for article in articles)
    shipping = vat.shipping_cents(price_cents=price_cents, free_above_cents=free_above_cents, subtotal_cents=subtotal)
    amount_cents = subtotal + shipping

    lines = vat.payment_lines(articles, shipping_cents=shipping, shipping_vat_rate=shipping_rate, default_rate="21.00")
    payload = lines_json(lines, "EUR")

    assert sum(line.total_cents for line in lines) == amount_cents
    amount = Decimal(amount_cents) / 100
    check_lines(payload, amount, "EUR", parse_amount, check_url)  # raises Mollie's 422 on any mismatch
    if free_above_cents is not None and subtotal >= free_above_cents:
        assert all(line.kind == vat.PHYSICAL for line in lines)


@given(total_cents=st.integers(min_value=-10_000_000, max_value=10_000_000), rate=RATES)
@settings(max_examples=2000, deadline=None)
def test_our_vat_is_the_sandboxs_expected_vat_to_the_cent(total_cents, rate):
    assert Decimal(vat.vat_cents(total_cents, rate)) / 100 == expected_vat(Decimal(total_cents) / 100, Decimal(rate))


def test_mollies_own_example_and_the_shopware_case():
    # docs.mollie.com, lines.vatAmount: SEK 100.00 at 25% is SEK 20.00; mollie/shopware#63: -3.95 at 16% is -0.54.
    assert vat.vat_cents(10000, "25.00") == 2000
    assert vat.vat_cents(-395, "16.00") == -54


def test_a_cent_off_is_refused_with_the_line_named():
    lines = lines_json(
        vat.payment_lines([], shipping_cents=495, shipping_vat_rate="21.00", default_rate="21.00"), "EUR"
    )
    lines[0]["vatAmount"]["value"] = "0.85"  # 4.95 × 21/121 = 0.859 → 0.86

    with pytest.raises(ApiError) as refused:
        check_lines(lines, Decimal("4.95"), "EUR", parse_amount, check_url)

    assert refused.value.status == 422 and refused.value.field == "lines.0.vatAmount"
    assert "Expected VAT amount to be EUR 0.86" in refused.value.detail


def test_free_shipping_from_the_zones_amount_on():
    assert vat.shipping_cents(price_cents=495, free_above_cents=5000, subtotal_cents=4999) == 495
    assert vat.shipping_cents(price_cents=495, free_above_cents=5000, subtotal_cents=5000) == 0
    assert vat.shipping_cents(price_cents=495, free_above_cents=None, subtotal_cents=10**9) == 495


@pytest.mark.parametrize("rate", ["21", "9.5", "0.00", "99.99"])
def test_rates_are_written_as_mollie_writes_them(rate):
    assert vat.RATE_PATTERN.match(vat.format_rate(rate)) and "." in vat.format_rate(rate)


@pytest.mark.parametrize("rate", ["", "21%", "-1", "100", "abc", "21.005"])
def test_a_rate_mollie_would_refuse_is_refused_here_first(rate):
    with pytest.raises(ValueError, match="not a VAT rate"):
        vat.vat_cents(100, rate)
