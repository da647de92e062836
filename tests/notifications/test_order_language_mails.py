"""Every mail to the shopper goes out in the order's language, whoever sends it and when: the
webhook, reconciliation days later, staff. Staff alerts stay English.

Each mail is checked three ways, none of which needs the translations themselves: its
Content-Language header, the language that was active while it was rendered, and its links, which
lead to the pages in that language (the shop's pages under i18n_patterns here, so a link reversed
in another language is another URL)."""

import pytest
from django.utils import translation

from payments import services
from payments.models import OrderStatus
from tests.fixtures.languages import buy_in, path_in


@pytest.fixture
def rendered_in(monkeypatch):
    """(kind, active language) for each mail rendered during the test."""
    from notifications import services as notifications

    rendered, render = [], notifications.render_mail

    def render_and_note_the_language(kind, context):
        rendered.append((str(kind), translation.get_language()))
        return render(kind, context)

    monkeypatch.setattr(notifications, "render_mail", render_and_note_the_language)
    return rendered


def content_language(mail):
    return [value for name, value in mail.headers if name.lower() == "content-language"]


def mails_about(local_ses, order, kind_words):
    return [mail for mail in local_ses.new_mails(order.order_id) if kind_words in mail.subject]


def test_reconciliation_expiring_a_dutch_order_sends_its_mail_in_dutch(shopper, local_ses, settings, rendered_in):
    buy_in(shopper, "nl", country="NL")
    shopper.webhook(shopper.pay_at_mollie("failed"))  # the bank refused it: the address hears of the close
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    services.reconcile(stale_after_seconds=0)  # the scheduled run: no request, no language of its own

    order = shopper.last_order()
    assert order.status == OrderStatus.EXPIRED
    [mail] = local_ses.new_mails(order.order_id)
    assert content_language(mail) == ["nl"]
    assert rendered_in == [("order_closed", "nl")]
    shop_page = path_in("nl", "shop:index")
    assert shop_page == "/nl/" and f"{settings.PUBLIC_BASE_URL}{shop_page}\n" in mail.text
    assert f'href="{settings.PUBLIC_BASE_URL}{shop_page}"' in mail.html


def test_the_confirmation_from_the_webhook_and_a_staff_resend_are_in_the_orders_language(
    shopper, local_ses, staff_client, settings, rendered_in
):
    buy_in(shopper, "fr", country="BE")
    shopper.webhook(shopper.pay_at_mollie("paid"))  # Mollie's call: no shopper, no language of its own
    order = shopper.last_order()

    staff_client.post(f"/staff/orders/{order.order_id}/resend-confirmation/")  # staff read English

    first, resent = mails_about(local_ses, order, "")
    order_page = settings.PUBLIC_BASE_URL + path_in(
        "fr", "shop:order", order_id=order.order_id, token=order.public_token
    )
    assert "/fr/orders/" in order_page
    for mail in (first, resent):
        assert content_language(mail) == ["fr"]
        assert order_page in mail.text
    assert rendered_in == [("order_confirmation", "fr"), ("order_confirmation", "fr")]


def test_a_staff_alert_about_a_dutch_order_stays_english(shopper, local_ses, settings, rendered_in):
    settings.STAFF_ALERT_EMAILS = ["staff@shop.example.com"]
    buy_in(shopper, "nl", country="NL")
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)
    shopper.sandbox.chargeback(payment_id)

    shopper.webhook(payment_id)

    [alert] = [mail for mail in local_ses.new_mails() if mail.to == ["staff@shop.example.com"]]
    assert content_language(alert) == ["en"]
    assert ("staff_alert", "en") in rendered_in and ("order_confirmation", "nl") in rendered_in
