"""One log line per request: method, path (no query string), status, latency and request id.

On Lambda the request id is API Gateway's (the `x-amzn-RequestId` a client sees) and the Lambda
invocation id (the one on CloudWatch's START/REPORT lines); elsewhere a fresh one is made up.
"""
import logging
import time
import uuid

from config.json_log import current_request_id

log = logging.getLogger("shop.requests")

# URL parameters that are bearer credentials: the order page's token must not land in logs.
SECRET_URL_PARAMETERS = ("token",)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        ids = _request_ids(request.META)
        context_token = current_request_id.set(ids["request_id"])
        # Django turns a view's exception into a 500 response before it reaches us: no try needed.
        response = self.get_response(request)
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        path = _loggable_path(request)
        log.info(
            "%s %s %s %sms", request.method, path, response.status_code, latency_ms,
            extra={"method": request.method, "path": path, "status": response.status_code,
                   "latency_ms": latency_ms, **{name: value for name, value in ids.items() if name != "request_id"}},
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


def _loggable_path(request):
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_URL_PARAMETERS:
        value = match.kwargs.get(name) if match else None
        if value:
            path = path.replace(value, "[redacted]")
    return path
