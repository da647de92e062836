"""The shop's e-mails as people get them: the shopper reads them in the local mailbox (the same
moto SES the shop sends through) and follows their links; staff get one alert.

Every step waits for what the page shows; a mail is awaited (bounded) where SES is asynchronous
to the page: the thank-you page and the webhook both apply Mollie's answer, and either one sends.
"""

import re

import pytest
import requests
from playwright.sync_api import expect

from devstack.mailbox import sent_mails
from tests.concurrency import wait_until

pytestmark = pytest.mark.browser

PAID_TITLE = "Thank you! Your payment was received."


@pytest.fixture
def mail_reader(chromium, local_aws):
    """The shopper's (or staff member's) mail program: a tab of its own on the local mailbox."""
    context = chromium.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    reader = context.new_page()
    reader.mailbox_url = local_aws.mailbox_url
    yield reader
    context.close()


def wait_for_mail(local_aws, subject):
    def arrived():
        return [
            mail for mail in sent_mails(local_aws.endpoint_url, subject_contains=subject) if mail.subject == subject
        ]

    return wait_until(arrived, timeout=15, what=f"the mail {subject!r}")


def open_mail(reader, subject):
    reader.goto(reader.mailbox_url)
    expect(reader.get_by_role("heading", name="Local mailbox")).to_be_visible()
    reader.get_by_role("link", name=subject, exact=True).first.click()
    expect(reader.get_by_role("heading", name=subject, level=1)).to_be_visible()
    return reader.frame_locator('iframe[title="The mail as HTML"]')


def test_buy_and_pay_then_the_confirmation_arrives_with_the_lines_and_a_working_link(
    shopper, page, mail_reader, local_aws, screenshots
):
    order_id = shopper.buy_two_cups_and_pay()
    order_page = page.url
    subject = f"Your order {order_id} is paid"
    [sent] = wait_for_mail(local_aws, subject)
    assert sent.to == ["ada@example.com"]

    # The shopper closed the thank-you page; the mail is their way back.
    page.goto("/en/")
    mail = open_mail(mail_reader, subject)
    expect(mail.get_by_role("heading", level=1)).to_contain_text("Thank you")
    expect(mail.get_by_role("row", name=re.compile("Espresso cup"))).to_contain_text("€25.00")
    expect(mail.get_by_text("iDEAL").or_(mail.get_by_text("Mollie")).first).to_be_visible()
    expect(mail_reader.locator("pre")).to_contain_text("- Espresso cup: quantity 2,")
    screenshots(mail_reader, "confirmation-mail")
    link = mail.get_by_role("link", name=re.compile("order", re.I)).first.get_attribute("href")
    assert link == order_page

    page.goto(link)
    expect(shopper.status_title()).to_have_text(PAID_TITLE)
    expect(page.get_by_role("row", name="Espresso cup")).to_contain_text("€25.00")

    mail_reader.goto(mail_reader.mailbox_url)
    expect(mail_reader.get_by_role("link", name=subject, exact=True)).to_have_count(1)


def test_refund_then_the_refund_mail_arrives(shopper, page, mail_reader, local_aws, screenshots):
    from payments import services

    order_id = shopper.buy_two_cups_and_pay()
    wait_for_mail(local_aws, f"Your order {order_id} is paid")

    services.refund_payment(order_id=order_id, amount_cents=1000, refund_key="chipped-cup", actor="mia")

    subject = f"Refund for your order {order_id}"
    [sent] = wait_for_mail(local_aws, subject)
    assert sent.to == ["ada@example.com"]
    mail = open_mail(mail_reader, subject)
    expect(mail.locator("body")).to_contain_text("€10.00")
    expect(mail.locator("body")).to_contain_text("€15.00")  # what remains paid
    page.reload()
    expect(page.get_by_text("It has been partly refunded.")).to_be_visible()
    mail_reader.goto(mail_reader.mailbox_url)
    expect(mail_reader.get_by_role("link", name=f"Your order {order_id} is paid", exact=True)).to_have_count(1)
    screenshots(mail_reader, "mailbox", full_page=False)


def test_a_double_payment_gets_staff_exactly_one_alert(shopper, page, mail_reader, local_aws, shop_url, settings):
    from notifications.models import AlertReason
    from payments.models import PaymentAttempt

    settings.STAFF_ALERT_EMAILS = ["staff@shop.example.com"]
    shopper.open_shop()
    shopper.buy_now("Espresso cup")
    shopper.fill_checkout()
    shopper.pay()
    shopper.choose_at_mollie("Expired")
    page.get_by_role("button", name="Pay again").click()
    expect(page.get_by_role("heading", name="Test payment")).to_be_visible()
    shopper.choose_at_mollie("Paid")
    expect(shopper.status_title()).to_have_text(PAID_TITLE)
    order_id = page.get_by_role("heading", name=re.compile(r"^Order SO-")).inner_text().removeprefix("Order ").strip()

    # The bank confirms the first, expired payment after all; Mollie calls the webhook, and again.
    first = PaymentAttempt.get(order_id, 1)
    shopper.sandbox.set_status(first.mollie_payment_id, "paid")
    for _ in range(5):
        answer = requests.post(f"{shop_url}/payments/webhook/", data={"id": first.mollie_payment_id}, timeout=10)
        assert answer.status_code == 200

    subject_start = f"[Staff] Order {order_id} needs attention"
    double_payment = f"{subject_start}: {AlertReason.DOUBLE_PAYMENT.label}"
    wait_for_mail(local_aws, double_payment)
    mail_reader.goto(mail_reader.mailbox_url)
    expect(mail_reader.get_by_role("link", name=double_payment, exact=True)).to_have_count(1)
    mail = open_mail(mail_reader, double_payment)
    expect(mail.locator("body")).to_contain_text("A second payment was received for the order")
    expect(mail_reader.locator("pre")).to_contain_text(f"/staff/orders/{order_id}/")
    # One alert per reason: this payment also came after Mollie had called it expired.
    alerts = sorted(m.subject for m in sent_mails(local_aws.endpoint_url) if m.subject.startswith(subject_start))
    assert alerts == [double_payment, f"{subject_start}: {AlertReason.PAID_AFTER_FINAL_STATUS.label}"]
