"""The outbox on real DynamoDB (moto) and SES (moto): a decided mail is sent exactly once."""

import logging
import threading
from datetime import timedelta

import pytest
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from config import deadline, dynamodb
from notifications.models import AlertReason, MailKind, MailStatus, OutboxItem
from notifications.services import DeliveryOutcome, deliver, deliver_pending, outbox_item, staff_alert_recipients

SHOPPER = "ada@example.com"
SHOPPER_NAME = "Ada Lovelace"


def _confirmation(order_id="SO-TEST-00001", event_id="paid"):
    return outbox_item(
        order_id=order_id,
        kind=MailKind.ORDER_CONFIRMATION,
        event_id=event_id,
        to=[SHOPPER],
        context={
            "customer_name": SHOPPER_NAME,
            "currency": "EUR",
            "total_cents": 2450,
            "payment_method": "ideal",
            "order_url": f"http://127.0.0.1:8000/orders/{order_id}/token123/",
            "lines": [{"name": "Espresso cup", "quantity": 2, "unit_price_cents": 1225, "line_total_cents": 2450}],
        },
    )


def _commit(*items):
    """As the workflow will: the mail's decision in the same transaction as the change."""
    with TransactWrite(connection=dynamodb.connection()) as transaction:
        for item in items:
            item.put_in(transaction)


def _stored(item):
    return OutboxItem.get(item.order_id, item.mail_key, consistent_read=True)


def test_fifty_concurrent_senders_send_one_mail(local_ses):
    item = _confirmation()
    _commit(item)
    barrier = threading.Barrier(50)
    outcomes = []

    def sender():
        barrier.wait()
        outcomes.append(deliver(item.key))

    threads = [threading.Thread(target=sender) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    [mail] = local_ses.new_mails()
    assert outcomes.count(DeliveryOutcome.SENT) == 1 and len(outcomes) == 50
    assert set(outcomes) == {DeliveryOutcome.SENT, DeliveryOutcome.NOT_CLAIMED}
    stored = _stored(item)
    assert stored.status == MailStatus.SENT and stored.ses_message_id == mail.message_id
    assert stored.pending_status is None and stored.tries == 1
    assert mail.to == [SHOPPER] and mail.subject == "Your order SO-TEST-00001 is paid"


def test_a_mail_decided_twice_is_refused_by_the_transaction(local_ses):
    _commit(_confirmation())

    with pytest.raises(TransactWriteError) as refused:
        _commit(_confirmation())

    assert [reason.code for reason in refused.value.cancellation_reasons if reason] == ["ConditionalCheckFailed"]
    assert dynamodb.write_lost(refused.value).back_off is False  # the workflow's retry loop re-reads
    assert len(list(OutboxItem.query("SO-TEST-00001"))) == 1


def test_a_crash_after_the_commit_is_sent_by_reconciliation(local_ses):
    _commit(_confirmation())  # the process died here, before deliver()

    counts = deliver_pending()

    assert counts == {DeliveryOutcome.SENT: 1}
    assert [mail.subject for mail in local_ses.new_mails()] == ["Your order SO-TEST-00001 is paid"]
    assert deliver_pending() == {}  # sent means out of the pending index: nothing twice


def test_a_sender_that_died_while_sending_is_taken_over_once_its_claim_is_stale(local_ses, settings):
    item = _confirmation()
    _commit(item)
    # Claimed (queued -> sending), then the container was frozen before SES answered.
    item.update(
        actions=[
            OutboxItem.status.set("sending"),
            OutboxItem.pending_status.set("sending"),
            OutboxItem.claim_token.set("dead-sender"),
            OutboxItem.claimed_at.set(item.queued_at),
        ]
    )

    assert deliver(item.key) == DeliveryOutcome.NOT_CLAIMED  # a live claim is left alone
    assert deliver_pending() == {}
    later = item.queued_at + timedelta(seconds=settings.MAIL_CLAIM_STALE_SECONDS + 1)
    assert deliver_pending(now=later) == {DeliveryOutcome.SENT: 1}
    assert len(local_ses.new_mails()) == 1 and _stored(item).status == MailStatus.SENT
    # Counted: had the dead sender's mail gone out, this would be a second one, and accounted for.
    assert _stored(item).takeovers == 1


def test_an_ses_failure_is_retried_then_marked_failed(local_ses, settings):
    settings.MAIL_MAX_TRIES = 3
    # SES refuses a from-address that is not a verified identity (MessageRejected); so does moto.
    settings.DEFAULT_FROM_EMAIL = "Brew & Co. <orders@not-verified.example>"
    item = _confirmation()
    _commit(item)

    outcomes = [deliver(item.key), deliver_pending(), deliver_pending()]

    assert outcomes == [DeliveryOutcome.RETRY_LATER, {DeliveryOutcome.RETRY_LATER: 1}, {DeliveryOutcome.FAILED: 1}]
    stored = _stored(item)
    assert stored.status == MailStatus.FAILED and stored.tries == 3
    assert "MessageRejected" in stored.last_error
    assert [failed.mail_key for failed in OutboxItem.pending_index.query("failed")] == [item.mail_key]
    assert deliver(item.key) == DeliveryOutcome.NOT_CLAIMED and deliver_pending() == {}
    assert local_ses.new_mails() == []


def test_a_failure_then_a_working_ses_sends_the_mail(local_ses, settings):
    verified_from = settings.DEFAULT_FROM_EMAIL
    settings.DEFAULT_FROM_EMAIL = "orders@not-verified.example"
    item = _confirmation()
    _commit(item)
    assert deliver(item.key) == DeliveryOutcome.RETRY_LATER

    settings.DEFAULT_FROM_EMAIL = verified_from
    assert deliver_pending() == {DeliveryOutcome.SENT: 1}

    stored = _stored(item)
    assert stored.status == MailStatus.SENT and stored.tries == 2 and "MessageRejected" in stored.last_error
    assert len(local_ses.new_mails()) == 1


def test_reconciliation_stops_before_the_deadline_and_within_its_limit(local_ses):
    _commit(*[_confirmation(order_id=f"SO-TEST-{number:05d}") for number in range(3)])

    token = deadline.start(1.0)  # less than a send needs
    try:
        assert deliver_pending() == {"left_for_next_run": 3}
    finally:
        deadline.reset(token)
    assert deliver_pending(limit=2) == {DeliveryOutcome.SENT: 2}
    assert deliver_pending(limit=2) == {DeliveryOutcome.SENT: 1}
    assert len(local_ses.new_mails()) == 3


def test_one_staff_alert_per_order_and_reason(local_ses):
    def alert(reason):
        return outbox_item(
            order_id="SO-TEST-00001",
            kind=MailKind.STAFF_ALERT,
            event_id=reason,
            to=staff_alert_recipients(),
            context={"reason": reason, "staff_order_url": "http://127.0.0.1:8000/staff/orders/SO-TEST-00001/"},
        )

    _commit(alert(AlertReason.DOUBLE_PAYMENT))
    _commit(alert(AlertReason.AMOUNT_MISMATCH))
    with pytest.raises(TransactWriteError):
        _commit(alert(AlertReason.DOUBLE_PAYMENT))
    deliver_pending()

    subjects = sorted(mail.subject for mail in local_ses.new_mails())
    assert subjects == [
        "[Staff] Order SO-TEST-00001 needs attention: A second payment was received for the order",
        "[Staff] Order SO-TEST-00001 needs attention: The paid amount or currency differs from the order's",
    ]


def test_log_lines_name_the_outbox_item_and_kind_never_the_shopper(local_ses, settings, caplog):
    caplog.set_level(logging.INFO, logger="shop.notifications")
    item = _confirmation()
    _commit(item)
    verified_from = settings.DEFAULT_FROM_EMAIL
    settings.DEFAULT_FROM_EMAIL = "orders@not-verified.example"
    deliver(item.key)  # SES's refusal names addresses
    settings.DEFAULT_FROM_EMAIL = verified_from
    deliver(item.key)

    records = [record for record in caplog.records if record.name == "shop.notifications"]
    assert [record.getMessage() for record in records] == ["mail not sent", "mail sent"]
    assert all(
        record.outbox_id == "SO-TEST-00001/order_confirmation#paid" and record.kind == "order_confirmation"
        for record in records
    )
    logged = "\n".join(f"{record.getMessage()} {vars(record)}" for record in records)
    for never_logged in (SHOPPER, SHOPPER_NAME, "not-verified.example", "token123"):
        assert never_logged not in logged


@pytest.mark.parametrize(
    "bad",
    [
        {"to": []},
        {"to": [""]},
        {"event_id": ""},
        {"event_id": "a#b"},
        {"kind": "newsletter"},
    ],
)
def test_a_mail_that_cannot_be_decided_is_refused_before_anything_is_stored(bad):
    arguments = {
        "order_id": "SO-TEST-00001",
        "kind": MailKind.ORDER_CLOSED,
        "event_id": "expired",
        "to": [SHOPPER],
        "context": {"customer_name": "Ada", "closed_status": "expired", "shop_url": "http://127.0.0.1:8000/"},
        **bad,
    }

    with pytest.raises(ValueError, match="no recipient|invalid event id|not a valid MailKind"):
        outbox_item(**arguments)


def test_delivering_an_unknown_mail_is_a_safe_no_op(local_ses):
    assert deliver(("SO-NOPE", "order_confirmation#paid")) == DeliveryOutcome.MISSING
    assert local_ses.new_mails() == []


def test_deliver_mail_command_sends_what_is_queued(local_ses):
    from io import StringIO

    from django.core.management import call_command

    _commit(_confirmation())
    output = StringIO()

    call_command("deliver_mail", stdout=output)

    assert output.getvalue().strip() == "sent: 1" and len(local_ses.new_mails()) == 1


def test_a_throttled_table_leaves_the_mail_queued_and_raises_nothing(local_ses, local_aws):
    item = _confirmation()
    _commit(item)
    local_aws.dynamodb_faults.throttle_for(120)  # every DynamoDB call throttled, past botocore's retries
    try:
        outcome = deliver(item.key)
    finally:
        local_aws.dynamodb_faults.reset()

    assert outcome == DeliveryOutcome.STORAGE_UNAVAILABLE and local_ses.new_mails() == []
    assert deliver_pending() == {DeliveryOutcome.SENT: 1}


def test_one_reconciliation_run_sends_a_backlog_larger_than_one_batch(local_ses, sandbox, monkeypatch):
    """A busy hour (or an SES outage) can leave more mails queued than one batch takes."""
    from payments.services import reconcile, reconciliation

    monkeypatch.setattr(reconciliation, "MAILS_PER_BATCH", 4)
    for number in range(10):
        _commit(_confirmation(order_id=f"SO-TEST-{number:05d}"))

    summary = reconcile()

    assert summary.mails == {DeliveryOutcome.SENT: 10}
    assert len(local_ses.new_mails()) == 10
    assert deliver_pending() == {}


def test_mails_share_one_ses_client_instead_of_a_boto3_session_each(local_ses, monkeypatch):
    """Anymail's own backend made a boto3 Session and an SES client for every mail: ~75 ms of CPU
    in each webhook that confirms a payment. The second mail must need neither."""
    import boto3.session

    first, second = _confirmation("SO-TEST-00001"), _confirmation("SO-TEST-00002")
    _commit(first, second)
    assert deliver(first.key) == DeliveryOutcome.SENT

    def no_new_session(*args, **kwargs):
        raise AssertionError("a boto3 Session made for one mail")

    monkeypatch.setattr(boto3.session.Session, "__init__", no_new_session)
    assert deliver(second.key) == DeliveryOutcome.SENT
    assert _stored(second).status == MailStatus.SENT
    assert {mail.to[0] for mail in local_ses.new_mails()} == {SHOPPER}
    assert len(local_ses.new_mails()) == 2
