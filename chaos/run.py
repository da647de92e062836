"""`python -m chaos.run --shoppers 300 --seed 1`: hundreds of shoppers at once, with faults, then
reconciliation and the invariant check. Prints the counts; exits 1 when an invariant is broken
(a 503 that a shopper trying again did not get past is one). It also counts every 503 the shop
answered by the injected fault that explains it (chaos/middleware.py) and says whether the
local stack kept up.

The stack is local (see chaos/stack.py): the shop on a threaded runserver with DynamoDB
throttling injected, the Mollie sandbox with API errors and latency and webhooks dropped,
duplicated, delayed and out of order. The run is bounded: a fixed number of shoppers, bounded
loops in each, and a deadline for the whole run (--duration-limit) after which it stops itself.
"""

import argparse
import contextlib
import json
import logging
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ChaosConfig:
    shoppers: int = 300
    seed: int = 1
    duration_limit: float = 600.0
    ramp_seconds: float = 3.0
    throttle_rate: float = 0.15
    # Server side, at the double (devstack.dynamodb_faults.ServerFaults): transactions in flight
    # that long (conflicts), throttle windows starting that often a minute (at random times)
    # and lasting seconds, BatchGetItem keys left unprocessed.
    transaction_hold_seconds: float = 0.05
    throttle_windows_per_minute: float = 2.0
    throttle_window_seconds: float = 2.0
    unprocessed_keys_rate: float = 0.1
    api_error_rate: float = 0.08
    api_latency_ms: int = 60
    webhook_drop_rate: float = 0.2
    webhook_duplicate_rate: float = 0.2
    webhook_out_of_order_rate: float = 0.2
    webhook_delay_ms: int = 300
    sandbox_time_scale: float = 0.1  # real seconds per minute of Mollie's webhook retry schedule
    # Mollie's 15 minutes for an open iDEAL payment, shortened: payments left open (abandoned, or
    # the shopper came back from a failure inside the checkout) expire at Mollie during the run.
    sandbox_expiry_seconds: float = 15.0
    api_rate_limit_rate: float = 0.02
    settle_pending_share: float = 0.8  # pending payments the "bank" completes before reconciliation
    transfer_paid_share: float = 0.6  # open bank transfers whose money arrives; the rest stay open
    chargeback_share: float = 0.06  # paid payments the shopper's bank charges back
    chargeback_reversed_share: float = 0.3  # of those, chargebacks reversed again
    # Web server processes on the shop's port, as Lambda runs several containers: one Python
    # process serves on one core, and with hundreds of shoppers that core is the bottleneck.
    shop_processes: int = 2
    # Processes serving Mollie's webhook calls on a port of their own (chaos/stack.py).
    webhook_processes: int = 1
    log_dir: str | None = None


@dataclass
class ChaosResult:
    config: ChaosConfig
    counts: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    final_states: Counter = field(default_factory=Counter)
    violations: list = field(default_factory=list)
    server_errors: Counter = field(default_factory=Counter)
    busy_answers: Counter = field(default_factory=Counter)  # (cause, view, error) -> 503s the shop answered
    reconcile_passes: list = field(default_factory=list)
    seconds: float = 0.0
    log_dir: str = ""

    @property
    def ok(self):
        return not self.violations


def run(config: ChaosConfig, *, out=print) -> ChaosResult:
    _django_setup()
    from django.test import override_settings

    from chaos import invariants
    from chaos import retention as chaos_retention
    from chaos import staff as chaos_staff
    from chaos.shoppers import Journal, make_plans, run_shoppers
    from chaos.stack import MOLLIE_TEST_KEY, LocalStack

    started = time.monotonic()
    deadline = started + config.duration_limit
    if config.log_dir:  # one folder per run, so runs never mix their logs
        log_dir = str(Path(config.log_dir) / f"{time.strftime('%Y%m%d-%H%M%S')}-seed{config.seed}")
    else:
        log_dir = tempfile.mkdtemp(prefix="chaos-")
    rng = random.Random(config.seed)
    result = ChaosResult(config=config, log_dir=log_dir)
    shop_env = {
        "DYNAMODB_FAULT_THROTTLE_RATE": str(config.throttle_rate),
        "DYNAMODB_FAULT_SEED": str(config.seed),
        "STATUS_PULL_INTERVAL_SECONDS": "1",
        # DynamoDB's timeouts and the request and webhook deadlines are the deployed ones: with a
        # bounded number of requests per process the double answers in milliseconds (it reports
        # any request it queued for over a second), so a request that sends mail after its
        # commit has the time to, as deployed.
    }
    moto_env = {
        "DYNAMODB_FAULT_TRANSACTION_HOLD_SECONDS": str(config.transaction_hold_seconds),
        "DYNAMODB_FAULT_THROTTLE_WINDOWS_PER_MINUTE": str(config.throttle_windows_per_minute),
        "DYNAMODB_FAULT_THROTTLE_WINDOW_SECONDS": str(config.throttle_window_seconds),
        "DYNAMODB_FAULT_UNPROCESSED_KEYS_RATE": str(config.unprocessed_keys_rate),
        "DYNAMODB_FAULT_SEED": str(config.seed),
    }
    stack = LocalStack(
        log_dir=log_dir,
        sandbox_time_scale=config.sandbox_time_scale,
        sandbox_expiry_seconds=config.sandbox_expiry_seconds,
        shop_env=shop_env,
        moto_env=moto_env,
        shop_processes=config.shop_processes,
        webhook_processes=config.webhook_processes,
    )
    with stack, _steps_logged_to(log_dir):
        out(f"Stack up: shop {stack.shop_url}, sandbox {stack.sandbox_url}, moto {stack.moto_url} (logs: {log_dir})")
        with stack.models():
            initial_stock = invariants.snapshot_stock()
        stack.sandbox_faults(
            seed=config.seed,
            api_error_rate=config.api_error_rate,
            api_latency_ms=config.api_latency_ms,
            api_rate_limit_rate=config.api_rate_limit_rate,
            webhook_drop_rate=config.webhook_drop_rate,
            webhook_duplicate_rate=config.webhook_duplicate_rate,
            webhook_out_of_order_rate=config.webhook_out_of_order_rate,
            webhook_delay_ms=config.webhook_delay_ms,
        )

        # 1. The shoppers, all at once. They get at most 60 % of the time; the rest is for clean-up.
        journal = Journal()
        plans = make_plans(config.shoppers, rng, ramp_seconds=config.ramp_seconds)
        shopping_deadline = started + config.duration_limit * 0.6
        out(f"{len(plans)} shoppers checking out…")
        still_running = run_shoppers(
            plans, shop_url=stack.shop_url, journal=journal, deadline=shopping_deadline, seed=config.seed
        )
        if still_running:
            result.violations.append(f"bounded run: {still_running} shoppers still running past the deadline")
        out(f"  shoppers done after {time.monotonic() - started:.0f} s")

        # 2. After the shoppers left, banks settle most pending payments (Mollie calls the webhook).
        _settle_pending(stack, rng, config.settle_pending_share, result)
        # Bank transfers: the money arrives for most (Mollie calls the webhook); the rest stay open for
        # days, their orders keeping the stock. Then chargebacks on some paid payments, a few reversed.
        _settle_transfers(stack, rng, config.transfer_paid_share, result)
        _charge_back(stack, rng, config, result)
        out(f"  payments settled and charged back after {time.monotonic() - started:.0f} s")
        # Nothing cancels open payments: Mollie expires them (and calls the webhook).
        _wait_for_mollie_expiry(stack, deadline, at_most=config.sandbox_expiry_seconds * 2)
        _wait_for_webhooks(stack, deadline)
        out(f"  Mollie's expiries and webhooks done after {time.monotonic() - started:.0f} s")

        # 3. Reconciliation, with the faults still on; then again without API faults if needed.
        _reconcile(stack, result, deadline, label="with faults")
        stack.clear_sandbox_faults()
        for _ in range(3):
            summary = _reconcile(stack, result, deadline, label="faults off")
            if summary.get("errors", 1) == 0 or time.monotonic() > deadline:
                break
        out(f"  reconciliation done after {time.monotonic() - started:.0f} s")
        # Mails to the stack's SES; pay-later shipments are captured at the stack's sandbox.
        at_the_stack = {"MOLLIE_API_ENDPOINT": stack.sandbox_url, "MOLLIE_API_KEY": MOLLIE_TEST_KEY}
        with stack.models(), override_settings(SES_ENDPOINT_URL=stack.moto_url, **at_the_stack):
            chaos_staff.ship_some(rng, result.counts)  # some in two parcels, some from two tabs
        out(f"  staff shipped after {time.monotonic() - started:.0f} s")

        # 4. Stop taking webhooks (a late one could close an order between two retention runs), then
        # retention, then compare Mollie with our tables.
        webhooks = stack.sandbox_webhooks()  # before the stop: later retries would only meet a closed port
        stack.shop.stop()
        with stack.models():
            chaos_retention.run_twice(result.counts, result.violations)
        out(f"  retention ran after {time.monotonic() - started:.0f} s")
        mollie_payments = stack.sandbox_payments()
        sent_mails = stack.mails()
        with stack.models():
            findings = _check_invariants(
                window_seconds=config.throttle_window_seconds,
                mollie_payments=mollie_payments,
                initial_stock=initial_stock,
                shopper_orders=journal.orders,
                sent_mails=sent_mails,
            )
        sandbox_api = _sandbox_api_statuses(stack.sandbox.log_text())
        shop_logs = "".join(
            Path(log_dir, f"{name}").read_text(errors="replace")
            for name in os.listdir(log_dir)
            if name.startswith("shop-")
        )

    result.seconds = time.monotonic() - started
    result.counts.update(findings.counts)
    result.counts["shoppers"] = config.shoppers
    result.counts["orders seen by shoppers"] = len(journal.orders)
    result.counts["DynamoDB throttles injected"] = shop_logs.count("dynamodb fault injected")
    result.counts["moto requests queued over 1 s (local double overloaded)"] = stack.moto.log_text().count("queued for")
    for fault, count in _double_faults(stack.moto.log_text()).items():
        result.counts[f"DynamoDB double: {fault}"] = count
    result.busy_answers = _busy_answers(shop_logs)
    result.counts["webhooks left unanswered for 15 s"] = sum(
        1 for w in webhooks if (w.get("error") or "").startswith("no answer within")
    )
    result.counts["webhook deliveries"] = len(webhooks)
    result.counts["webhooks dropped (fault)"] = sum(1 for w in webhooks if w.get("dropped"))
    result.counts["webhook duplicates (fault)"] = sum(1 for w in webhooks if w.get("duplicate"))
    for status, count in Counter(
        w.get("status") or _error_kind(w.get("error")) for w in webhooks if not w.get("dropped")
    ).items():
        result.counts[f"webhook answers {status}"] = count
    for status, count in sandbox_api.items():
        result.counts[f"Mollie API answers {status}"] = count
    result.statuses = journal.statuses
    result.notes = journal.notes
    result.final_states = journal.final_states
    result.server_errors = _server_errors(shop_logs)
    result.violations += findings.violations
    result.violations += [
        f"shopper saw an error page or none: shopper {p.shopper}, {p.step}: {p.what}" for p in journal.problems
    ]
    return result


# --- phases ------------------------------------------------------------------------------------


def _settle_pending(stack, rng, share, result):
    for payment in stack.sandbox_payments():
        if payment["status"] == "pending" and rng.random() < share:
            stack.settle_at_mollie(payment["id"], "paid" if rng.random() < 0.7 else "failed")
            result.counts["pending payments settled by the bank"] += 1


def _settle_transfers(stack, rng, share, result):
    for payment in stack.sandbox_payments():
        if payment["status"] == "open" and payment.get("method") == "banktransfer":
            if rng.random() < share:
                stack.settle_at_mollie(payment["id"], "paid")
                result.counts["bank transfers paid"] += 1
            else:
                result.counts["bank transfers left open (orders keep their stock)"] += 1


def _charge_back(stack, rng, config, result):
    for payment in stack.sandbox_payments():
        if payment["status"] != "paid" or rng.random() >= config.chargeback_share:
            continue
        cents = int(payment["amountRemaining"]["value"].replace(".", ""))
        amount = None
        if cents >= 2 and rng.random() < 0.4:  # part of it (one disputed article)
            amount = {"currency": payment["amount"]["currency"], "value": f"{cents // 2 // 100}.{cents // 2 % 100:02d}"}
        if cents < 1:
            continue  # refunded entirely: nothing left to charge back
        chargeback = stack.charge_back_at_mollie(
            payment["id"], amount=amount, reason=rng.choice(("MD06", "AM04", "4837"))
        )
        result.counts["chargebacks made"] += 1
        if rng.random() < config.chargeback_reversed_share:
            stack.reverse_chargeback_at_mollie(chargeback["id"])
            result.counts["chargebacks reversed"] += 1


def _wait_for_mollie_expiry(stack, deadline, *, at_most):
    """Until no payment is open at Mollie any more, bank transfers apart: they take days (bounded)."""
    stop = min(deadline, time.monotonic() + at_most)
    while time.monotonic() < stop:
        if not any(p["status"] == "open" and p.get("method") != "banktransfer" for p in stack.sandbox_payments()):
            return
        time.sleep(0.5)


def _check_invariants(*, window_seconds, tries=5, **evidence):
    """The check only reads, but the double's throttle windows go on after the shoppers left: a
    read throttled past botocore's retries is done again once the window is over (at most `tries`
    times), instead of ending the run with a traceback."""
    from pynamodb.exceptions import PynamoDBException

    from chaos import invariants

    for tried in range(1, tries + 1):
        try:
            return invariants.check(**evidence)
        except PynamoDBException as error:
            if tried == tries or error.cause_response_code not in THROTTLED:
                raise
            time.sleep(window_seconds + 1)
    return None  # not reached


THROTTLED = ("ThrottlingException", "ProvisionedThroughputExceededException")


def _wait_for_webhooks(stack, deadline, quiet_for=2.0, at_most=20.0):
    """Until the sandbox has sent nothing new for `quiet_for` seconds (bounded)."""
    stop = min(deadline, time.monotonic() + at_most)
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < stop:
        count = len(stack.sandbox_webhooks())
        if count != seen:
            seen, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_for:
            return
        time.sleep(0.25)


_DONE = re.compile(
    r"Done: (\d+) synced, (\d+) abandoned, (\d+) orders expired, "
    r"(\d+) still settling, (\d+) errors"
)


def _reconcile(stack, result, deadline, *, label):
    timeout = max(30, deadline - time.monotonic())
    done = stack.manage(
        "reconcile_payments",
        "--stale-after",
        "0",
        "--quiet",
        env={"ORDER_PAYMENT_WINDOW_SECONDS": "0"},
        timeout=timeout,
    )
    match = _DONE.search(done.stdout)
    if done.returncode != 0 or match is None:
        result.violations.append(
            f"reconciliation ({label}) failed: exit {done.returncode}\n{done.stdout[-1500:]}\n{done.stderr[-3000:]}"
        )
        return {}
    names = ("synced", "abandoned", "expired", "still settling", "errors")
    summary = dict(zip(names, map(int, match.groups()), strict=True))
    result.reconcile_passes.append((label, summary))
    return summary


# --- logs --------------------------------------------------------------------------------------


def _double_faults(moto_log):
    """What devstack.dynamodb_faults.ServerFaults injected, from the line moto prints at its stop."""
    found = re.findall(r"^moto faults injected: (\{.*\})$", moto_log, flags=re.MULTILINE)
    return json.loads(found[-1]) if found else {}


_SANDBOX_API_LINE = re.compile(r'"(GET|POST|PATCH|DELETE) /v2/\S* HTTP/1\.[01]" (\d{3})')


def _sandbox_api_statuses(log_text):
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log_text)  # werkzeug colours its request lines
    return Counter(int(status) for _, status in _SANDBOX_API_LINE.findall(plain))


_BUSY_LINE = re.compile(r"chaos 503: (.+?) \| (\S+) \| (\S+)")  # chaos/middleware.py


def _busy_answers(log_text):
    """Every 503 the shop answered (pages, webhooks, polls): (cause, view, error) -> count."""
    return Counter(_BUSY_LINE.findall(log_text))


def kept_up(result):
    """Issue 16's bar for the local stack: (passed, [what missed it])."""
    missed = []
    if result.seconds > result.config.duration_limit:
        missed.append(f"took {result.seconds:.0f} s, over the {result.config.duration_limit:.0f} s limit")
    unexplained = sum(count for (cause, *_), count in result.busy_answers.items() if cause == "none injected")
    if unexplained:
        missed.append(f"{unexplained} 503s that no injected fault explains")
    if result.counts["webhooks left unanswered for 15 s"]:
        missed.append(f"{result.counts['webhooks left unanswered for 15 s']} webhooks left unanswered for 15 s")
    return not missed, missed


_OUR_FRAME = re.compile(r'File ".*?/((?:shop|payments|config|staff)/[^"]+)", line (\d+), in (\w+)')


def _error_kind(error):
    return (error or "no answer").split(":")[0]


def _server_errors(log_text):
    """Each 500 in the shop's log: path, the exception that ended the traceback, our deepest frame."""
    errors = Counter()
    lines = log_text.splitlines()
    for index, line in enumerate(lines):
        marker = line.find("Internal Server Error: ")
        if marker < 0:
            continue
        path = line[marker + len("Internal Server Error: ") :].strip()
        kind = re.sub(r"/en/orders/[^/]+/[^/]+/", "/en/orders/<id>/<token>/", path)
        exception, frame = "", ""
        for following in lines[index + 1 : index + 300]:
            found = _OUR_FRAME.search(following)
            if found:
                frame = f"{found.group(1)}:{found.group(2)} {found.group(3)}"
            if following.startswith(("INFO", "WARNING", "ERROR", "[")):
                break
            if (
                following
                and not following.startswith((" ", "Traceback", "During handling", "The above"))
                and ":" in following
            ):
                exception = following.strip()[:160]
        errors[(kind, f"{exception}  (at {frame or '?'})")] += 1
    return errors


# --- report ------------------------------------------------------------------------------------


def report(result: ChaosResult) -> str:
    config = result.config
    lines = [
        "",
        f"Chaos run: {config.shoppers} shoppers, seed {config.seed}, {result.seconds:.0f} s "
        f"(limit {config.duration_limit:.0f} s), {config.shop_processes} web server processes",
        f"Faults: DynamoDB throttle rate {config.throttle_rate}; Mollie API 5xx rate {config.api_error_rate}, "
        f"429 rate {config.api_rate_limit_rate}, latency {config.api_latency_ms} ms; open payments expire "
        f"after {config.sandbox_expiry_seconds:g} s; webhooks dropped {config.webhook_drop_rate}, duplicated "
        f"{config.webhook_duplicate_rate}, out of order {config.webhook_out_of_order_rate}, "
        f"delayed {config.webhook_delay_ms} ms",
        "",
        "Counts:",
    ]
    lines += [f"  {name:<55} {value}" for name, value in sorted(result.counts.items())]
    lines += ["", "What shoppers did and met:"]
    lines += [f"  {name:<55} {value}" for name, value in sorted(result.notes.items())]
    lines += ["", "Where shoppers ended:"]
    lines += [f"  {name:<55} {value}" for name, value in sorted(result.final_states.items())]
    lines += ["", "Answers shoppers got (step, status):"]
    by_step = {}
    for (step, status), count in result.statuses.items():
        by_step.setdefault(step, []).append(f"{status}×{count}")
    lines += [f"  {step:<30} {', '.join(sorted(parts))}" for step, parts in sorted(by_step.items())]
    lines += ["", "503s the shop answered (cause | view | error logged):"]
    lines += [f"  {count:>5}× {' | '.join(key)}" for key, count in sorted(result.busy_answers.items())] or ["  none"]
    got_past = sum(count for note, count in result.notes.items() if note.startswith("503 got past"))
    lines.append(
        f"  shoppers' 503s got past by trying again: {got_past}; "
        f"not got past: {result.notes['503 not got past by trying again']}"
    )
    lines += ["", "Reconciliation passes:"]
    lines += [f"  {label:<12} {summary}" for label, summary in result.reconcile_passes]
    if result.server_errors:
        lines += ["", "500s in the shop's log (path, exception):"]
        lines += [
            f"  {count:>4}× {path}  {exception}" for (path, exception), count in result.server_errors.most_common()
        ]
    passed, missed = kept_up(result)
    lines += [
        "",
        "The local stack kept up (within the limit, every 503 explained by an injected fault, no "
        f"webhook unanswered for 15 s): {'yes' if passed else 'no: ' + '; '.join(missed)}",
        "",
    ]
    if result.violations:
        lines.append(f"INVARIANTS BROKEN ({len(result.violations)}):")
        lines += [f"  - {violation}" for violation in result.violations[:200]]
        if len(result.violations) > 200:
            lines.append(f"  … and {len(result.violations) - 200} more")
    else:
        lines.append("All invariants hold.")
    lines.append(f"Logs: {result.log_dir}")
    return "\n".join(lines)


@contextlib.contextmanager
def _steps_logged_to(log_dir):
    """The run's own steps (reconciliation, staff, retention) log to a file beside the servers' logs,
    so the terminal keeps the progress lines and the summary (retention alone logs a line per order)."""
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    to_file = logging.FileHandler(Path(log_dir) / "steps.log")
    for handler in root.handlers:
        if handler.formatter:
            to_file.setFormatter(handler.formatter)
        for log_filter in handler.filters:
            to_file.addFilter(log_filter)
    consoles = [handler for handler in root.handlers if type(handler) is logging.StreamHandler]
    for handler in consoles:
        root.removeHandler(handler)
    root.addHandler(to_file)
    try:
        yield
    finally:
        root.removeHandler(to_file)
        to_file.close()
        for handler in consoles:
            root.addHandler(handler)


def _django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "chaos-secret-key-not-for-production-" + "x" * 20)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def main(argv=None):
    defaults = ChaosConfig()
    parser = argparse.ArgumentParser(prog="python -m chaos.run", description=__doc__.splitlines()[0])

    def option(flag, help=None, *, field=None):
        """An option for a ChaosConfig field (by default the one of its name), of its type and default."""
        name = flag.removeprefix("--").replace("-", "_")
        default = getattr(defaults, field or name)
        parser.add_argument(flag, type=type(default), default=default, help=help)

    option("--shoppers")
    option("--seed")
    option("--duration-limit", "seconds for the whole run; shoppers stop at 60%% of it")
    option("--throttle-rate", "share of DynamoDB calls answered as throttled (botocore retries them)")
    option(
        "--transaction-hold",
        "seconds a DynamoDB transaction holds its items (0: no conflicts)",
        field="transaction_hold_seconds",
    )
    option(
        "--throttle-windows-per-minute",
        "how often, on average, DynamoDB is throttled for --throttle-window-seconds on end",
    )
    option("--throttle-window-seconds")
    option("--unprocessed-keys-rate")
    option("--api-error-rate")
    option("--api-latency-ms")
    option("--shop-processes", "web server processes on the shop's port")
    parser.add_argument(
        "--webhook-processes",
        type=int,
        default=defaults.webhook_processes,
        help="web server processes for Mollie's webhook calls, on a port of their own (0: the shop's port)",
    )
    parser.add_argument(
        "--log-dir", default=None, help="keep the processes' logs in a new folder under this one (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.shoppers <= 2000 or args.duration_limit <= 0 or not 1 <= args.shop_processes <= 8:
        parser.error("--shoppers must be 1..2000, --shop-processes 1..8 and --duration-limit positive")
    if not 0 <= args.webhook_processes <= 4:
        parser.error("--webhook-processes must be 0..4")
    config = ChaosConfig(
        shoppers=args.shoppers,
        seed=args.seed,
        duration_limit=args.duration_limit,
        throttle_rate=args.throttle_rate,
        transaction_hold_seconds=args.transaction_hold,
        throttle_windows_per_minute=args.throttle_windows_per_minute,
        throttle_window_seconds=args.throttle_window_seconds,
        unprocessed_keys_rate=args.unprocessed_keys_rate,
        api_error_rate=args.api_error_rate,
        api_latency_ms=args.api_latency_ms,
        shop_processes=args.shop_processes,
        webhook_processes=args.webhook_processes,
        log_dir=args.log_dir,
    )
    # A `kill` (or a CI timeout) unwinds like Ctrl-C, so the stack's servers stop with the run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = run(config)
    print(report(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
