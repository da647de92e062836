"""Entry points for scheduled Lambda invocations (the `events` in zappa_settings.json)."""

import logging
from dataclasses import asdict

from django.conf import settings
from django.urls import set_script_prefix

from config import deadline
from payments.services import reconcile

log = logging.getLogger("shop.scheduled")


def reconcile_payments(event, context):
    """Zappa calls this with the EventBridge event; the summary goes to the log and the caller."""
    # No request has set the script prefix in this invocation; URLs built now must carry the stage's.
    set_script_prefix(settings.FORCE_SCRIPT_NAME or "/")
    # A run must end before Lambda stops it, or the orders after it are never expired; what it
    # could not reach is reported and done by the next run. (Lambda retries a failed scheduled
    # run, so two can overlap: harmless, every write is versioned.)
    summary = reconcile(time_limit_seconds=_time_limit(context))
    result = asdict(summary)
    level = logging.WARNING if summary.errors else logging.INFO
    log.log(level, "reconciliation finished", extra={"summary": result})
    return result


def _time_limit(context):
    if context is None:
        return None
    return deadline.budget_for(context, budget_seconds=float("inf"))
