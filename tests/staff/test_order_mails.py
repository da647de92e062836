"""The order page's e-mails: what was sent, to whom, when, and what failed; and "Resend confirmation"."""

import re

from django.test import Client

from devstack.mailbox import sent_mails
from notifications.models import AlertReason, MailKind, MailStatus
from notifications.selectors import mails_of_order
from payments import services
from payments.models import Order
from tests.fixtures.stack import UNREACHABLE
from tests.fixtures.staff import STAFF_PASSWORD, STAFF_USERNAME, csrf_token_from


def detail_url(order):
    return f"/staff/orders/{order.order_id}/"


def resend_url(order):
    return f"/staff/orders/{order.order_id}/resend-confirmation/"


def mails_table(page):
    return re.search(r'<table id="mails">(.*?)</table>', page, re.S).group(1)


def confirmations_in(endpoint_url, order):
    subject = f"Your order {order.order_id} is paid"
    return [mail for mail in sent_mails(endpoint_url, subject_contains=order.order_id) if mail.subject == subject]


def test_a_failed_confirmation_is_shown_with_its_error_and_resent_with_one_action(
    shopper, staff_client, settings, local_aws
):
    settings.MAIL_MAX_TRIES = 2
    settings.SES_ENDPOINT_URL = UNREACHABLE  # SES cannot be reached: the send and its retry fail
    shopper.buy("espresso-cup", 2)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    services.reconcile()
    order = shopper.last_order()

    table = mails_table(staff_client.get(detail_url(order)).content.decode())
    assert "Order confirmation" in table and "ada@example.com" in table
    assert "failed" in table and "EndpointConnectionError" in table

    dashboard = staff_client.get("/staff/").content.decode()
    assert re.search(rf'<table id="failed-mails".*{order.order_id}.*Order confirmation', dashboard, re.S)

    settings.SES_ENDPOINT_URL = local_aws.endpoint_url  # SES is back
    response = staff_client.post(resend_url(order))

    assert response.status_code == 302 and response["Location"] == detail_url(order)
    [resent] = confirmations_in(local_aws.endpoint_url, order)
    assert resent.to == ["ada@example.com"] and "- Espresso cup: quantity 2," in resent.text
    statuses = {item.mail_key.split("#")[1].split("-")[0]: item.status for item in mails_of_order(order.order_id)}
    assert statuses == {"paid": MailStatus.FAILED, "resend": MailStatus.SENT}
    table = mails_table(staff_client.get(detail_url(order)).content.decode())
    assert "Order confirmation (resent)" in table and "sent" in table and "EndpointConnectionError" in table
    assert 'id="failed-mails"' not in staff_client.get("/staff/").content.decode()  # handled by the resend


def test_resend_is_a_post_with_csrf_for_staff_only(paid_order_of_two_cups, staff_member, local_aws):
    before = len(confirmations_in(local_aws.endpoint_url, paid_order_of_two_cups))
    strict = Client(enforce_csrf_checks=True)
    token = csrf_token_from(strict.get("/staff/login/"))
    strict.post("/staff/login/", {"username": STAFF_USERNAME, "password": STAFF_PASSWORD, "csrfmiddlewaretoken": token})

    assert strict.get(resend_url(paid_order_of_two_cups)).status_code == 405
    assert strict.post(resend_url(paid_order_of_two_cups)).status_code == 403  # no CSRF token
    assert Client().post(resend_url(paid_order_of_two_cups))["Location"].startswith("/staff/login/")
    page = strict.get(detail_url(paid_order_of_two_cups)).content.decode()
    assert "Resend confirmation" in page
    strict.post(
        resend_url(paid_order_of_two_cups),
        {"csrfmiddlewaretoken": csrf_token_from(strict.get(detail_url(paid_order_of_two_cups)))},
    )

    assert len(confirmations_in(local_aws.endpoint_url, paid_order_of_two_cups)) == before + 1


def test_an_unpaid_order_offers_no_resend_and_refuses_one(open_order, staff_client):
    assert "Resend confirmation" not in staff_client.get(detail_url(open_order)).content.decode()

    response = staff_client.post(resend_url(open_order), follow=True)

    assert "Only a paid order has a confirmation to resend." in response.content.decode()
    assert mails_of_order(open_order.order_id) == []


def test_a_payment_stuck_past_the_threshold_alerts_staff_once(open_order, shopper, settings, local_aws):
    shopper.sandbox.set_status(open_order.latest_mollie_payment_id, "pending")
    settings.PAYMENT_STUCK_AFTER_SECONDS = 0

    services.reconcile(stale_after_seconds=0)
    services.reconcile(stale_after_seconds=0)

    order = Order.get(open_order.order_id, consistent_read=True)
    alerts = [item for item in mails_of_order(order.order_id) if item.kind == MailKind.STAFF_ALERT]
    assert [item.mail_key for item in alerts] == [f"staff_alert#{AlertReason.PAYMENT_STUCK.value}"]
    assert alerts[0].status == MailStatus.SENT and order.needs_attention


def test_staff_canceling_an_order_tells_the_shopper_so_with_a_link_to_the_order(
    bank_transfer_order, staff_client, local_aws
):
    order = bank_transfer_order  # the shopper holds transfer instructions: they must hear of it

    response = staff_client.post(f"/staff/orders/{order.order_id}/cancel/")

    assert response.status_code == 302
    [mail] = sent_mails(local_aws.endpoint_url, subject_contains=order.order_id)
    assert mail.subject == f"Your order {order.order_id} was canceled"
    assert "did not go through" not in mail.text and "we have canceled your order" in mail.text
    order_link = f"/en/orders/{order.order_id}/{order.public_token}/"
    assert order_link in mail.text and order_link in mail.html
    assert [item.kind for item in mails_of_order(order.order_id)] == [MailKind.ORDER_CLOSED]
