"""The issue's story end to end: with the demo login that seed_demo prints (as `make run` does),
a staff member finds the order just paid in the shop and refunds part of it."""

import re

from django.core.management import call_command
from django.test import Client

from payments.models import Order, OrderStatus


def test_demo_login_finds_the_order_just_paid_and_refunds_part_of_it(
    password_file, paid_order_of_two_cups, sandbox, capsys
):
    call_command("seed_demo")
    password = re.search(r"username: staff  password: (\S+)", capsys.readouterr().out).group(1)
    staff = Client()

    assert staff.post("/staff/login/", {"username": "staff", "password": password}).status_code == 302
    found = staff.get("/staff/orders/", {"q": "ada@example.com"}).content.decode()
    detail_url = re.search(r'href="(/staff/orders/SO-[^"]+/)"', found).group(1)
    detail = staff.get(detail_url).content.decode()
    refund_url = re.search(r'href="([^"]+/refund/)"', detail).group(1)
    form = staff.get(refund_url).content.decode()
    data = {"amount": "7.50", "refund_key": re.search(r'name="refund_key" value="(\w+)"', form).group(1)}
    assert "Confirm the refund" in staff.post(refund_url, data).content.decode()
    done = staff.post(refund_url, {**data, "confirm": "yes"}, follow=True).content.decode()

    assert "of €7.50 was made" in done
    order = Order.get(paid_order_of_two_cups.order_id, consistent_read=True)
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.amount_refunded_cents == 750
    assert detail_url == f"/staff/orders/{paid_order_of_two_cups.order_id}/"
