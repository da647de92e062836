"""Reconciliation: closes orders waiting too long, syncs attempts whose webhook is late or lost, and
picks up chargebacks whose webhook never came."""

import contextvars
import dataclasses
import math
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from pynamodb.exceptions import UpdateError

from config import deadline, dynamodb
from config.retry_later import RETRY_LATER_ERRORS
from notifications.services import DeliveryOutcome, deliver_pending
from payments import metrics as payment_metrics
from payments import mollie
from payments.enums import AttemptStatus, EventSource, OrderStatus
from payments.models import Order, PaymentAttempt
from payments.selectors import attempt_by_mollie_id, attempts_in_status, attempts_of, get_order, orders_in_status
from payments.services.capture_deadline import deadline_near, deadlines_near, warn_capture_deadline
from payments.services.orders import expire_if_nothing_waits, flag_stuck_attempt, give_up_attempt
from payments.services.resync_backoff import mark_synced, resync_due
from payments.services.sync import apply_mollie_payment, flag_duplicate_paid_orders, sync_attempt

# A run starts an item only with time left for a Mollie call that can still get an answer
# (payments.mollie) and the writes that store it: this many DynamoDB tries (config.deadline).
RECONCILE_ITEM_WRITES = 3

# Queued mails are sent in batches (oldest first) while a batch sends some and time is left;
# deliver_pending also stops in time before the deadline. A busy hour can leave hundreds queued.
MAILS_PER_BATCH = 50
MAIL_BATCHES_PER_RUN = 20

# Errors that concern one order or attempt; the run goes on with the next one.
RECONCILE_ITEM_ERRORS: tuple[type[Exception], ...] = (mollie.PaymentProviderError, *RETRY_LATER_ERRORS)


@dataclasses.dataclass
class ReconcileSummary:
    synced: int = 0
    abandoned: int = 0
    expired: int = 0
    still_waiting: int = 0
    not_due: int = 0  # open attempts synced recently; their next sync waits (back-off)
    chargebacks_found: int = 0  # chargebacks (or reversals) no webhook had reported
    left_for_next_run: int = 0  # due, but not reached before the deadline
    stuck: int = 0  # payments pending or authorized past PAYMENT_STUCK_AFTER_SECONDS, staff alerted
    # Authorized and near captureBefore (warning_window), after the sync; None: not listed this run.
    capture_deadlines_near: int | None = 0
    mails: dict = dataclasses.field(default_factory=dict)  # outbox deliveries per outcome
    errors: list = dataclasses.field(default_factory=list)


def reconcile(
    *,
    now: datetime | None = None,
    stale_after_seconds: float | None = None,
    on_progress: Callable[[str], None] | None = None,
    time_limit_seconds: float | None = None,
) -> ReconcileSummary:
    """Closes orders waiting too long, then syncs attempts whose webhook is late or lost.

    Overdue orders come first, so their stock comes back even when syncing cannot finish; those
    an attempt still held are looked at again after the sync, so one run closes them.
    Attempts are synced least recently synced first, each with a back-off. The run stops
    starting work when its deadline is near (`time_limit_seconds`, or the caller's deadline)
    and reports what it left for the next run. An error concerns one item, not the run.
    Safe to run while webhooks arrive, and twice at once: every change is a versioned write.
    """
    started = time.perf_counter()
    with payment_metrics.batched(), deadline.at_most(math.inf if time_limit_seconds is None else time_limit_seconds):
        summary = _reconcile(now or timezone.now(), stale_after_seconds, on_progress or (lambda message: None))
        payment_metrics.reconciliation_finished(summary, started)
    return summary


def _reconcile(now, stale_after_seconds, progress):
    stale_after = timedelta(
        seconds=settings.PAYMENT_STALE_AFTER_SECONDS if stale_after_seconds is None else stale_after_seconds
    )
    summary = ReconcileSummary()
    window = timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS)
    overdue = sorted(
        _listed(
            "overdue orders", summary, orders_in_status, OrderStatus.PENDING_PAYMENT, Order.created_at < now - window
        ),
        key=lambda o: o.created_at,
    )

    settling = _close_overdue_orders(overdue, summary, now, progress)

    stale = PaymentAttempt.created_at < now - stale_after
    never_registered = sorted(
        _listed("never registered attempts", summary, attempts_in_status, AttemptStatus.CREATED, stale),
        key=lambda attempt: attempt.created_at,
    )

    def abandon(attempt):
        if _abandon_attempt(attempt.order_id, attempt.attempt_no):
            _count(summary, "abandoned")
            progress(f"abandoned {attempt.order_id} attempt {attempt.attempt_no} (never reached Mollie)")

    _for_each(never_registered, abandon, summary, key=_attempt_key)

    _resync_waiting(now, stale, stale_after, summary, progress)
    _close_settled_orders(settling, summary, progress)

    _pick_up_chargebacks(now, summary, progress)

    # Orders paid at the same moment may have missed each other in the e-mail index.
    def check_duplicates(order):
        if flag_duplicate_paid_orders(order=order, source=EventSource.RECONCILE):
            progress(f"possible duplicate {order.order_id}")

    _for_each(
        _listed("paid orders", summary, orders_in_status, OrderStatus.PAID, Order.created_at > now - 2 * window),
        check_duplicates,
        summary,
        key=lambda order: order.order_id,
        left_counts=False,
    )

    _deliver_queued_mails(summary, progress)
    return summary


def _resync_waiting(now, stale, stale_after, summary, progress):
    """Attempts whose webhook is late or lost, least recently synced first, each with a back-off;
    one pending or authorized for too long is flagged for staff."""
    listed = [
        attempt
        for status in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED)
        for attempt in _listed(f"{status} attempts", summary, attempts_in_status, status, stale)
    ]
    # Not listed: the deadline count is unknown, not 0 (no gauge: the alarm must not read "OK").
    authorized_unknown = any(error.startswith(f"listing {AttemptStatus.AUTHORIZED} ") for error in summary.errors)
    # Attempts with refunds Mollie has not finished (no webhook comes when one is canceled); one
    # authorized with part captured and a refund pending is listed twice: synced and counted once.
    listed += _listed("unsettled refunds", summary, PaymentAttempt.unsettled_refunds_index.query, "yes", stale)
    waiting = list({_attempt_key(attempt): attempt for attempt in listed}.values())
    due = [attempt for attempt in waiting if resync_due(attempt, now, stale_after)]
    summary.not_due = len(waiting) - len(due)
    due.sort(key=lambda attempt: attempt.last_synced_at or attempt.created_at)
    stuck_before = now - timedelta(seconds=settings.PAYMENT_STUCK_AFTER_SECONDS)
    synced_now: dict[str, PaymentAttempt] = {}

    def resync(attempt):
        synced = synced_now[_attempt_key(attempt)] = sync_attempt(attempt=attempt, source=EventSource.RECONCILE)
        mark_synced(synced)
        _count(summary, "synced")
        progress(f"synced {attempt.order_id} attempt {attempt.attempt_no}")
        # An authorized (pay later) attempt is a sale waiting to ship, not stuck: its deadline counts.
        if deadline_near(synced, timezone.now()) and warn_capture_deadline(
            order_id=synced.order_id, attempt_no=int(synced.attempt_no)
        ):
            progress(f"capture deadline of {synced.order_id} near: staff alerted")
        stuck = synced.status == AttemptStatus.PENDING and synced.created_at < stuck_before
        if stuck and flag_stuck_attempt(order_id=synced.order_id, attempt_no=int(synced.attempt_no)):
            _count(summary, "stuck")
            progress(f"stuck {synced.order_id} attempt {synced.attempt_no}: staff alerted")

    _for_each(due, resync, summary, key=_attempt_key)
    latest = [synced_now.get(_attempt_key(attempt), attempt) for attempt in waiting]  # not due: as stored
    summary.capture_deadlines_near = None if authorized_unknown else deadlines_near(latest, timezone.now())


def _deliver_queued_mails(summary, progress):
    """Mails a crash or an SES failure left queued: bounded tries each, then failed for staff."""
    for _ in range(MAIL_BATCHES_PER_RUN):
        try:
            counts = deliver_pending(limit=MAILS_PER_BATCH)
        except RECONCILE_ITEM_ERRORS as error:
            summary.errors.append(f"outbox: {error}")
            break
        for outcome, count in counts.items():
            summary.mails[outcome] = summary.mails.get(outcome, 0) + count
        # A short batch was the last; one that sent nothing would only retry its failures at once.
        if sum(counts.values()) < MAILS_PER_BATCH or not counts.get(DeliveryOutcome.SENT):
            break
    if summary.mails:
        progress(f"mails {summary.mails}")


def _close_overdue_orders(
    overdue: Iterable[Order], summary: ReconcileSummary, now: datetime, progress: Callable
) -> list[str]:
    """Closes the overdue orders nothing holds any more; returns those an attempt still held."""
    settling = []

    def close_overdue(order):
        outcome = _close_overdue_order(order, summary, now)
        if outcome == STILL_SETTLING:
            settling.append(order.order_id)  # looked at again, and reported, after the resync
        else:
            progress(f"{outcome} {order.order_id}")

    _for_each(overdue, close_overdue, summary, key=lambda order: order.order_id)
    return settling


def _close_settled_orders(settling, summary, progress):
    """The resync (or a webhook meanwhile) may have found an overdue order's last attempt expired:
    it is closed in this run, however long the run took, not left for the next one."""

    def close_settled(order_id):
        outcome = _close_if_nothing_waits(order_id, summary)
        if outcome == STILL_SETTLING:
            _count(summary, "still_waiting")
        progress(f"{outcome} {order_id}")

    _for_each(settling, close_settled, summary, key=lambda order_id: order_id)


def _pick_up_chargebacks(now, summary, progress):
    """Mollie calls the payment's webhook for a chargeback; when that call was lost, the account's
    chargeback list (newest first) still has it. A payment with one we lack is synced. Out of
    time, the next run looks again (the list is read from the start each time)."""
    if not _time_left():
        return
    try:
        chargebacks = mollie.recent_chargebacks(since=now - timedelta(days=settings.CHARGEBACK_LOOKBACK_DAYS))
    except mollie.PaymentProviderError as error:
        summary.errors.append(f"chargebacks: {error}")
        return
    done = set()
    for chargeback in chargebacks:
        if chargeback.payment_id in done:
            continue
        try:
            attempt = attempt_by_mollie_id(chargeback.payment_id)
            if attempt is None or _knows(attempt, chargeback):
                continue
            if not _time_left():
                return
            sync_attempt(attempt=attempt, source=EventSource.RECONCILE)
        except RECONCILE_ITEM_ERRORS as error:
            summary.errors.append(f"{chargeback.payment_id}: {error}")
            continue
        done.add(chargeback.payment_id)
        summary.chargebacks_found += 1
        progress(f"chargeback {chargeback.id} of {attempt.order_id} attempt {attempt.attempt_no}")


def _knows(attempt, chargeback):
    record = next((r for r in attempt.chargebacks or [] if r.chargeback_id == chargeback.id), None)
    return record is not None and (record.reversed_at is None) == (chargeback.reversed_at is None)


def _for_each(
    items: Iterable, work: Callable, summary: ReconcileSummary, *, key: Callable, left_counts: bool = True
) -> None:
    """`work(item)` for each item in order, RECONCILE_WORKERS at once (an item mostly waits for
    Mollie and DynamoDB, and every change is a versioned write, as with concurrent webhooks).
    An item is started only while time is left; the rest, and one refused a write it could no
    longer finish (DeadlineExceeded), are left for the next run. An error concerns one item: it is
    noted and the others go on. Any other exception ends the run: the items not started are
    dropped, and it is raised."""

    def one(item):
        if not _time_left():
            if left_counts:
                _count(summary, "left_for_next_run")
            return
        try:
            work(item)
        except deadline.DeadlineExceeded:
            if left_counts:
                _count(summary, "left_for_next_run")
        except RECONCILE_ITEM_ERRORS as error:
            summary.errors.append(f"{key(item)}: {error}")

    with ThreadPoolExecutor(max_workers=settings.RECONCILE_WORKERS, thread_name_prefix="reconcile") as pool:
        # Each item runs in a copy of this context: the run's deadline holds in the workers too.
        futures = [pool.submit(contextvars.copy_context().run, one, item) for item in items]
        for future in futures:
            error = future.exception()
            if error is not None:
                pool.shutdown(cancel_futures=True)
                raise error


def _listed(what: str, summary: ReconcileSummary, query: Callable, *args: object) -> list:
    """A phase's items. A listing DynamoDB refused (throttled past botocore's retries) is noted and
    the phase skipped: the run goes on with the next, and the next run lists again."""
    try:
        return list(query(*args))
    except RECONCILE_ITEM_ERRORS as error:
        summary.errors.append(f"listing {what}: {error}")
        return []


_counting = threading.Lock()


def _count(summary, field):
    with _counting:
        setattr(summary, field, getattr(summary, field) + 1)


def _attempt_key(attempt):
    return f"{attempt.order_id}/{attempt.attempt_no}"


def _time_left():
    return deadline.remaining() >= RECONCILE_ITEM_WRITES * deadline.write_seconds()


def _close_overdue_order(order, summary, now):
    transfer_under_way = False
    for attempt in attempts_of(order.order_id):
        if attempt.status == AttemptStatus.CREATED and _abandon_attempt(order.order_id, attempt.attempt_no):
            # Never reached Mollie and the window is over (overdue orders go first, before the
            # pass over never-registered attempts).
            _count(summary, "abandoned")
            continue
        if attempt.transfer_under_way(now):
            transfer_under_way = True
            # Open for days by design: synced below with the other open attempts (with a back-off),
            # not once a run here; the order keeps its stock until the transfer's own expiresAt.
            continue
        if attempt.status in AttemptStatus.WAITING and attempt.mollie_payment_id:
            try:
                payment = mollie.get_payment(attempt.mollie_payment_id)
            except mollie.PaymentNotFound:
                # Mollie does not know it (another API key or account, or a reset sandbox): it
                # can never be paid, so it must not keep the order and its stock forever.
                give_up_attempt(order.order_id, attempt.attempt_no, "Mollie does not know this payment")
                continue
            apply_mollie_payment(payment=payment, source=EventSource.RECONCILE)
            # Never canceled here: Mollie expires open payments itself (15 minutes for iDEAL, up
            # to 12+ days for a bank transfer, whose money often arrives days later). Until
            # then the order keeps waiting.
    outcome = _close_if_nothing_waits(order.order_id, summary)
    if outcome == STILL_SETTLING and not transfer_under_way:
        # Its window is over: whichever path sees its last payment end (a webhook after this
        # run, a status poll) closes it then (sync.apply_mollie_payment), not the next run.
        _end_window(order.order_id, now)
    return outcome


def _end_window(order_id, now):
    order = get_order(order_id)
    if order is None or not order.is_open_for_payment or order.expires_at <= now:
        return
    try:
        order.update(actions=[Order.expires_at.set(now)], condition=Order.expires_at > now)
    except UpdateError as error:
        if dynamodb.write_lost(error) is None:
            raise
        # Changed meanwhile: the second look after the resync, or the next run, sees it again.


STILL_SETTLING = "still settling"


def _close_if_nothing_waits(order_id, summary):
    """Expires an order still open for payment whose attempts are all final (reads our table only).
    One listed open whose payment's end, synced in this run, closed it counts as expired too."""
    before = get_order(order_id)
    if before is not None and before.status == OrderStatus.EXPIRED:
        _count(summary, "expired")
        return "expired"
    if before is None or not before.is_open_for_payment:
        return f"settled ({before and before.status})"
    order = expire_if_nothing_waits(order_id, EventSource.RECONCILE)
    if order is None or order.status != OrderStatus.EXPIRED:  # open: a payment is still under way
        return STILL_SETTLING if order and order.is_open_for_payment else f"settled ({order and order.status})"
    _count(summary, "expired")  # by this run, or by a webhook meanwhile
    return "expired"


def _abandon_attempt(order_id, attempt_no):
    return give_up_attempt(order_id, attempt_no, "Never registered at Mollie", only_if=AttemptStatus.CREATED)
