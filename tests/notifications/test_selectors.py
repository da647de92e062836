"""What staff will see of an order's mails."""

from pynamodb.transactions import TransactWrite

from config import dynamodb
from notifications.models import MailKind, MailStatus
from notifications.selectors import failed_mails, mails_of_order
from notifications.services import deliver, outbox_item


def _decide(order_id, kind, event_id, context):
    item = outbox_item(order_id=order_id, kind=kind, event_id=event_id, to=["ada@example.com"], context=context)
    with TransactWrite(connection=dynamodb.connection()) as transaction:
        item.put_in(transaction)
    return item


def test_an_orders_mails_in_the_order_they_were_decided_with_their_status(local_ses, settings):
    order_url = "http://127.0.0.1:8000/orders/SO-SEL-00001/t/"
    confirmation = _decide(
        "SO-SEL-00001",
        MailKind.ORDER_CONFIRMATION,
        "paid",
        {
            "customer_name": "Ada",
            "currency": "EUR",
            "total_cents": 100,
            "payment_method": "creditcard",
            "order_url": order_url,
            "lines": [{"name": "Cup", "quantity": 1, "unit_price_cents": 100, "line_total_cents": 100}],
        },
    )
    deliver(confirmation.key)
    settings.MAIL_MAX_TRIES = 1
    settings.DEFAULT_FROM_EMAIL = "orders@not-verified.example"
    refund = _decide(
        "SO-SEL-00001",
        MailKind.REFUND_CONFIRMED,
        "re_1",
        {"customer_name": "Ada", "currency": "EUR", "refund_cents": 100, "remaining_cents": 0, "order_url": order_url},
    )
    deliver(refund.key)
    _decide(
        "SO-SEL-00002",
        MailKind.ORDER_CLOSED,
        "expired",
        {"customer_name": "Bo", "closed_status": "expired", "shop_url": "http://127.0.0.1:8000/"},
    )

    mails = mails_of_order("SO-SEL-00001")

    assert [(mail.kind, mail.status, mail.to_addresses) for mail in mails] == [
        ("order_confirmation", MailStatus.SENT, ["ada@example.com"]),
        ("refund_confirmed", MailStatus.FAILED, ["ada@example.com"]),
    ]
    assert mails[0].sent_at is not None and "MessageRejected" in mails[1].last_error
    assert [mail.mail_key for mail in failed_mails()] == ["refund_confirmed#re_1"]
