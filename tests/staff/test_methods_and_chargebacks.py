"""What staff see of payment methods, bank transfers and chargebacks (issue 19): the order list,
the order page, the CSV export and the dashboard."""

import csv
import io

from payments.models import Order
from tests.staff.conftest import make_order


def charged_back(shopper, order, **chargeback):
    shopper.sandbox.chargeback(order.latest_mollie_payment_id, **chargeback)
    assert shopper.webhook(order.latest_mollie_payment_id).status_code == 200
    return Order.get(order.order_id, consistent_read=True)


def test_the_method_shows_in_the_list_the_order_page_and_the_csv(staff_client, shopper):
    shopper.add("espresso-cup")
    shopper.checkout(method="ideal")
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()

    listing = staff_client.get("/staff/orders/").content.decode()
    detail = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    export = staff_client.get("/staff/orders/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))

    assert "<td>iDEAL</td>" in listing
    assert ">iDEAL<" in detail and "NL69INGB0123456789" in detail  # the payer's account
    assert rows[0]["payment_method"] == "ideal"


def test_a_bank_transfer_shows_its_reference_and_expiry_to_staff(staff_client, bank_transfer_order):
    detail = staff_client.get(f"/staff/orders/{bank_transfer_order.order_id}/").content.decode()

    assert "bank transfer" in detail and "reference RF" in detail and "expires " in detail


def test_a_chargeback_flags_the_order_in_every_staff_view(staff_client, shopper, paid_order):
    order = charged_back(shopper, paid_order, reason="MD06")

    listing = staff_client.get("/staff/orders/").content.decode()
    detail = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    dashboard = staff_client.get("/staff/").content.decode()
    export = staff_client.get("/staff/orders/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))

    assert "Charged back" in listing
    assert 'id="chargebacks"' in detail and "MD06" in detail and "Needs attention:" in detail
    assert 'id="charged-back"' in detail
    assert "Chargeback" in detail  # the timeline line
    assert 'data-status="charged_back"' in dashboard and order.order_id in dashboard  # needs attention
    assert rows[0]["charged_back"] == "25.00" and rows[0]["needs_attention"] == "yes"


def test_the_dashboard_counts_charged_back_orders():
    from django.utils import timezone

    from staff import selectors

    now = timezone.now()
    make_order(created_at=now, status="paid", total_cents=2500, amount_charged_back_cents=2500)
    make_order(created_at=now, status="paid", total_cents=1000)

    dashboard = selectors.dashboard(now=now)

    assert [(figure.count, dict(figure.amounts)) for figure in dashboard.charged_back.figures] == [
        (1, {"EUR": 2500})
    ] * 3
