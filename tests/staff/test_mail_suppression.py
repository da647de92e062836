"""A customer whose address bounced: the order is paid, the confirmation is not sent, and the
order page says why (SES's report, received through SNS: tests/ops/test_bounces.py)."""

import json

import pytest

from notifications import bounces
from notifications.models import MailStatus, SuppressedAddress
from notifications.selectors import mails_of_order
from tests.ops import sns


@pytest.fixture
def signer(settings, monkeypatch):
    settings.SES_NOTIFICATIONS_TOPIC_ARN = sns.TOPIC_ARN
    signer = sns.Signer()
    monkeypatch.setattr(bounces, "download", lambda url: signer.pem)
    monkeypatch.setattr(bounces, "_certificates", {})
    return signer


def test_no_more_mail_goes_to_a_bounced_address_and_staff_see_why(shopper, client, signer, staff_client):
    shopper.buy(email="gone@example.com")
    bounce = signer.sign(sns.notification(sns.bounce_event("gone@example.com")))
    assert client.post("/notifications/ses/", json.dumps(bounce), content_type="text/plain").status_code == 200

    shopper.webhook(shopper.pay_at_mollie("paid"))

    order = shopper.last_order()
    assert order.status == "paid"
    [confirmation] = mails_of_order(order.order_id)
    assert confirmation.status == MailStatus.FAILED and confirmation.sent_at is None
    assert "gone@example.com: Bounced (permanently) (General)" in confirmation.last_error
    page = staff_client.get(f"/staff/orders/{order.order_id}/").content.decode()
    assert "Not sent to this address: Bounced (permanently) (General), reported by SES on" in page
    assert SuppressedAddress.get("gone@example.com").ses_message_id == "0102019abc-ses-id"
