"""Command line: ``python -m mollie_sandbox --host 127.0.0.1 --port 0``.

The first line on stdout is always ``Mollie sandbox listening on
http://HOST:PORT`` with the real port, so a parent process (``make run``, a
test) can start it on port 0 and read where it went.  SIGTERM and SIGINT stop
it cleanly.
"""

import argparse
import os
import signal
import sys
import threading

from .server import SandboxServer
from .webhooks import DEFAULT_TIMEOUT


def _env(name: str, default, kind=float):
    value = os.environ.get(name)
    return kind(value) if value not in (None, "") else default


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m mollie_sandbox",
        description="A local Mollie Payments API v2 with a hosted checkout page, webhooks and faults.",
    )
    parser.add_argument("--host", default=os.environ.get("MOLLIE_SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port",
        type=int,
        default=_env("MOLLIE_SANDBOX_PORT", 0, int),
        help="port to listen on; 0 picks a free one (default: 0)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=_env("MOLLIE_SANDBOX_TIME_SCALE", 1.0),
        help="real seconds per minute of Mollie's webhook retry schedule (default: 1.0)",
    )
    parser.add_argument(
        "--expiry-seconds",
        type=float,
        default=_env("MOLLIE_SANDBOX_EXPIRY_SECONDS", 900.0),
        help="how long an open payment lives before it expires (default: 900)",
    )
    parser.add_argument(
        "--max-payments",
        type=int,
        default=_env("MOLLIE_SANDBOX_MAX_PAYMENTS", 10_000, int),
        help="keep at most this many payments; the oldest finished ones go first (default: 10000)",
    )
    parser.add_argument(
        "--webhook-timeout",
        type=float,
        default=_env("MOLLIE_SANDBOX_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT),
        help="seconds to wait for a webhook answer before retrying (default: 15)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=os.environ.get("MOLLIE_SANDBOX_STRICT", "") not in ("", "0", "false"),
        help="refuse everything Mollie refuses, loopback webhook URLs included (also MOLLIE_SANDBOX_STRICT=1)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    args = parser.parse_args(argv)
    if args.time_scale < 0 or args.expiry_seconds < 0 or args.max_payments < 1 or args.webhook_timeout <= 0:
        parser.error("--time-scale and --expiry-seconds must be >= 0, --max-payments >= 1, --webhook-timeout > 0")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    server = SandboxServer(
        host=args.host,
        port=args.port,
        time_scale=args.time_scale,
        expiry_seconds=args.expiry_seconds,
        max_payments=args.max_payments,
        webhook_timeout=args.webhook_timeout,
        quiet=args.quiet,
        strict=args.strict,
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    print(f"Mollie sandbox listening on {server.url}", flush=True)
    if args.strict:
        print("Strict mode: webhook URLs Mollie cannot reach are refused", file=sys.stderr, flush=True)
    while not stopping.wait(1.0):  # a timed wait keeps the main thread responsive to signals
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
