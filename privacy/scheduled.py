"""The daily retention run (zappa_settings.json `events`): anonymises and deletes what is due."""

import logging

from config import deadline
from privacy import retention

log = logging.getLogger("shop.scheduled")


def run_retention(event, context):
    # Lambda's remaining time bounds the run: what it does not reach, tomorrow's run does.
    limit = None if context is None else deadline.budget_for(context, budget_seconds=float("inf"))
    report = retention.run(time_limit_seconds=limit)
    level = logging.WARNING if report.errors else logging.INFO
    log.log(level, "retention finished", extra={"summary": report.as_dict()})
    return report.as_dict()
