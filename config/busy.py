"""When DynamoDB stays unavailable past botocore's retries, shoppers get a clear "try again" page.

A 503 with Retry-After, never a 500: nothing was lost, the request can simply be repeated.
Only for faults that pass (throttling, DynamoDB's own 5xx, a lost connection, writers racing
for one order, no time left before API Gateway gives up); a missing table, refused access or a
bad request is a bug or a broken deployment, and stays a 500 with its traceback in the ERROR log.
(The webhook answers 503 itself, so Mollie retries it.)
"""

import logging

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from django.http import HttpResponse
from django.template.loader import render_to_string

from config.request_log import loggable_path
from config.retry_later import PASSING_ERRORS

log = logging.getLogger(__name__)

# DynamoDB's answers that mean "not now": botocore has already retried them.
TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        # A plain write that met an item inside another transaction.
        "TransactionConflictException",
    }
)
# A canceled transaction is transient only if every item at fault was throttled or in conflict;
# a failed condition would fail again.
TRANSIENT_CANCELLATION_REASONS = frozenset({"ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"})
CONNECTION_ERRORS = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_transient_storage_fault(exception):
            return None
        log.warning(
            "storage unavailable, answered 503",
            extra={"error": type(exception).__name__, "path": loggable_path(request)},
        )
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response


def is_transient_storage_fault(exception) -> bool:
    """True for a DynamoDB fault that a later try of the same request may not meet.

    PynamoDB wraps botocore's error: the ClientError or connection error is its `cause` (and
    usually also `__cause__`/`__context__`), so the whole chain is looked at.
    """
    if isinstance(exception, PASSING_ERRORS):
        return True
    return any(_is_transient(error) for error in _chain(exception))


def _chain(exception):
    seen: list[BaseException] = []
    pending = [exception]
    while pending and len(seen) < 10:
        error = pending.pop(0)
        if error is None or any(error is known for known in seen):
            continue
        seen.append(error)
        pending += [getattr(error, "cause", None), error.__cause__, error.__context__]
    return seen


def _is_transient(error):
    if isinstance(error, CONNECTION_ERRORS):
        return True
    if not isinstance(error, ClientError):
        return False
    code = error.response.get("Error", {}).get("Code")
    if code == "TransactionCanceledException":
        return _transient_cancellation(error)
    return code in TRANSIENT_ERROR_CODES


def _transient_cancellation(error):
    # PynamoDB parses the reasons (None for items not at fault); a plain ClientError has them raw.
    reasons = getattr(error, "cancellation_reasons", None)
    if reasons is None:
        reasons = error.response.get("CancellationReasons") or []
    codes = {reason.code if hasattr(reason, "code") else (reason or {}).get("Code") for reason in reasons if reason}
    codes.discard("None")
    codes.discard(None)
    return bool(codes) and codes <= TRANSIENT_CANCELLATION_REASONS
