"""The time a request (or a scheduled run) may still use, so that no work outlives its caller.

API Gateway answers 504 after 29 s while the function runs on (AWS: "Amazon API Gateway quotas",
integration timeout); a checkout that committed after that left the shopper without a redirect
or cookie. So each request gets a deadline: its time budget, or less when Lambda's own context
says fewer milliseconds remain. DynamoDB calls are refused once a write could no longer finish
before it (see `refuse_late_calls`), and waits (back-off, Mollie) are cut to fit.
"""

import contextvars
import math
import time
from contextlib import contextmanager

from django.conf import settings

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})

_deadline = contextvars.ContextVar("deadline", default=None)


class DeadlineExceeded(Exception):
    """Not started: it could not have finished before the caller gives up. Nothing was written
    by the refused call; the request answers 503 and a retry starts afresh."""


def write_seconds() -> float:
    """One DynamoDB try may take the connect plus the read timeout: a write is started only with
    that much time left, so it finishes (or fails) before the deadline."""
    return settings.DYNAMODB_CONNECT_TIMEOUT_SECONDS + settings.DYNAMODB_READ_TIMEOUT_SECONDS


def start(seconds):
    """Sets a deadline `seconds` from now for this thread/context; returns a token for `reset`."""
    return _deadline.set(time.monotonic() + seconds)


def reset(token):
    _deadline.reset(token)


@contextmanager
def at_most(seconds):
    """Narrows the deadline to `seconds` from now for the block (a caller that waits less than
    the request's budget, e.g. Mollie's webhook); never extends it."""
    token = start(min(remaining(), seconds))
    try:
        yield
    finally:
        reset(token)


def remaining() -> float:
    """Seconds left before the deadline; infinite when none is set (management commands, tests)."""
    deadline = _deadline.get()
    return math.inf if deadline is None else deadline - time.monotonic()


def require(seconds, what):
    if remaining() < seconds:
        raise DeadlineExceeded(f"{what}: {max(remaining(), 0):.1f} s left, {seconds:.1f} s needed")


def budget_for(lambda_context=None, *, budget_seconds=None, margin_seconds=None) -> float:
    """The seconds a request may use: its budget, or Lambda's remaining time less a margin."""
    budget = settings.REQUEST_TIME_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    if lambda_context is not None:
        margin = settings.LAMBDA_TIME_MARGIN_SECONDS if margin_seconds is None else margin_seconds
        budget = min(budget, lambda_context.get_remaining_time_in_millis() / 1000 - margin)
    return budget


def refuse_late_calls(event_name="", **kwargs):
    """botocore `before-send` handler, so it runs before each try, botocore's retries included."""
    operation = event_name.rsplit(".", 1)[-1]
    require(write_seconds() if operation in WRITE_OPERATIONS else 0.0, f"DynamoDB {operation}")


class RequestDeadlineMiddleware:
    """Gives every request its deadline (Zappa puts Lambda's context in `lambda.context`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = start(budget_for(request.environ.get("lambda.context")))
        try:
            return self.get_response(request)
        finally:
            reset(token)
