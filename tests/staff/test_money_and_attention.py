"""What staff read about an order's money and open matters (issue 27): a refund Mollie has not
paid out shows as pending everywhere, money that went back twice is called out with what to do,
and "Needs attention" says each matter once per order."""

import csv
import html
import io
import re

from django.test import Client

from payments.models import Order
from tests.fixtures.shopper import Shopper
from tests.staff.test_methods_and_chargebacks import charged_back
from tests.staff.test_order_actions import detail_url, refund_through_the_pages


def text_of(response):
    """The page's words, as read aloud: tags dropped, entities and spaces made plain."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(words))


def test_a_refund_mollie_has_not_paid_out_shows_as_pending_everywhere(
    staff_client, paid_order_of_two_cups, sandbox, pending_refunds
):
    refund_through_the_pages(staff_client, paid_order_of_two_cups, "2.00")
    assert Order.get(paid_order_of_two_cups.order_id, consistent_read=True).amount_refunded_cents == 0

    detail = text_of(staff_client.get(detail_url(paid_order_of_two_cups)))
    listing = text_of(staff_client.get("/staff/orders/"))
    dashboard = text_of(staff_client.get("/staff/"))
    form = text_of(staff_client.get(f"{detail_url(paid_order_of_two_cups)}payments/1/refund/"))

    assert "Refunded €0.00 paid out · €2.00 pending" in detail
    assert "€0.00 + €2.00 pending" in detail  # the payment's row
    assert "refund pending €2.00" in listing
    assert "Refunds Mollie has not paid out yet: 1 (€2.00)" in dashboard
    assert "Refunded so far €0.00 paid out · €2.00 pending" in form


def test_a_settled_refund_is_not_pending(staff_client, paid_order_of_two_cups, sandbox):
    refund_through_the_pages(staff_client, paid_order_of_two_cups, "2.00")

    detail = text_of(staff_client.get(detail_url(paid_order_of_two_cups)))

    assert "Refunded €2.00" in detail and "pending" not in detail.split("Timeline")[0].replace("Waiting", "")
    assert "Refunds Mollie has not paid out yet" not in text_of(staff_client.get("/staff/"))


def test_a_chargeback_of_money_already_refunded_says_it_went_back_twice_and_what_to_do(
    staff_client, shopper, paid_order_of_two_cups, sandbox
):
    refund_through_the_pages(staff_client, paid_order_of_two_cups, "10.00")
    order = charged_back(shopper, paid_order_of_two_cups)  # the bank takes back the full €25.00
    assert order.amount_charged_back_cents == 2500

    for page in (text_of(staff_client.get(detail_url(order))), text_of(staff_client.get("/staff/"))):
        assert "The money went back twice" in page
        assert "€10.00 went back to the shopper twice" in page
        assert "Dispute the chargeback in Mollie's dashboard" in page


def test_a_chargeback_without_a_refund_is_not_twice(staff_client, shopper, paid_order_of_two_cups, sandbox):
    order = charged_back(shopper, paid_order_of_two_cups, amount={"currency": "EUR", "value": "25.00"})

    assert "went back twice" not in text_of(staff_client.get(detail_url(order)))


def test_nine_possible_duplicates_are_one_line_per_order(staff_client, sandbox, catalog):
    orders = []
    for _ in range(9):
        shopper = Shopper(Client(), sandbox)
        shopper.buy("espresso-cup", 1, email="same@example.com")
        shopper.webhook(shopper.pay_at_mollie("paid"))
        orders.append(shopper.last_order())

    dashboard = staff_client.get("/staff/").content.decode()
    rows = re.findall(r'<li data-order="(SO-[^"]+)">', dashboard)
    detail = staff_client.get(detail_url(orders[0])).content.decode()
    attention = re.search(r'<div class="errornote" role="alert" id="attention">(.*?)</div>', detail, re.S).group(1)

    assert sorted(rows) == sorted(order.order_id for order in orders)
    assert dashboard.count("Possible duplicate") == 9  # once per order, not 8 times each
    assert dashboard.count("8 other orders of the same shopper were also paid") == 9
    assert attention.count("Possible duplicate") == 1 and "8 other orders" in attention
    export = b"".join(staff_client.get("/staff/orders/export.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [row["attention_reason"].count("Possible duplicate") for row in rows] == [1] * 9
