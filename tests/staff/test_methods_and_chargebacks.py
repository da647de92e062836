"""What staff see of payment methods, bank transfers and chargebacks (issue 19): the order list,
the order page, the CSV export and the dashboard."""

import csv
import io
import re

from payments.models import Order, PaymentAttempt, PaymentEvent
from tests.fixtures.orders import make_order


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


def test_a_chargeback_flags_the_order_in_every_staff_view(staff_client, shopper, paid_order_of_two_cups):
    order = charged_back(shopper, paid_order_of_two_cups, reason="MD06")

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

    from staff import dashboard as staff_dashboard

    now = timezone.now()
    make_order(created_at=now, status="paid", total_cents=2500, amount_charged_back_cents=2500)
    make_order(created_at=now, status="paid", total_cents=1000)

    dashboard = staff_dashboard.dashboard(now=now)

    assert [(figure.count, dict(figure.amounts)) for figure in dashboard.charged_back.figures] == [
        (1, {"EUR": 2500})
    ] * 3


# --- A chargeback handled by staff ----------------------------------------------------------------


def chargeback_handled_url(order, chargeback_id, attempt_no=1):
    return f"/staff/orders/{order.order_id}/payments/{attempt_no}/chargebacks/{chargeback_id}/handled/"


def messages_on(client, response):
    page = client.get(response["Location"]).content.decode()
    return re.findall(r'<li class="(?:success|error|info|warning)">(.*?)</li>', page, re.S)


def test_staff_mark_a_chargeback_handled_and_it_leaves_needs_attention(staff_client, shopper, paid_order_of_two_cups):
    order = charged_back(shopper, paid_order_of_two_cups, reason="MD06")
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks
    url = chargeback_handled_url(order, record.chargeback_id)
    detail = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    assert url in detail and "Mark handled…" in detail

    confirm = staff_client.get(url)
    response = staff_client.post(url, {"note": "Called the customer; nothing was shipped"})

    assert confirm.status_code == 200 and "csrfmiddlewaretoken" in confirm.content.decode()
    assert messages_on(staff_client, response) == [f"Chargeback {record.chargeback_id} is marked as handled."]
    order = Order.get(order.order_id, consistent_read=True)
    assert not order.needs_attention and order.attention_reasons == []
    assert order.amount_charged_back_cents == 2500  # still recorded as charged back
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks
    assert record.handled_at is not None and record.handled_by == "grace"
    handled = [event for event in PaymentEvent.query(order.order_id) if event.kind == "chargeback_handled"]
    assert [(event.actor, event.source) for event in handled] == [("grace", "staff")]
    assert "Called the customer" in handled[0].message
    attention = staff_client.get("/staff/").content.decode().split('id="attention-title"')[1]
    assert order.order_id not in attention and "Nothing needs attention." in attention
    assert url not in staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()


def test_a_chargeback_handled_twice_is_handled_once(staff_client, shopper, paid_order_of_two_cups):
    order = charged_back(shopper, paid_order_of_two_cups)
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks
    url = chargeback_handled_url(order, record.chargeback_id)

    first = staff_client.post(url, {"note": ""})
    messages_on(staff_client, first)
    again = staff_client.post(url, {"note": ""})  # a double click

    assert messages_on(staff_client, again) == [f"Chargeback {record.chargeback_id} is marked as handled."]
    kinds = [event.kind for event in PaymentEvent.query(order.order_id)]
    assert kinds.count("chargeback_handled") == 1
    assert staff_client.get(url)["Location"] == f"/staff/orders/{order.order_id}/"  # not offered again


def test_a_new_chargeback_after_one_was_handled_flags_the_order_again(staff_client, shopper, paid_order_of_two_cups):
    order = charged_back(shopper, paid_order_of_two_cups, amount={"currency": "EUR", "value": "5.00"})
    [first] = PaymentAttempt.get(order.order_id, 1).chargebacks
    staff_client.post(chargeback_handled_url(order, first.chargeback_id), {"note": ""})

    order = charged_back(shopper, paid_order_of_two_cups, amount={"currency": "EUR", "value": "7.00"})

    assert order.needs_attention and len(order.attention_reasons) == 1
    assert "€7.00" in order.attention_reasons[0]
    second = PaymentAttempt.get(order.order_id, 1).chargebacks[1]
    detail = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    assert chargeback_handled_url(order, second.chargeback_id) in detail
    assert chargeback_handled_url(order, first.chargeback_id) not in detail


def test_a_reversed_or_unknown_chargeback_cannot_be_marked_handled(staff_client, shopper, paid_order_of_two_cups):
    order = charged_back(shopper, paid_order_of_two_cups)
    [record] = PaymentAttempt.get(order.order_id, 1).chargebacks
    shopper.sandbox.reverse_chargeback(record.chargeback_id)
    shopper.webhook(order.latest_mollie_payment_id)
    url = chargeback_handled_url(order, record.chargeback_id)

    reversed_page = staff_client.get(url)
    assert reversed_page.status_code == 302
    assert "handled or reversed" in messages_on(staff_client, reversed_page)[0]
    reversed_post = staff_client.post(url, {"note": ""})
    assert messages_on(staff_client, reversed_post) == [
        "This chargeback was reversed: the money came back, nothing to handle."
    ]
    unknown = staff_client.post(chargeback_handled_url(order, "chb_nope%3Cb%3E"), {"note": ""})
    assert unknown.status_code == 302
    assert messages_on(staff_client, unknown) == ["Payment attempt 1 has no such chargeback."]
    assert staff_client.post(url, {"note": "x" * 501}).status_code in (302, 422)
    assert "chargeback_handled" not in [event.kind for event in PaymentEvent.query(order.order_id)]
