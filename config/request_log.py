"""One log line per request: method, path (no query string), status, latency and request id.

On Lambda the request id is API Gateway's (the `x-amzn-RequestId` a client sees) and the Lambda
invocation id (the one on CloudWatch's START/REPORT lines); elsewhere a fresh one is made up.
The order page's token is a bearer credential: it is redacted here and, by `RedactSecretsFilter`,
from Django's own lines (`Not Found: /orders/…`, CSRF failures).
"""

import copy
import logging
import re
import time
import uuid

from config import metrics
from config.json_log import current_request_id

log = logging.getLogger("shop.requests")

# URL parameters that are bearer credentials: the order page's token must not land in logs.
SECRET_URL_PARAMETERS = ("token",)
REDACTED = "[redacted]"
# The same token where no URL pattern matched (a 404 on `/orders/<id>/<token>/nonsense`) or in
# a URL inside a message (a CSRF failure quotes the Referer): shop.urls' `orders/<id>/<token>/`,
# behind any stage prefix, but not the staff pages' `/staff/orders/<id>/<action>/`.
_ORDER_TOKEN_IN_URL = re.compile(r"(?<!/staff)(/orders/[^/?#\s'\"]+/)[^/?#\s'\"]+")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        ids = _request_ids(request.META)
        context_token = current_request_id.set(ids["request_id"])
        # Django turns a view's exception into a 500 response before it reaches us: no try needed.
        with metrics.batched():  # the request's metrics: written together when it is answered
            response = self.get_response(request)
            latency_ms = round((time.perf_counter() - started) * 1000, 1)
            metrics.request_finished(request, response.status_code, latency_ms)
        path = loggable_path(request)
        log.info(
            "%s %s %s %sms",
            request.method,
            path,
            response.status_code,
            latency_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "latency_ms": latency_ms,
                **{name: value for name, value in ids.items() if name != "request_id"},
            },
        )
        current_request_id.reset(context_token)
        return response


def _request_ids(meta):
    event = meta.get("lambda.event") or {}
    context = meta.get("lambda.context")
    gateway_id = (event.get("requestContext") or {}).get("requestId")
    invocation_id = getattr(context, "aws_request_id", None)
    ids = {"request_id": gateway_id or invocation_id or uuid.uuid4().hex}
    if invocation_id:
        ids["lambda_request_id"] = invocation_id
    return ids


def loggable_path(request):
    """The request's path with its secrets replaced by `[redacted]` (no query string)."""
    return redact(request.path, request)


def redact(text, request=None):
    """`text` without the secrets of `request`'s URL, nor anything that looks like an order token."""
    match = getattr(request, "resolver_match", None)
    for name in SECRET_URL_PARAMETERS:
        value = match.kwargs.get(name) if match else None
        if value:
            # Only as a whole path segment: a guessed token "o" must not turn "Not Found" into "N[redacted]t".
            text = re.sub(rf"(?<=/){re.escape(value)}(?=[/?#\s'\"]|$)", REDACTED, text)
    return _ORDER_TOKEN_IN_URL.sub(rf"\1{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Takes the order token out of a record before any handler sees it.

    Django's `django.request` and `django.security.*` loggers put the raw path in the message's
    arguments and the request itself in `record.request` (which the JSON formatter writes out).
    Attach it to the loggers that log (a logger's filter does not see its children's records)
    and to the handlers, which do see every record.
    """

    def filter(self, record):
        request = getattr(record, "request", None)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg, request)
        if isinstance(record.args, dict):
            record.args = {key: _redacted_value(value, request) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redacted_value(value, request) for value in record.args)
        if request is not None and not getattr(request, "_secrets_redacted", False):
            record.request = _redacted_request(request)
        return True


def _redacted_value(value, request):
    return redact(value, request) if isinstance(value, str) else value


def _redacted_request(request):
    """A copy of the request for the log: path, META and URL arguments without the token.

    A copy, because the request itself is still being answered. The query string goes too, as
    in our own request line (it may carry an e-mail address).
    """
    try:
        clone = copy.copy(request)
        meta = {name: _redacted_value(value, request) for name, value in request.META.items()}
        meta["QUERY_STRING"] = ""
        clone.META = meta
        if hasattr(request, "environ"):
            clone.environ = meta  # a WSGIRequest's META is its environ
        clone.path, clone.path_info = redact(request.path, request), redact(request.path_info, request)
        match = getattr(request, "resolver_match", None)
        if match is not None:
            # ResolverMatch refuses copy.copy (it refuses pickling): copy its attributes instead.
            clone.resolver_match = match_copy = object.__new__(type(match))
            vars(match_copy).update(vars(match))
            for name in ("kwargs", "captured_kwargs"):
                setattr(
                    match_copy,
                    name,
                    {
                        key: REDACTED if key in SECRET_URL_PARAMETERS else value
                        for key, value in (getattr(match, name, None) or {}).items()
                    },
                )
        clone._secrets_redacted = True
        return clone
    except Exception:  # noqa: BLE001 (never lose a log line over this: drop the request rather than leak it)
        return None
