"""Staff answer a customer about their data: find their orders by e-mail address, export them as
JSON, erase them except what the law keeps (listed with a date). Confirmed first, staff only."""

import json

import pytest
from django.test import Client

from payments.enums import EventKind
from payments.models import Order, PaymentEvent
from payments.services import fulfilment
from privacy.customers import ERASURES
from tests.fixtures.staff import csrf_token_from, log_in
from tests.privacy.traces import empty_buckets, traces

ADA = ("ada@example.com", "Ada Lovelace", "Lovelace", "Keizersgracht 1", "1015 AA")


@pytest.fixture
def two_orders(shopper, shipping_zones):
    empty_buckets()
    """Ada's expired order (nothing paid), then her order paid and shipped today: still within its
    refund and chargeback window."""
    shopper.add("espresso-cup", 1)
    shopper.checkout(name="Ada Lovelace", email="ada@example.com")
    shopper.webhook(shopper.pay_at_mollie("expired"))
    expired = shopper.last_order()
    shopper.add("espresso-cup", 2)
    shopper.checkout(name="Ada Lovelace", email="ada@example.com")
    shopper.webhook(shopper.pay_at_mollie("paid"))
    shipped = shopper.last_order()
    fulfilment.ship(
        order_id=shipped.order_id, quantities=None, carrier="postnl", tracking_number="3SAB1", actor="grace"
    )
    return expired, shipped


def test_the_customer_page_finds_every_order_of_an_address_in_any_case(staff_client, two_orders):
    page = staff_client.post("/staff/customers/", {"email": " ADA@Example.COM "}).content.decode()
    assert all(order.order_id in page for order in two_orders) and "2 orders" in page
    assert staff_client.post("/staff/customers/", {"email": "not an address"}).status_code == 422


def test_the_export_is_confirmed_then_downloaded_and_recorded_on_each_timeline(staff_client, two_orders):
    asked = staff_client.post("/staff/customers/export/", {"email": "Ada@example.com"})
    assert "Yes, download their data" in asked.content.decode()
    assert not any(e.kind == EventKind.PERSONAL_DATA_EXPORTED for e in PaymentEvent.query(two_orders[0].order_id))

    download = staff_client.post("/staff/customers/export/", {"email": "Ada@example.com", "confirm": "1"})
    assert download["Content-Type"] == "application/json" and "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert {order["order_number"] for order in data["orders"]} == {order.order_id for order in two_orders}
    shipped = next(order for order in data["orders"] if order["order_number"] == two_orders[1].order_id)
    assert shipped["shipping_address"]["street_and_number"] == "Keizersgracht 1" and shipped["language"] == "en"
    assert shipped["mails_sent"] and shipped["shipments"][0]["tracking_number"] == "3SAB1" and shipped["timeline"]
    for order in two_orders:
        exported = [e for e in PaymentEvent.query(order.order_id) if e.kind == EventKind.PERSONAL_DATA_EXPORTED]
        assert [e.actor for e in exported] == ["grace"]


def test_erase_keeps_what_the_law_keeps_says_until_when_and_leaves_no_trace_of_the_rest(
    json_log, staff_client, two_orders, shopper
):
    expired, shipped = two_orders
    asked = staff_client.post("/staff/customers/erase/", {"email": "ada@example.com"}).content.decode()
    assert "Yes, erase their data" in asked
    assert Order.get(expired.order_id, consistent_read=True).customer_email == "ada@example.com"

    done = staff_client.post("/staff/customers/erase/", {"email": "ada@example.com", "confirm": "1"}).content.decode()
    assert "1 order erased" in done
    assert shipped.order_id in done and "refund and chargeback window" in done  # kept, with its date
    assert traces(ADA, skip_orders={shipped.order_id}) == []  # every table and S3 object
    assert Order.get(expired.order_id).total_cents == expired.total_cents

    record = list(PaymentEvent.query(ERASURES))
    assert len(record) == 1 and record[0].actor == "grace" and "1 orders anonymised, 1 kept" in record[0].message

    shopper.add("espresso-cup", 1)  # she comes back: a new order, not linked to the erased one
    shopper.checkout(name="Ada Lovelace", email="ada@example.com")
    later = shopper.last_order()
    page = staff_client.post("/staff/customers/", {"email": "ada@example.com"}).content.decode()
    assert later.order_id in page and shipped.order_id in page and expired.order_id not in page
    assert expired.order_id not in (later.possible_duplicate_of or [])
    erased_page = staff_client.get(f"/staff/orders/{expired.order_id}/")
    assert erased_page.status_code == 200 and "Lovelace" not in erased_page.content.decode()
    logged = json.dumps(json_log()).lower()  # the whole story, checkout to erasure, as logged
    assert logged and not any(value.lower() in logged for value in ADA)


def test_only_staff_with_a_csrf_token_can_erase(two_orders, staff_member):
    stranger = Client()
    response = stranger.post("/staff/customers/erase/", {"email": "ada@example.com", "confirm": "1"})
    assert response.status_code == 302 and "/staff/login/" in response["Location"]

    forged = Client(enforce_csrf_checks=True)
    log_in(forged, **{"HTTP_X_CSRFTOKEN": csrf_token_from(forged.get("/staff/login/"))})
    response = forged.post("/staff/customers/erase/", {"email": "ada@example.com", "confirm": "1"})
    assert response.status_code == 403
    assert Order.get(two_orders[0].order_id, consistent_read=True).customer_email == "ada@example.com"
