"""A loopback stand-in for AWS Lambda's Invoke API, to see a packaged function invoke itself.

Zappa's `@task` (zappa/asynchronous.py) calls `lambda.invoke(FunctionName=<its own name>,
InvocationType="Event", Payload=<JSON>)` when AWS_LAMBDA_FUNCTION_NAME is set. Point botocore at
this server (AWS_ENDPOINT_URL_LAMBDA) and it records each invocation instead of running it; a
test then delivers the recorded payloads to the packaged handler, as Lambda's queue would.

As strict as Lambda where our code could tell the difference (AWS Lambda API reference,
"Invoke"; "Lambda quotas"):
- only a function it knows, by name or ARN, unqualified or `$LATEST`: anything else is 404
  ResourceNotFoundException;
- `Event` is answered 202 with an empty body, `DryRun` 204; `RequestResponse` would need the
  function run now, which this stand-in does not do, so it refuses it rather than pretend;
- the payload must be JSON (400 InvalidRequestContentException) and at most 256 KB for `Event`
  (6 MB for `RequestResponse`): 413 RequestTooLargeException;
- the request must be signed (SigV4) for the `lambda` service in this server's region;
- a chain of invocations, each caused by the one before, is stopped after 16 ("Lambda recursive
  loop detection"; launched for SQS, SNS and direct Invoke calls): the 17th event is accepted
  with 202 and then dropped, as Lambda drops it when no dead-letter queue is configured. Lambda
  follows the chain in the X-Ray trace header's `Lineage` field, which botocore passes on from
  _X_AMZN_TRACE_ID; each queued invocation carries the trace header to run it with (its
  `trace_id`, with this stand-in's rendering of `Lineage=<function hash>:<count>`).
"""

import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

# "Lambda quotas": invocation payload (request and response), 256 KB asynchronous, 6 MB synchronous.
EVENT_PAYLOAD_LIMIT = 256 * 1024
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
CHAIN_LIMIT = 16
_PATH = re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/invocations$")
_ARN = re.compile(
    r"^(?:arn:aws:lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):)?(?:function:)?"
    r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9$_-]+))?$"
)


@dataclass(frozen=True)
class Invocation:
    function_name: str
    function_arn: str
    invocation_type: str
    payload: dict
    chain: int  # 1 for an invocation no other caused; Lambda stops what would be the 17th
    trace_id: str  # the _X_AMZN_TRACE_ID Lambda gives the invocation


class LambdaInvokeStandIn:
    """Lambda's Invoke endpoint for the functions named, in one region and account."""

    def __init__(self, *functions, region="eu-west-1", account="123456789012"):
        self.functions, self.region, self.account = set(functions), region, account
        self.invocations: list[Invocation] = []  # every accepted invocation, in order
        self.refused: list[tuple[int, str]] = []  # (status, error type) of every refused one
        self.stopped: list[Invocation] = []  # accepted, then dropped as a recursive loop
        self._refusals: list[tuple[int, str, str]] = []  # what the next requests are answered
        self._queue: list[Invocation] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="lambda-invoke")

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def arn(self, name):
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def take_queued(self) -> list[Invocation]:
        """The asynchronous invocations accepted since the last call: what Lambda would now run."""
        with self._lock:
            queued, self._queue = self._queue, []
        return queued

    def refuse_next(self, status, error, message):
        """Answers the next Invoke with this error, e.g. 403 AccessDeniedException: a role that
        may not invoke the function (AWS Lambda API reference, "Invoke", Errors)."""
        with self._lock:
            self._refusals.append((status, error, message))

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _invoke(self, path, query, headers, body):
        """(status, error type or None, message) for one Invoke request; records what it accepts."""
        route = _PATH.match(path)
        if route is None:
            return 404, "UnknownOperationException", f"No operation at {path}"
        with self._lock:
            if self._refusals:
                return self._refusals.pop(0)
        scope = f"/{self.region}/lambda/aws4_request"
        if scope not in headers.get("Authorization", ""):
            return 403, "InvalidSignatureException", f"Credential should be scoped to {scope}"
        target = _ARN.match(unquote(route["function"]))
        qualifier = (query.get("Qualifier") or [None])[0] or (target["qualifier"] if target else None)
        if (
            target is None
            or target["name"] not in self.functions
            or (target["region"] or self.region) != self.region
            or (target["account"] or self.account) != self.account
            or qualifier not in (None, "$LATEST")
        ):
            return 404, "ResourceNotFoundException", f"Function not found: {unquote(route['function'])}"
        invocation_type = headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if invocation_type not in ("Event", "RequestResponse", "DryRun"):
            return 400, "InvalidParameterValueException", f"Unsupported invocation type {invocation_type}"
        limit = EVENT_PAYLOAD_LIMIT if invocation_type == "Event" else SYNC_PAYLOAD_LIMIT
        if len(body) > limit:
            message = (
                f"{len(body)} byte payload is too large for the {invocation_type} invocation type (limit {limit} bytes)"
            )
            return 413, "RequestTooLargeException", message
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return 400, "InvalidRequestContentException", "Could not parse request body into json"
        if invocation_type == "DryRun":
            return 204, None, ""
        if invocation_type == "RequestResponse":
            return 501, "NotImplemented", "This stand-in queues asynchronous invocations only"
        arn = self.arn(target["name"])
        chain = _chain_count(headers.get("X-Amzn-Trace-Id", ""), _lineage_hash(arn)) + 1
        trace_id = (
            f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0;Lineage={_lineage_hash(arn)}:{chain}"
        )
        invocation = Invocation(target["name"], arn, invocation_type, payload, chain, trace_id)
        with self._lock:
            self.invocations.append(invocation)
            (self.stopped if chain > CHAIN_LIMIT else self._queue).append(invocation)
        return 202, None, ""

    def _handler_class(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                address = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, error, message = stand_in._invoke(address.path, parse_qs(address.query), self.headers, body)
                answer = b""
                self.send_response(status)
                if error:
                    with stand_in._lock:
                        stand_in.refused.append((status, error))
                    answer = json.dumps({"Type": "User", "message": message}).encode()
                    self.send_header("X-Amzn-ErrorType", error)
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass  # the test reads `invocations` and `refused`, not an access log

        return Handler


def _lineage_hash(function_arn):
    return hashlib.sha256(function_arn.encode()).hexdigest()[:8]


def _chain_count(trace_header, function_hash):
    """How many invocations of the function the calling invocation's chain has had (0: none)."""
    for field in trace_header.split(";"):
        name, _, value = field.partition("=")
        if name.strip() == "Lineage":
            for entry in value.split("|"):
                entry_hash, _, count = entry.rpartition(":")
                if entry_hash == function_hash and count.isdigit():
                    return int(count)
    return 0
