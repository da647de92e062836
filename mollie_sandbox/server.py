"""The WSGI application and :class:`SandboxServer`, which serves it.

``SandboxApp`` routes requests to the Mollie API handlers (``api``), the
control API (``control``) and the checkout page (``checkout``).  Around the
Mollie API it does what Mollie does before a handler runs: authentication,
idempotency keys, and here also the injected faults and a log of the requests.

``SandboxServer`` runs the app on Werkzeug's threaded server in background
threads, for in-process use by tests and by the shop's ``runserver``::

    server = SandboxServer(host="127.0.0.1", port=0)
    server.start()
    client = Client(api_endpoint=server.url)
    ...
    server.stop()
"""

import hashlib
import json
import logging
import re
import string
import threading
import time

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import api, checkout, control
from .captures import DEFAULT_CAPTURE_DAYS
from .errors import ApiError, unauthorized
from .faults import Faults
from .hal import HAL
from .idempotency import IdempotencyCache, StoredResponse
from .methods import METHODS, png_image, svg_image
from .request_log import RequestLog
from .store import Store
from .webhooks import DEFAULT_TIMEOUT, WebhookDispatcher

log = logging.getLogger("mollie_sandbox")

# Mollie API keys: "test_" or "live_" and (at least) 30 alphanumerics.
_BEARER = re.compile(r"^Bearer\s+((test|live)_[A-Za-z0-9]{30,})$")
_FORM_KEY = re.compile(r"^([^\[\]]+)\[([^\[\]]*)\]$")
# "Idempotency keys are only honoured on POST requests" (docs.mollie.com, "API idempotency"):
# a key sent with PATCH or DELETE is ignored, so a repeated cancel gets Mollie's 422.
_IDEMPOTENT_METHODS = ("POST",)
SWEEP_INTERVAL = 0.2  # seconds between background expiry/refund checks
REFUND_SETTLE_MINUTES = 2.0  # a refund stays pending for 2 minutes of the scaled clock


def _routes() -> Map:
    def api_rule(path, methods, handler):
        return Rule(path, methods=methods, endpoint=("api", handler))

    def control_rule(path, methods, handler):
        return Rule(f"/_sandbox{path}", methods=methods, endpoint=("control", handler))

    return Map(
        [
            api_rule("/v2/payments", ["POST"], api.create_payment),
            api_rule("/v2/payments", ["GET"], api.list_payments),
            api_rule("/v2/payments/<payment_id>", ["GET"], api.get_payment),
            api_rule("/v2/payments/<payment_id>", ["PATCH"], api.update_payment),
            api_rule("/v2/payments/<payment_id>", ["DELETE"], api.cancel_payment),
            api_rule("/v2/payments/<payment_id>/refunds", ["POST"], api.create_refund),
            api_rule("/v2/payments/<payment_id>/refunds", ["GET"], api.list_refunds),
            api_rule("/v2/payments/<payment_id>/refunds/<refund_id>", ["GET"], api.get_refund),
            api_rule("/v2/payments/<payment_id>/refunds/<refund_id>", ["DELETE"], api.cancel_refund),
            api_rule("/v2/payments/<payment_id>/captures", ["POST"], api.create_capture),
            api_rule("/v2/payments/<payment_id>/captures", ["GET"], api.list_captures),
            api_rule("/v2/payments/<payment_id>/captures/<capture_id>", ["GET"], api.get_capture),
            api_rule("/v2/payments/<payment_id>/release-authorization", ["POST"], api.release_authorization),
            api_rule("/v2/payments/<payment_id>/chargebacks", ["GET"], api.list_chargebacks),
            api_rule("/v2/payments/<payment_id>/chargebacks/<chargeback_id>", ["GET"], api.get_chargeback),
            api_rule("/v2/chargebacks", ["GET"], api.list_all_chargebacks),
            api_rule("/v2/methods", ["GET"], api.list_methods),
            api_rule("/v2/methods/<method_id>", ["GET"], api.get_method),
            Rule("/checkout/<payment_id>", methods=["GET"], endpoint=("page", checkout.show)),
            Rule("/checkout/<payment_id>", methods=["POST"], endpoint=("page", checkout.choose)),
            Rule("/images/methods/<image>", methods=["GET"], endpoint=("page", _method_image)),
            control_rule("/health", ["GET"], control.health),
            control_rule("/payments", ["GET"], control.list_payments),
            control_rule("/payments/<payment_id>", ["GET"], control.get_payment),
            control_rule("/payments/<payment_id>", ["POST"], control.set_payment_status),
            control_rule("/payments/<payment_id>/cancelable", ["POST"], control.set_payment_cancelable),
            control_rule("/payments/<payment_id>/chargebacks", ["POST"], control.create_chargeback),
            control_rule("/refunds/<refund_id>", ["POST"], control.set_refund_status),
            control_rule("/captures/<capture_id>", ["POST"], control.set_capture_status),
            control_rule("/chargebacks/<chargeback_id>/reverse", ["POST"], control.reverse_chargeback),
            control_rule("/clock", ["POST"], control.advance_clock),
            control_rule("/webhooks", ["GET"], control.webhooks),
            control_rule("/requests", ["GET"], control.api_requests),
            control_rule("/faults", ["GET"], control.get_faults),
            control_rule("/faults", ["POST"], control.set_faults),
            control_rule("/faults", ["DELETE"], control.clear_faults),
            control_rule("/idempotency", ["DELETE"], control.forget_idempotency_keys),
            control_rule("/reset", ["POST"], control.reset),
            Rule("/", methods=["GET"], endpoint=("page", lambda store, request: _index(request))),
        ],
        strict_slashes=False,
    )


def _json_response(status: int, body, content_type: str = HAL) -> Response:
    if body is None:
        return Response(status=status)
    return Response(json.dumps(body), status=status, content_type=content_type)


def _index(request: Request) -> Response:
    base = request.host_url.rstrip("/")
    return _json_response(
        200,
        {"name": "Mollie sandbox", "api": f"{base}/v2", "control": f"{base}/_sandbox/health"},
        "application/json",
    )


def _method_image(store, request: Request, image: str) -> Response:
    """``ideal.svg``, ``ideal.png`` and ``ideal@2x.png``: the images ``/v2/methods`` links to."""
    name, _, extension = image.rpartition(".")
    method_id, _, scale = name.partition("@")
    method = METHODS.get(method_id)
    if method is None or (extension, scale) not in (("svg", ""), ("png", ""), ("png", "2x")):
        return _json_response(404, ApiError(404, f"No image {image}").body())
    if extension == "svg":
        body, content_type = svg_image(method), "image/svg+xml"
    else:
        body, content_type = png_image(method, 2 if scale else 1), "image/png"
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _profile_id(api_key: str) -> str:
    """A stable ``pfl_...`` per API key, as if each key belonged to its own profile."""
    digest = int.from_bytes(hashlib.sha256(api_key.encode()).digest()[:8], "big")
    alphabet = string.ascii_letters + string.digits
    chars = []
    for _ in range(10):
        digest, index = divmod(digest, len(alphabet))
        chars.append(alphabet[index])
    return "pfl_" + "".join(chars)


def _nest_form(form) -> dict:
    """``amount[value]=10.00`` -> ``{"amount": {"value": "10.00"}}``; ``method[]`` -> list."""
    body: dict = {}
    for key, values in form.lists():
        match = _FORM_KEY.match(key)
        if not match:
            body[key] = values[-1]
            continue
        name, sub_key = match.groups()
        container = body.get(name)
        if sub_key == "":
            if not isinstance(container, list):
                container = body[name] = []
            container.extend(values)
        else:
            if not isinstance(container, dict):
                container = body[name] = {}
            container[sub_key] = values[-1]
    return body


class SandboxApp:
    """The sandbox as a WSGI application, with all its in-memory state."""

    def __init__(
        self,
        time_scale: float = 1.0,
        expiry_seconds: float = 900,
        max_payments: int = 10_000,
        webhook_timeout: float = DEFAULT_TIMEOUT,
        strict: bool = False,
        capture_days: float = DEFAULT_CAPTURE_DAYS,
    ):
        # Strict: refuse everything Mollie refuses, loopback webhook URLs included.
        self.strict = strict
        self.faults = Faults()
        self.webhooks = WebhookDispatcher(self.faults, time_scale=time_scale, timeout=webhook_timeout)
        self.store = Store(
            notify=self.webhooks.notify,
            expiry_seconds=expiry_seconds,
            refund_settle_seconds=REFUND_SETTLE_MINUTES * time_scale,
            max_payments=max_payments,
            capture_days=capture_days,
        )
        self.idempotency = IdempotencyCache()
        self.requests = RequestLog()
        self.url_map = _routes()
        self._stop_sweep = threading.Event()
        self._sweeper: threading.Thread | None = None

    # -- background work ------------------------------------------------------

    def start_background(self, label: str = "sandbox") -> None:
        """Start webhook delivery and the sweep; ``label`` prefixes the thread names."""
        self.webhooks.start(label)
        self._stop_sweep.clear()
        self._sweeper = threading.Thread(target=self._sweep, name=f"{label}-sweeper", daemon=True)
        self._sweeper.start()

    def stop_background(self) -> None:
        self._stop_sweep.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=2)
        self.webhooks.stop()

    def _sweep(self) -> None:
        # Expire payments and settle refunds even when nobody reads them, so
        # their webhooks go out on time.
        while not self._stop_sweep.wait(SWEEP_INTERVAL):
            try:
                self.store.tick()
                self.idempotency.prune()
            except Exception:  # never let the sweeper die silently
                log.exception("sandbox sweep failed")

    def reset(self) -> None:
        self.store.reset()
        self.idempotency.clear()
        self.webhooks.reset()
        self.faults.clear()
        self.requests.clear()

    # -- WSGI -----------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = _json_response(500, ApiError(500, "Unexpected error in the Mollie sandbox").body())
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            (kind, handler), args = adapter.match()
        except NotFound:
            return _json_response(404, ApiError(404, f"No route for {request.path}").body())
        except MethodNotAllowed:
            return _json_response(405, ApiError(405, f"{request.method} is not allowed on {request.path}").body())
        if kind == "page":
            return handler(self.store, request, **args)
        base = request.host_url.rstrip("/")
        if kind == "control":
            return self._control(request, handler, base, args)
        return self._api(request, handler, base, args)

    def parse_body(self, request: Request) -> dict:
        """The request body as a dict: JSON (as the client sends) or form fields."""
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _nest_form(request.form)
        raw = request.get_data(cache=True)
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object")
        return body

    def _control(self, request: Request, handler, base: str, args: dict) -> Response:
        try:
            status, body = handler(self, request, base, **args)
        except ApiError as error:
            status, body = error.status, error.body()
        return _json_response(status, body, "application/json")

    def _api(self, request: Request, handler, base: str, args: dict) -> Response:
        entry = self.requests.received(request.method, request.path)
        status = 500  # unless an answer is made
        try:
            response = self._answer_api(request, handler, base, args)
            status = response.status_code
            return response
        finally:
            self.requests.answered(entry, status)

    def _answer_api(self, request: Request, handler, base: str, args: dict) -> Response:
        try:
            match = _BEARER.match(request.headers.get("Authorization", "").strip())
            if not match:
                raise unauthorized()
            api_key, mode = match.group(1), match.group(2)
            key = request.headers.get("Idempotency-Key") if request.method in _IDEMPOTENT_METHODS else None
            if key:
                stored = self.idempotency.begin(api_key, key, self._fingerprint(request))
                if stored is not None:
                    response = Response(stored.body, status=stored.status, headers=stored.headers)
                    response.headers["Idempotent-Replayed"] = "true"
                    return response
        except ApiError as error:
            return _json_response(error.status, error.body())

        call = api.Call(request, base, mode, _profile_id(api_key), lambda: self.parse_body(request))
        try:
            response = self._run(handler, call, args)
        except BaseException:
            if key:
                self.idempotency.abandon(api_key, key)
            raise
        if key:
            carried_out = getattr(response, "carried_out", response)
            if carried_out.status_code >= 500:
                # Not stored: the request did not run, so a retry with the key may.
                self.idempotency.abandon(api_key, key)
            else:
                stored = StoredResponse(
                    carried_out.status_code, list(carried_out.headers.items()), carried_out.get_data()
                )
                self.idempotency.complete(api_key, key, stored)
        return response

    def _run(self, handler, call: api.Call, args: dict) -> Response:
        # Latency first and inside the idempotency claim: a slow request is
        # "still being processed", which is what a concurrent retry must see.
        latency = self.faults.seconds("api_latency_ms")
        if latency:
            time.sleep(latency)
        if self.faults.chance("api_error_rate"):
            error = ApiError(503, "The Mollie API is temporarily unavailable (api_error_rate fault)")
            return _json_response(503, error.body())
        if self.faults.chance("api_rate_limit_rate"):
            # Mollie answers 429 when called too fast (docs.mollie.com, "Rate limiting").
            too_fast = ApiError(429, "Too many requests; slow down (api_rate_limit_rate fault)")
            return _json_response(429, too_fast.body())
        try:
            status, body = handler(self, call, **args)
        except ApiError as error:
            status, body = error.status, error.body()
        response = _json_response(status, body)
        lost_capture = handler is api.create_capture and self.faults.chance("capture_lost_answer_rate")
        if lost_capture or self.faults.chance("api_lost_answer_rate"):
            # The request was carried out, but its answer never reaches the caller (a timeout
            # on the way back). The idempotency key keeps the real answer, as Mollie would.
            lost_answer = ApiError(504, "The answer was lost on its way back (api_lost_answer_rate fault)")
            lost = _json_response(504, lost_answer.body())
            lost.carried_out = response
            return lost
        return response

    @staticmethod
    def _fingerprint(request: Request) -> str:
        """What must match for a replay: method, path, query and body (JSON key order ignored)."""
        raw = request.get_data(cache=True)
        try:
            body = json.dumps(json.loads(raw), sort_keys=True) if raw.strip() else ""
        except ValueError:
            body = raw.decode("latin-1")
        return "\n".join((request.method, request.full_path, body))


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        pass


class SandboxServer:
    """The sandbox on a threaded HTTP server, in background threads."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        expiry_seconds: float = 900,
        max_payments: int = 10_000,
        webhook_timeout: float = DEFAULT_TIMEOUT,
        quiet: bool = True,
        strict: bool = False,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        capture_days: float = DEFAULT_CAPTURE_DAYS,
    ):
        self.host = host
        self.port = port
        self.quiet = quiet
        # HTTPS with this certificate (PEM) and key: Mollie's Node client only speaks HTTPS.
        self.tls = (tls_cert, tls_key) if tls_cert else None
        self.app = SandboxApp(
            time_scale=time_scale,
            expiry_seconds=expiry_seconds,
            max_payments=max_payments,
            webhook_timeout=webhook_timeout,
            strict=strict,
            capture_days=capture_days,
        )
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        # A server bound to every interface is reached on loopback.
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}"

    def start(self) -> "SandboxServer":
        """Bind, start serving in background threads, return once listening."""
        handler = _QuietHandler if self.quiet else WSGIRequestHandler
        self._server = server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=handler, ssl_context=self.tls
        )
        self.port = server.server_port
        label = f"mollie-sandbox-{self.port}"
        self.app.start_background(label)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"{label}-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and stop the webhook delivery threads."""
        if self._server is not None:
            self._server.shutdown()  # serve_forever closes the socket when it returns
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
        self.app.stop_background()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
