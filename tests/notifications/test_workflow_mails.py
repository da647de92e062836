"""The workflow's mails, end to end (shop, Mollie sandbox, DynamoDB and SES on moto): each is
decided in the transaction that makes the change, sent once, and never lost."""

import functools
import json
import re
from urllib.parse import urlsplit

import requests
from django.test import Client

from notifications.models import AlertReason, MailKind, MailStatus, OutboxItem
from notifications.selectors import mails_of_order
from notifications.services import deliver_pending
from payments import services
from payments.models import Order, OrderStatus, PaymentAttempt
from tests.concurrency import run_concurrently
from tests.fixtures.stack import UNREACHABLE

SHOPPER = "ada@example.com"


def mails_of_kind(order, kind):
    return [item for item in mails_of_order(order.order_id) if item.kind == kind]


def sent_about(local_ses, order, subject_start):
    return [
        mail for mail in local_ses.new_mails(subject_contains=order.order_id) if mail.subject.startswith(subject_start)
    ]


def webhook_from_mollie(payment_id):
    # A client of its own per call: Mollie's retries and twins come as separate requests.
    return Client().post("/payments/webhook/", {"id": payment_id}).status_code


def test_fifty_concurrent_identical_webhooks_send_one_confirmation(shopper, local_ses):
    shopper.buy("espresso-cup", 2)
    payment_id = shopper.pay_at_mollie("paid")

    answers = run_concurrently(*[functools.partial(webhook_from_mollie, payment_id)] * 50)
    # A 503 (the request's deadline met on a loaded machine) is one Mollie retries: so do we, once.
    retried = [webhook_from_mollie(payment_id) for answer in answers if answer == 503]

    # Reconciliation's next run: it sends the mail if the winning webhook had no time left to (50
    # requests at once can use up the winner's budget before its commit), and nothing otherwise.
    deliver_pending()

    order = shopper.last_order()
    assert set(answers) <= {200, 503} and set(retried) <= {200} and order.status == OrderStatus.PAID
    [mail] = sent_about(local_ses, order, "Your order")
    assert mail.to == [SHOPPER]
    [item] = mails_of_kind(order, MailKind.ORDER_CONFIRMATION)
    assert item.status == MailStatus.SENT and item.ses_message_id == mail.message_id


def test_the_confirmation_lists_lines_total_method_and_a_link_that_opens_the_order(shopper, local_ses):
    shopper.add("espresso-cup", 2)
    shopper.add("pour-over-kettle")
    shopper.checkout()
    shopper.webhook(shopper.pay_at_mollie("paid"))

    order = shopper.last_order()
    [mail] = sent_about(local_ses, order, "Your order")
    assert "- Espresso cup: quantity 2," in mail.text and "- Pour-over kettle: quantity 1," in mail.text
    assert "74.95" in mail.text  # the total: 2 × 12.50 + 49.95
    link = re.search(r"https?://\S+/orders/\S+/", mail.text).group(0)
    assert urlsplit(link).path == f"/en/orders/{order.order_id}/{order.public_token}/"
    assert f'href="{link}"' in mail.html
    page = Client().get(urlsplit(link).path)  # opened later, without the shop's session cookie
    assert page.status_code == 200 and order.order_id in page.content.decode()


def test_a_crash_after_the_commit_still_sends_after_reconciliation(shopper, local_ses, monkeypatch):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")

    def crash(key, **options):
        raise SystemError("the Lambda was stopped after the commit")

    monkeypatch.setattr("payments.services.writes.deliver", crash)
    assert shopper.webhook(payment_id).status_code == 200  # the state is stored; the answer stands
    order = shopper.last_order()
    assert order.status == OrderStatus.PAID and sent_about(local_ses, order, "Your order") == []
    [queued] = mails_of_kind(order, MailKind.ORDER_CONFIRMATION)
    assert queued.status == MailStatus.QUEUED
    monkeypatch.undo()

    summary = services.reconcile()
    services.reconcile()  # once sent, never again

    assert summary.mails == {"sent": 1}
    assert len(sent_about(local_ses, order, "Your order")) == 1


def test_an_ses_failure_is_retried_by_reconciliation_then_marked_failed(shopper, local_ses, settings):
    settings.MAIL_MAX_TRIES = 3
    settings.SES_ENDPOINT_URL = UNREACHABLE
    shopper.buy()

    assert shopper.webhook(shopper.pay_at_mollie("paid")).status_code == 200
    services.reconcile()
    services.reconcile()

    order = shopper.last_order()
    [item] = mails_of_kind(order, MailKind.ORDER_CONFIRMATION)
    assert order.status == OrderStatus.PAID
    assert item.status == MailStatus.FAILED and item.tries == 3 and "EndpointConnectionError" in item.last_error
    assert services.reconcile().mails == {}  # failed is final: staff resend it


def test_refund_mails_say_what_was_refunded_and_what_remains(shopper, local_ses):
    shopper.buy("pour-over-kettle")  # 49.95
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()

    services.refund_payment(order_id=order.order_id, amount_cents=1000, refund_key="r1", actor="sam")
    shopper.webhook(order.latest_mollie_payment_id)  # Mollie's refund webhook
    services.refund_payment(order_id=order.order_id, amount_cents=3995, refund_key="r2", actor="sam")
    shopper.webhook(order.latest_mollie_payment_id)
    shopper.webhook(order.latest_mollie_payment_id)  # a repeat

    first, second = reversed(sent_about(local_ses, order, "Refund for your order"))
    assert "10.00" in first.text and "39.95" in first.text
    assert "39.95" in second.text and "0.00" in second.text
    assert shopper.last_order().status == OrderStatus.REFUNDED
    assert [item.status for item in mails_of_kind(order, MailKind.REFUND_CONFIRMED)] == ["sent", "sent"]


def test_an_order_that_expires_after_the_shopper_started_paying_gets_one_mail(shopper, local_ses, settings):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("failed"))  # the bank refused it: someone really paid
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    services.reconcile(stale_after_seconds=0)
    services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert order.status == OrderStatus.EXPIRED
    [mail] = sent_about(local_ses, order, "Your order")
    assert "was not completed" in mail.subject and "Nothing was charged" in mail.text
    assert mails_of_kind(order, MailKind.ORDER_CONFIRMATION) == []


def test_an_order_never_paid_at_expires_without_a_mail(shopper, local_ses, settings):
    shopper.sandbox.faults(api_error_rate=1.0, seed=2)  # the payment never reaches Mollie
    shopper.add("espresso-cup")
    shopper.checkout()
    shopper.sandbox.clear_faults()
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    services.reconcile(stale_after_seconds=0)

    order = shopper.last_order()
    assert order.status == OrderStatus.EXPIRED
    assert list(OutboxItem.query(order.order_id)) == [] and sent_about(local_ses, order, "") == []


def test_a_double_payment_alerts_staff_once_whatever_the_repeats(shopper, local_ses, settings):
    settings.STAFF_ALERT_EMAILS = ["staff@shop.example.com", "owner@shop.example.com"]
    shopper.buy()
    first = shopper.pay_again_after_a_canceled_payment()
    # Mollie reports the first attempt paid after all: a late bank confirmation, then its repeats.
    first_attempt = PaymentAttempt.get(first.order_id, 1)
    first_attempt.update(actions=[PaymentAttempt.status.set("open")])
    shopper.sandbox.set_status(first_attempt.mollie_payment_id, "paid")
    answers = run_concurrently(*[functools.partial(webhook_from_mollie, first_attempt.mollie_payment_id)] * 10)
    answers += [shopper.webhook(first_attempt.mollie_payment_id).status_code for _ in range(3)]

    order = shopper.last_order()
    assert set(answers) == {200} and PaymentAttempt.get(order.order_id, 1).needs_refund
    [alert] = sent_about(local_ses, order, "[Staff]")
    assert {address.strip() for to in alert.to for address in to.split(",")} == set(settings.STAFF_ALERT_EMAILS)
    assert AlertReason.DOUBLE_PAYMENT.label in alert.subject and f"/staff/orders/{order.order_id}/" in alert.text
    assert len(sent_about(local_ses, order, "Your order")) == 1  # one confirmation, for attempt 2
    assert order.alerted_reasons == [AlertReason.DOUBLE_PAYMENT]


def test_mail_log_lines_name_no_address_or_name(shopper, local_ses, json_log):
    shopper.buy(name="Ada Lovelace", email="ada.lovelace@example.com")
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    services.refund_payment(order_id=order.order_id, amount_cents=500, refund_key="r1", actor="sam")
    shopper.webhook(order.latest_mollie_payment_id)

    lines = json_log()
    mail_lines = [line for line in lines if line["logger"] == "shop.notifications"]
    assert {line["message"] for line in mail_lines} >= {"mail sent"}
    assert all(line.get("outbox_id", "").startswith(order.order_id) for line in mail_lines)
    everything = json.dumps(lines)
    assert "ada.lovelace" not in everything and "Lovelace" not in everything


def test_a_mail_decided_before_never_blocks_the_change_that_decides_it_again(shopper, local_ses):
    """If the confirmation's outbox item exists already (whatever the cause), its refused put must
    not cancel the payment's transaction on every retry: the order still becomes paid."""
    shopper.buy()
    order = shopper.last_order()
    earlier = OutboxItem(
        order.order_id,
        f"{MailKind.ORDER_CONFIRMATION.value}#paid",
        kind=MailKind.ORDER_CONFIRMATION.value,
        to_addresses=[SHOPPER],
        subject="s",
        text_body="t",
        html_body="h",
        status=MailStatus.SENT.value,
        queued_at=order.created_at,
        updated_at=order.created_at,
    )
    earlier.save()

    assert shopper.webhook(shopper.pay_at_mollie("paid")).status_code == 200

    assert shopper.last_order().status == OrderStatus.PAID
    assert [item.status for item in mails_of_kind(order, MailKind.ORDER_CONFIRMATION)] == [MailStatus.SENT]
    assert sent_about(local_ses, order, "Your order") == []


def test_an_order_replaced_by_a_changed_cart_closes_without_a_mail(shopper, local_ses):
    shopper.buy("linen-apron", 2)
    earlier = shopper.last_order()
    shopper.sandbox.set_cancelable(earlier.latest_mollie_payment_id, True)  # e.g. a bank transfer

    shopper.add("espresso-cup", 1)  # back from Mollie, the shopper adds something: the order is replaced
    shopper.webhook(earlier.latest_mollie_payment_id)  # Mollie reports the canceled payment

    assert Order.get(earlier.order_id, consistent_read=True).status == OrderStatus.CANCELED
    assert list(OutboxItem.query(earlier.order_id)) == [] and sent_about(local_ses, earlier, "") == []


def test_staff_canceling_an_order_the_shopper_started_paying_tells_them(shopper, local_ses):
    shopper.buy("linen-apron", 1)
    order = shopper.last_order()
    requests.post(  # the shopper chooses a bank transfer on Mollie's page: an open transfer
        order.latest_checkout_url, data={"status": "open", "method": "banktransfer"}, allow_redirects=False, timeout=5
    ).raise_for_status()
    shopper.webhook(order.latest_mollie_payment_id)

    services.cancel_order(order_id=order.order_id, actor="sam")

    [mail] = sent_about(local_ses, order, "Your order")
    assert "was canceled" in mail.subject and "we have canceled your order" in mail.text


def test_an_amount_mismatch_alerts_staff_once_and_confirms_nothing(shopper, local_ses):
    import dataclasses

    from payments import mollie

    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    wrong = dataclasses.replace(mollie.get_payment(payment_id), amount_cents=1)

    for _ in range(3):
        services.apply_mollie_payment(payment=wrong, source="webhook")

    order = shopper.last_order()
    assert order.status == OrderStatus.PENDING_PAYMENT and order.alerted_reasons == [AlertReason.AMOUNT_MISMATCH]
    [alert] = sent_about(local_ses, order, "[Staff]")
    assert AlertReason.AMOUNT_MISMATCH.label in alert.subject
    assert mails_of_kind(order, MailKind.ORDER_CONFIRMATION) == []


def test_the_confirmation_shows_quantity_unit_price_and_line_total_in_columns_of_their_own(shopper, local_ses):
    shopper.buy("espresso-cup", 2)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    [mail] = sent_about(local_ses, shopper.last_order(), "Your order")

    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', mail.html)
    row = re.search(r'<th scope="row"[^>]*>Espresso cup</th>(.*?)</tr>', mail.html, re.S).group(1)
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
    assert headers == ["Article", "Quantity", "Unit price", "Total"]
    assert cells == ["2", "€12.50", "€25.00"]
    assert "- Espresso cup: quantity 2, unit price €12.50, total €25.00" in mail.text
    assert "×" not in mail.text + mail.html
