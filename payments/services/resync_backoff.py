"""Reconciliation's back-off: when an attempt waiting for Mollie is synced again, and the mark
that remembers a sync that changed nothing."""

from datetime import timedelta

from django.utils import timezone
from pynamodb.exceptions import UpdateError

from config import dynamodb
from payments.models import PaymentAttempt

# An open attempt is synced again after as long as it had been open at its last sync (at least
# the stale threshold, at most this): a bank transfer open for days costs a few calls a day.
RESYNC_BACKOFF_CAP = timedelta(hours=1)


def resync_due(attempt, now, stale_after):
    if not stale_after or attempt.last_synced_at is None:
        return True  # a threshold of 0 asks for everything now (tests, an operator's manual run)
    open_at_last_sync = attempt.last_synced_at - attempt.created_at
    if open_at_last_sync < stale_after:
        return True  # last synced by its checkout or a webhook, before it was overdue
    return now - attempt.last_synced_at >= min(open_at_last_sync, RESYNC_BACKOFF_CAP)


def mark_synced(attempt):
    """Remembers an unchanged sync too (apply_mollie_payment writes only changes), for the back-off."""
    now = timezone.now()
    if attempt.last_synced_at and now - attempt.last_synced_at < timedelta(seconds=1):
        return  # the sync changed the attempt and stamped it just now
    try:
        attempt.update(actions=[PaymentAttempt.last_synced_at.set(now)], add_version_condition=False)
    except UpdateError as error:
        if dynamodb.write_lost(error) is None:
            raise
        # A webhook is writing the attempt right now: its sync stands in for this one.
