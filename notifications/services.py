"""The outbox's workflow: decide a mail (inside the caller's transaction), deliver it once after
the commit, and let reconciliation deliver what a crash or an SES failure left queued.

    item = outbox_item(order_id=..., kind=MailKind.ORDER_CONFIRMATION, event_id="paid",
                       to=[order.customer_email], context={...})
    with TransactWrite(connection=dynamodb.connection()) as transaction:
        ...                     # the order's own change
        item.put_in(transaction)  # refused if this mail was decided before
    deliver(item.key)           # after the commit; never raises for SES trouble

The payment workflow does exactly this through `payments.services.writes.commit(mails=...)`
(which mails: payments/services/mails.py); reconciliation ends with `deliver_pending`.

Delivery is at-most-once per claim: a claim (queued -> sending) is a conditional write, so
concurrent senders never both send. A second mail can come only from a send whose outcome was
lost: a sender that dies, or cannot store `sent` (DynamoDB throttled past its retries), between
SES's answer and that write (sent again after MAIL_CLAIM_STALE_SECONDS), or an SES answer that
came after the read timeout (the mail is queued again as failed).
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from pynamodb.expressions.update import Action

from config import deadline, metrics
from config.dynamodb import optimistic_retries
from config.retry_later import RETRY_LATER_ERRORS
from notifications import bounces, ses
from notifications.models import MailKind, MailStatus, OutboxItem, OutboxKey, mail_key
from notifications.rendering import render_mail

log = logging.getLogger("shop.notifications")

# SES's SendEmail quota per second starts at 1 in the sandbox (14 when out of it); one send takes
# well under a second. One try, no retry inside the request: a failed send stays queued and
# reconciliation tries it again. A send is started only with the time one try may take left,
# plus two writes (claim, mark sent): so a webhook, which answers Mollie within 13 s
# (WEBHOOK_TIME_BUDGET_SECONDS), still sends the confirmation itself.
SEND_SECONDS = ses.SES_CONNECT_TIMEOUT_SECONDS + ses.SES_READ_TIMEOUT_SECONDS
ERROR_TEXT_LIMIT = 500


class DeliveryOutcome:
    SENT = "sent"
    NOT_CLAIMED = "not_claimed"  # sent, failed or being sent by someone else: nothing to do here
    RETRY_LATER = "retry_later"  # SES refused or failed; queued again with tries + 1
    FAILED = "failed"  # gave up after MAIL_MAX_TRIES
    STORAGE_UNAVAILABLE = "storage_unavailable"  # DynamoDB busy or unreachable; still queued
    NO_TIME = "no_time"  # too little time left before the deadline; still queued, not claimed
    MISSING = "missing"
    SUPPRESSED = "suppressed"  # every recipient bounced for good or complained before: failed, not sent


def outbox_item(
    *,
    order_id: str,
    kind: MailKind | str,
    event_id: str,
    to: list[str],
    context: dict,
    language: str | None = None,
    now: datetime | None = None,
) -> OutboxItem:
    """An unsaved outbox item for the mail `kind` about `event_id` of the order (the staff alert's
    event id is its AlertReason, so one alert per order and reason). Rendered now, from `context`
    (see notifications.rendering.render_mail), in `language` (the order's, for the shopper: see
    payments/services/mails.py; LANGUAGE_CODE when not given), which its Content-Language header
    names. Put it into your transaction with `put_in`."""
    kind = MailKind(kind)
    to = [address for address in to if address]
    if not to:
        raise ValueError(f"{kind.value} mail for {order_id} has no recipient")
    if not event_id or "#" in str(event_id):
        raise ValueError(f"invalid event id {event_id!r}")
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        rendered = render_mail(kind, {**context, "order_id": order_id})
    now = now or _now()
    return OutboxItem(
        order_id,
        mail_key(kind, event_id),
        kind=kind.value,
        to_addresses=list(to),
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        language=language,
        status=MailStatus.QUEUED.value,
        pending_status=MailStatus.QUEUED.value,
        tries=0,
        queued_at=now,
        updated_at=now,
    )


def staff_alert_recipients():
    return list(settings.STAFF_ALERT_EMAILS)


def deliver(key: tuple[str, str], *, now: datetime | None = None, known: OutboxItem | None = None) -> str:
    """Sends one queued mail if this caller wins its claim; returns a DeliveryOutcome value.
    SES failures are stored on the item, never raised: the caller's change is already committed.
    `known`: the OutboxItem the caller just committed; its claim is tried without a read first
    (a stale copy only costs the read it would have saved)."""
    key = OutboxKey(*key)
    # Claim, send and store must all fit before the caller's deadline; else reconciliation sends it.
    if deadline.remaining() < SEND_SECONDS + 2 * deadline.write_seconds():
        return DeliveryOutcome.NO_TIME
    try:
        claim = _claim(key, now=now or _now(), known=known)
    except RETRY_LATER_ERRORS as error:
        # Nothing claimed: the mail stays queued for reconciliation; the caller's answer stands.
        log.warning(
            "mail not claimed: storage unavailable", extra={"outbox_id": _outbox_id(key), "error": type(error).__name__}
        )
        return DeliveryOutcome.STORAGE_UNAVAILABLE
    if not isinstance(claim, OutboxItem):
        return claim
    item, token = claim, claim.claim_token
    try:
        # SES reported these as bouncing for good or complaining (notifications/bounces.py).
        suppressed = bounces.suppressed_among(item.to_addresses)
    except RETRY_LATER_ERRORS as error:
        return _release(item, token, error=error)
    recipients = [address for address in item.to_addresses if address not in suppressed]
    if not recipients:
        return _give_up_suppressed(item, token, suppressed)
    try:
        message_id = _send(item, recipients)
    except Exception as error:  # noqa: BLE001 - any SES or network failure is stored for a retry
        return _release(item, token, error=error)
    try:
        _mark_sent(item, token, message_id)
    except RETRY_LATER_ERRORS as error:
        # Sent, but not stored: the claim goes stale and the mail is sent again after
        # MAIL_CLAIM_STALE_SECONDS, the one way to a second mail (see the module's docstring).
        log.error(
            "mail sent but not stored",
            extra=_log_fields(item, ses_message_id=message_id, error=type(error).__name__),
        )
    return DeliveryOutcome.SENT


def deliver_pending(*, limit: int = 50, now: datetime | None = None) -> dict:
    """Reconciliation: delivers queued mails (and stale claims), oldest first, at most `limit`,
    stopping while there is still time to finish (config/deadline.py). Returns counts per outcome."""
    now = now or _now()
    counts: dict[str, int] = {}
    for item in pending_mails(limit=limit, now=now):
        if deadline.remaining() < SEND_SECONDS + 2 * deadline.write_seconds():
            counts["left_for_next_run"] = counts.get("left_for_next_run", 0) + 1
            continue
        outcome = deliver(item.key, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def pending_mails(*, limit, now):
    """Queued mails and claims gone stale, oldest first (the index is eventually consistent;
    deliver() re-reads each one strongly before it claims)."""
    stale_before = now - timedelta(seconds=settings.MAIL_CLAIM_STALE_SECONDS)
    found = list(OutboxItem.pending_index.query(MailStatus.QUEUED.value, limit=limit))
    if len(found) < limit:
        found += OutboxItem.pending_index.query(
            MailStatus.SENDING.value,
            OutboxItem.queued_at <= now,
            filter_condition=OutboxItem.claimed_at < stale_before,
            limit=limit - len(found),
        )
    return sorted(found, key=lambda item: item.queued_at)[:limit]


def _claim(key, *, now, known=None):
    stale_before = now - timedelta(seconds=settings.MAIL_CLAIM_STALE_SECONDS)
    for attempt in optimistic_retries(f"outbox {key.order_id}/{key.mail_key}"):
        if known is not None:
            item, known = known, None
        else:
            try:
                item = OutboxItem.get(key.order_id, key.mail_key, consistent_read=True)
            except OutboxItem.DoesNotExist:
                return DeliveryOutcome.MISSING
        claimable = item.status == MailStatus.QUEUED or (
            item.status == MailStatus.SENDING and item.claimed_at is not None and item.claimed_at < stale_before
        )
        if not claimable:
            return DeliveryOutcome.NOT_CLAIMED
        taking_over = item.status == MailStatus.SENDING
        token = uuid.uuid4().hex
        # The condition is what was read: if another sender claimed meanwhile, this write loses.
        condition = (OutboxItem.status == item.status) & (
            OutboxItem.claim_token.does_not_exist()
            if item.claim_token is None
            else OutboxItem.claim_token == item.claim_token
        )
        actions: list[Action] = [
            OutboxItem.status.set(MailStatus.SENDING.value),
            OutboxItem.pending_status.set(MailStatus.SENDING.value),
            OutboxItem.claim_token.set(token),
            OutboxItem.claimed_at.set(now),
            OutboxItem.updated_at.set(now),
        ]
        if taking_over:  # counted, so that a second mail is always accounted for
            actions.append(OutboxItem.takeovers.add(1))
        try:
            item.update(actions=actions, condition=condition)
        except Exception as error:  # noqa: BLE001 - attempt.lost re-raises what is not a lost race
            attempt.lost(error)
            continue
        if taking_over:
            log.warning("stale mail claim taken over", extra=_log_fields(item))
        return item


def _send(item, recipients):
    message = EmailMultiAlternatives(
        subject=item.subject,
        body=item.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(recipients),
        connection=ses.ses_connection(),
        # The language it was rendered in (RFC 3282); mails decided before it was stored name none.
        headers={"Content-Language": item.language} if item.language else None,
    )
    message.attach_alternative(item.html_body, "text/html")
    message.send()
    # Anymail's status of the send: SES's MessageId (one per SendEmail call). Other backends
    # (a console backend for a demo, Django's test outbox) have no id to give.
    status = getattr(message, "anymail_status", None)
    return status.message_id if status is not None else None


def _release(item, token, *, error):
    """Back to queued (tries + 1, the error kept for staff), or failed after MAIL_MAX_TRIES."""
    now = _now()
    tries = item.tries + 1
    status = MailStatus.FAILED if tries >= settings.MAIL_MAX_TRIES else MailStatus.QUEUED
    actions = [
        OutboxItem.status.set(status.value),
        OutboxItem.pending_status.set(status.value),
        OutboxItem.tries.set(tries),
        OutboxItem.last_error.set(_error_text(error)),
        OutboxItem.claim_token.remove(),
        OutboxItem.claimed_at.remove(),
        OutboxItem.updated_at.set(now),
    ]
    if not _update_own_claim(item, token, actions):
        return DeliveryOutcome.NOT_CLAIMED
    metrics.count(metrics.Metric.MAILS_FAILED, int(status == MailStatus.FAILED))
    # The error's text can hold an address (SES names unverified recipients): its class only here.
    log.warning(
        "mail not sent",
        extra=_log_fields(item, tries=tries, error=type(error).__name__, to_status=status.value),
    )
    return DeliveryOutcome.FAILED if status == MailStatus.FAILED else DeliveryOutcome.RETRY_LATER


def _give_up_suppressed(item, token, suppressed):
    """Failed at once, with why for staff: sending again would only bounce again."""
    reasons = "; ".join(f"{address}: {entry.reason_text}" for address, entry in suppressed.items())
    actions = [
        OutboxItem.status.set(MailStatus.FAILED.value),
        OutboxItem.pending_status.set(MailStatus.FAILED.value),
        OutboxItem.last_error.set(f"Not sent to an address SES reported: {reasons}"[:ERROR_TEXT_LIMIT]),
        OutboxItem.claim_token.remove(),
        OutboxItem.claimed_at.remove(),
        OutboxItem.updated_at.set(_now()),
    ]
    if not _update_own_claim(item, token, actions):
        return DeliveryOutcome.NOT_CLAIMED
    metrics.count(metrics.Metric.MAILS_SUPPRESSED)
    log.warning("mail not sent: recipient suppressed", extra=_log_fields(item))
    return DeliveryOutcome.SUPPRESSED


def _mark_sent(item, token, message_id):
    now = _now()
    stored = _update_own_claim(
        item,
        token,
        [
            OutboxItem.status.set(MailStatus.SENT.value),
            OutboxItem.pending_status.remove(),
            OutboxItem.ses_message_id.set(message_id or ""),
            OutboxItem.sent_at.set(now),
            OutboxItem.tries.set(item.tries + 1),
            OutboxItem.claim_token.remove(),
            OutboxItem.updated_at.set(now),
        ],
    )
    metrics.count(metrics.Metric.MAILS_SENT)
    log.info(
        "mail sent",
        extra=_log_fields(item, ses_message_id=message_id, stored=stored),
    )


def _log_fields(item, **more):
    """What a log line says of a mail: its id and kind (neither carries an address or a name)."""
    return {"outbox_id": item.outbox_id, "kind": item.kind, **more}


def _update_own_claim(item, token, actions):
    """Writes only while the claim is still ours; False when a stale-claim takeover won."""
    for attempt in optimistic_retries(f"outbox {item.outbox_id}"):
        try:
            item.update(actions=actions, condition=OutboxItem.claim_token == token)
        except Exception as error:  # noqa: BLE001
            attempt.lost(error)
            if not attempt.back_off:
                log.warning("mail claim lost before it was stored", extra=_log_fields(item))
                return False
            continue
        return True


def _outbox_id(key):
    return f"{key.order_id}/{key.mail_key}"


def _error_text(error):
    return f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT]


def _now():
    return datetime.now(UTC)
