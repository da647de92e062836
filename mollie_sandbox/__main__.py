"""Command line: ``mollie-sandbox --host 127.0.0.1 --port 0`` (or ``python -m mollie_sandbox``).

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

from .faults import DURATIONS_MS, RATES, FaultError
from .server import SandboxServer
from .webhooks import DEFAULT_TIMEOUT

FAULT_PREFIX = "fault_"  # the namespace's faults, apart from the server's own arguments


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mollie-sandbox",
        description="A local Mollie Payments API v2 with a hosted checkout page, webhooks and faults.",
    )
    parser.add_argument("--host", default=os.environ.get("MOLLIE_SANDBOX_HOST", "127.0.0.1"))

    def option(name, kind, default, help):
        """An option whose default MOLLIE_SANDBOX_<NAME> may set (--max-payments: ..._MAX_PAYMENTS)."""
        variable = "MOLLIE_SANDBOX_" + name.removeprefix("--").replace("-", "_").upper()
        value = os.environ.get(variable)
        parser.add_argument(name, type=kind, default=kind(value) if value else default, help=help)

    option("--port", int, 0, "port to listen on; 0 picks a free one (default: 0)")
    option("--time-scale", float, 1.0, "real seconds per minute of Mollie's webhook retry schedule (default: 1.0)")
    option("--expiry-seconds", float, 900.0, "how long an open payment lives before it expires (default: 900)")
    option(
        "--max-payments",
        int,
        10_000,
        "keep at most this many payments; the oldest finished ones go first (default: 10000)",
    )
    option(
        "--webhook-timeout",
        float,
        DEFAULT_TIMEOUT,
        "seconds to wait for a webhook answer before retrying (default: 15)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=os.environ.get("MOLLIE_SANDBOX_STRICT", "") not in ("", "0", "false"),
        help="refuse everything Mollie refuses, loopback webhook URLs included (also MOLLIE_SANDBOX_STRICT=1)",
    )
    option("--tls-cert", str, None, "serve HTTPS with this PEM certificate (Mollie's Node client needs HTTPS)")
    option("--tls-key", str, None, "the certificate's PEM private key (default: in --tls-cert)")
    faults = parser.add_argument_group("faults (as POST /_sandbox/faults; off until set, cleared by a reset)")
    for name in (*RATES, *DURATIONS_MS):
        metavar, kind = ("RATE", "share of requests or events, 0..1") if name in RATES else ("MS", "milliseconds")
        option_name = f"--{name.replace('_', '-')}"
        faults.add_argument(option_name, dest=FAULT_PREFIX + name, type=float, metavar=metavar, help=kind)
    faults.add_argument("--fault-seed", dest=FAULT_PREFIX + "seed", metavar="SEED", help="seeds the faults' draws")
    parser.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    args = parser.parse_args(argv)
    if args.tls_key and not args.tls_cert:
        parser.error("--tls-key needs --tls-cert")
    if args.time_scale < 0 or args.expiry_seconds < 0 or args.max_payments < 1 or args.webhook_timeout <= 0:
        parser.error("--time-scale and --expiry-seconds must be >= 0, --max-payments >= 1, --webhook-timeout > 0")
    return args


def split_faults(args: argparse.Namespace) -> tuple[dict, dict]:
    """(the server's arguments, the faults given) from the parsed options."""
    options, faults = {}, {}
    for name, value in vars(args).items():
        if not name.startswith(FAULT_PREFIX):
            options[name] = value
        elif value is not None:
            fault = name.removeprefix(FAULT_PREFIX)
            faults[fault] = int(value) if fault == "seed" and value.lstrip("-").isdigit() else value
    return options, faults


def main(argv=None) -> int:
    options, faults = split_faults(parse_args(argv))
    server = SandboxServer(**options)  # every other option is the server's argument of the same name
    try:
        server.app.faults.update(faults)
    except FaultError as error:
        print(f"mollie-sandbox: error: --{error.field.replace('_', '-')}: {error}", file=sys.stderr)
        return 2
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    print(f"Mollie sandbox listening on {server.url}", flush=True)
    if faults:
        print(f"Faults on: {faults}", file=sys.stderr, flush=True)
    if options["strict"]:
        print("Strict mode: webhook URLs Mollie cannot reach are refused", file=sys.stderr, flush=True)
    while not stopping.wait(1.0):  # a timed wait keeps the main thread responsive to signals
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
