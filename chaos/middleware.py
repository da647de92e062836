"""Dev-only, for chaos runs (`chaos/server.py` puts it first): why did the shop answer 503?

Every 503 gets an `X-Chaos-503-Cause` header, which the shoppers count, and one log line,
which the run counts (webhooks included):

- "injected throttling": the request met throttling the run injected (a throttled call, a
  throttle window at the double, a transaction canceled for ThrottlingError);
- "injected UnprocessedKeys", "injected conflict", "injected lost answer": it met those at
  the DynamoDB double;
- "injected Mollie API error": the sandbox answered a Mollie call with an injected 5xx or 429
  (a webhook then answers 503 so that Mollie calls again);
- "none injected": nothing injected explains it (the double or the shop too slow, a deadline).

The log line names the URL pattern, never the path (order tokens) or anything personal.
"""

import logging
import os
import threading

from devstack import dynamodb_faults

log = logging.getLogger("chaos")

CAUSE_HEADER = "X-Chaos-503-Cause"
LOG_PREFIX = "chaos 503:"
NONE_INJECTED = "none injected"
# The first kind met names the cause: throttling explains a 503 before anything else.
CAUSES = (
    ("throttling", "injected throttling"),
    ("unprocessed keys", "injected UnprocessedKeys"),
    ("conflict", "injected conflict"),
    ("lost answer", "injected lost answer"),
    ("mollie", "injected Mollie API error"),
)
SANDBOX_FAULT_MARK = "fault)"  # the sandbox's injected errors end their message with "(… fault)"


# The loggers that say why a request answered 503, with the error's type in `extra`.
BUSY_LOGGERS = ("config.busy", "payments.views")
_last_error = threading.local()


class InjectedFaultCauseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        for name in BUSY_LOGGERS:
            logging.getLogger(name).addFilter(_remember_error)

    def __call__(self, request):
        dynamodb_faults.forget_faults_met()
        _last_error.name = None
        response = self.get_response(request)
        if response.status_code == 503:
            cause = cause_of(dynamodb_faults.faults_met())
            response[CAUSE_HEADER] = cause
            match = getattr(request, "resolver_match", None)
            error = _last_error.name or "?"
            log.warning("%s %s | %s | %s", LOG_PREFIX, cause, match.view_name if match else "?", error)
        return response


def _remember_error(record):
    _last_error.name = _last_error.name or getattr(record, "error", None)
    return True


class ExceptionChainMiddleware:
    """Last in MIDDLEWARE, so it sees a view's exception first: notes the whole chain (PynamoDB
    wraps botocore's error, which says what happened) for the 503's log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        chain, error = [], exception
        while error is not None and len(chain) < 6:
            chain.append(type(error).__name__)
            error = getattr(error, "cause", None) or error.__cause__ or error.__context__
        _last_error.name = "<-".join(chain)


def cause_of(kinds_met):
    return next((cause for kind, cause in CAUSES if kind in kinds_met), NONE_INJECTED)


def watch_mollie_faults():
    """Notes, per thread, each Mollie API answer that is one of the sandbox's injected faults."""
    from requests.adapters import HTTPAdapter

    endpoint = os.environ.get("MOLLIE_API_ENDPOINT") or "-"
    send = HTTPAdapter.send

    def watched_send(adapter, request, *args, **kwargs):
        response = send(adapter, request, *args, **kwargs)
        refused = response.status_code == 429 or response.status_code >= 500
        if refused and request.url.startswith(endpoint) and SANDBOX_FAULT_MARK in response.text[:1000]:
            dynamodb_faults.note_fault_met("mollie")
        return response

    HTTPAdapter.send = watched_send
