"""Request latency under concurrent load, as ratios to a trivial view: `python -m bench.latency`.

The local stack of chaos/stack.py (moto, the Mollie sandbox, the shop on a threaded runserver),
without faults, serving bench/urls.py: the shop plus `/bench/trivial`, a view that only returns
"ok" through the same middleware. Each endpoint gets the same number of requests from the same
number of concurrent clients; its p50 and p95 are divided by the trivial view's, measured in the
same run (before and after the others). Ratios, not milliseconds: the machine's speed cancels out.
Bounded: a fixed number of requests per phase, and a time limit per phase and for the run.
"""

import argparse
import json
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.addresses import BENCH_ADDRESS
from bench.floors import FLOOR_PATHS, describe, record_scripts


@dataclass
class Phase:
    name: str
    latencies: list = field(default_factory=list)  # seconds
    statuses: dict = field(default_factory=dict)
    cut_short: bool = False
    timed_jobs: list = field(default_factory=list)  # (job's id, seconds, status) in the order done

    def split(self, names_by_job, other_name):
        """This phase as two: the jobs named in `names_by_job`, and the others as `other_name`."""
        names = [*dict.fromkeys(names_by_job.values()), other_name]
        parts = {name: Phase(name, cut_short=self.cut_short) for name in names}
        for job_id, elapsed, status in self.timed_jobs:
            part = parts[names_by_job.get(job_id, other_name)]
            part.latencies.append(elapsed)
            part.statuses[status] = part.statuses.get(status, 0) + 1
        return [parts[name] for name in names]

    def percentile(self, share):
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(name, jobs, *, concurrency, time_limit):
    """Runs `jobs` (callables returning a status code) on `concurrency` threads; times each."""
    phase = Phase(name)
    lock = threading.Lock()
    pending = list(reversed(jobs))
    stop_at = time.monotonic() + time_limit

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                if time.monotonic() > stop_at:
                    phase.cut_short = True
                    return
                job = pending.pop()
            started = time.perf_counter()
            try:
                status = job()
            except requests.RequestException as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - started
            with lock:
                phase.latencies.append(elapsed)
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                phase.timed_jobs.append((id(job), elapsed, status))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(time_limit + 70)  # a request in flight at the limit finishes within its timeout
    return phase


class _Sessions:
    """One keep-alive session per worker thread, like one browser per client."""

    def __init__(self):
        self._local = threading.local()

    def get(self):
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session


def run(*, requests_per_phase=200, concurrency=8, phase_time_limit=60.0, log_dir=None, out=print):
    from chaos.run import _django_setup

    _django_setup()
    from chaos.stack import LocalStack
    from payments.models import Order
    from payments.services import order_id_for_checkout

    log_dir = log_dir or tempfile.mkdtemp(prefix="bench-")
    # Metrics on, as in a deployed stage: their EMF lines are part of a request's cost.
    shop_env = {"ROOT_URLCONF": "bench.urls", "METRICS_ENABLED": "true"}
    stack = LocalStack(log_dir=log_dir, sandbox_time_scale=60, shop_env=shop_env)
    phases = []
    with stack:
        # The sandbox must not call us behind the benchmark's back: we post the webhooks ourselves.
        stack.sandbox_faults(webhook_drop_rate=1.0)
        base = stack.shop_url
        sessions = _Sessions()
        timeout = 60
        floor_url, floor_server, replays = _start_floor_server(stack, log_dir)
        out(f"Floors replay: {replays}")

        def get(path, url=None):
            return lambda: sessions.get().get((url or base) + path, timeout=timeout).status_code

        def floor(name, count):
            return [get(f"/floor/{FLOOR_PATHS[name]}", floor_url)] * count

        # Checkout forms, fetched beforehand (not timed): one cart per checkout, each with beans in it.
        # (One cart's checkouts would all continue one order: the checkout id comes from the cart.)
        browser = requests.Session()
        token = _input(browser.get(base + "/", timeout=timeout).text, "csrfmiddlewaretoken")
        carts = []
        for number in range(requests_per_phase):
            shopper = requests.Session()
            shopper.cookies.update(browser.cookies)  # the CSRF cookie that goes with `token`
            shopper.post(
                base + "/en/cart/add/",
                data={"slug": "coffee-beans", "quantity": 1, "csrfmiddlewaretoken": token},
                timeout=timeout,
            )
            page = shopper.get(base + "/en/checkout/", timeout=timeout).text
            form = {
                "name": "Bench Shopper",
                # One shopper each: two paid orders of one address are flagged as possible duplicates.
                "email": f"bench-{number}@example.com",
                "checkout_id": _input(page, "checkout_id"),
                **BENCH_ADDRESS,
                "csrfmiddlewaretoken": _input(page, "csrfmiddlewaretoken"),
            }
            carts.append((shopper.cookies.get_dict(), form))
            shopper.close()
        payment_of = {}

        def checkout(cookies, form):
            def post():
                # The worker's keep-alive session, with this cart's cookies for this request.
                answer = sessions.get().post(
                    base + "/en/checkout/", data=form, cookies=cookies, timeout=timeout, allow_redirects=False
                )
                if answer.status_code == 303:
                    payment_of[form["checkout_id"]] = answer.headers["Location"].rsplit("/", 1)[1]
                return answer.status_code

            return post

        def webhook(payment_id):
            return lambda: (
                sessions.get().post(base + "/payments/webhook/", data={"id": payment_id}, timeout=timeout).status_code
            )

        out(f"Bench stack up (logs: {log_dir}); {requests_per_phase} requests per phase, {concurrency} at once")

        def run_phase(name, jobs):
            if name not in FLOOR_PATHS:
                phases.append(load(name, jobs, concurrency=concurrency, time_limit=phase_time_limit))
                return
            # A hot path and its floor request by request, in turn, in one phase: both meet the
            # same machine (the bench shares it), so their ratio is about the shop, not the moment.
            floors = floor(name, len(jobs))
            mixed = [job for pair in zip(jobs, floors, strict=True) for job in pair]
            together = load(name, mixed, concurrency=concurrency, time_limit=phase_time_limit)
            phases.extend(together.split({id(job): name for job in jobs}, FLOOR + name))

        run_phase("trivial view (before)", [get("/bench/trivial")] * requests_per_phase)
        run_phase("shop page", [get("/en/")] * requests_per_phase)
        run_phase("checkout POST", [checkout(cookies, form) for cookies, form in carts])

        # Half the new orders get paid at Mollie (its webhook is ours to send); half stay open.
        with stack.models():
            orders = [Order.get(order_id_for_checkout(checkout_id), consistent_read=True) for checkout_id in payment_of]
        paid, still_open = orders[: len(orders) // 2], orders[len(orders) // 2 :]
        for order in paid:
            stack.settle_at_mollie(order.latest_mollie_payment_id, "paid")

        def status(order):
            return get(f"/en/orders/{order.order_id}/{order.public_token}/status.json")

        repeat = _repeat_to(requests_per_phase)
        run_phase("webhook, first (paid)", [webhook(o.latest_mollie_payment_id) for o in paid])
        run_phase("webhook, duplicate", [webhook(o.latest_mollie_payment_id) for o in paid])
        run_phase("status poll, finished order", repeat([status(o) for o in paid]))
        run_phase("status poll, open order, pull due", [status(o) for o in still_open])
        run_phase("status poll, open order, pulled recently", [status(o) for o in still_open])
        run_phase("trivial view (after)", [get("/bench/trivial")] * requests_per_phase)
        floor_server.stop()
    return phases, replays


FLOOR = "floor: "


def _start_floor_server(stack, log_dir):
    """Records one request of each hot path in this process, then starts the floor server
    (bench/floors.py) replaying them; returns its URL, its process and what each floor replays."""
    import pickle

    from chaos.stack import PYTHON, Process

    scripts = record_scripts(stack)
    scripts_file = Path(log_dir) / "floor-scripts.pickle"
    scripts_file.write_bytes(pickle.dumps(scripts))
    command = [PYTHON, "-m", "bench.floors", str(scripts_file), "--aws-endpoint", stack.moto_url]
    server = Process("floor", [*command, "--mollie-endpoint", stack.sandbox_url], env=stack.base_env(), log_dir=log_dir)
    server.start()
    return server.wait_for_line("floor server listening on "), server, describe(scripts)


def _repeat_to(count):
    def repeat(jobs):
        return [jobs[index % len(jobs)] for index in range(count)] if jobs else []

    return repeat


def _input(page, name):
    tag = next(tag for tag in re.findall(r"<input[^>]*>", page) if f'name="{name}"' in tag)
    return re.search(r'value="([^"]*)"', tag).group(1)


def report(phases, concurrency):
    trivial = Phase(
        "trivial view",
        [latency for phase in phases if phase.name.startswith("trivial view") for latency in phase.latencies],
    )
    base50, base95 = trivial.percentile(0.5), trivial.percentile(0.95)
    lines = [
        f"Request latency under load ({concurrency} concurrent clients), as a ratio to the trivial view "
        f"in the same run:",
        f"  {'request':<42} {'n':>4} {'p50 ×':>7} {'p95 ×':>7}  answers",
    ]
    for phase in phases:
        answers = ", ".join(f"{status}×{count}" for status, count in sorted(phase.statuses.items(), key=str))
        lines.append(
            f"  {phase.name:<42} {len(phase.latencies):>4} {phase.percentile(0.5) / base50:>7.1f} "
            f"{phase.percentile(0.95) / base95:>7.1f}  {answers}{'  (cut short)' if phase.cut_short else ''}"
        )
    lines.append(
        f"  (the trivial view itself: p50 {base50 * 1000:.1f} ms, p95 {base95 * 1000:.1f} ms on this machine; "
        f"for context only)"
    )
    return "\n".join(lines)


FLOOR_AIM = 1.3  # issue 33: each hot path within 1.3x its floor at p50 and p95


def floor_figures(phases, replays):
    """Each hot path against its floor, measured in the same run: milliseconds and path / floor."""
    by_name = {phase.name: phase for phase in phases}
    floors = {}
    for name, url_name in FLOOR_PATHS.items():
        path, floor = by_name.get(name), by_name.get(FLOOR + name)
        if path is None or floor is None or not path.latencies or not floor.latencies:
            floors[name] = None
            continue
        figures = {"replays": replays.get(url_name)}
        for share, label in ((0.5, "p50"), (0.95, "p95")):
            path_ms, floor_ms = path.percentile(share) * 1000, floor.percentile(share) * 1000
            figures[label] = {
                "path_ms": round(path_ms, 1),
                "floor_ms": round(floor_ms, 1),
                "ratio": round(path_ms / floor_ms, 2),
            }
        figures["within_aim"] = all(figures[label]["ratio"] <= FLOOR_AIM for label in ("p50", "p95"))
        floors[name] = figures
    return floors


def floor_report(floors):
    lines = [f"Hot paths against their floors (the same calls, no Django; aim: within {FLOOR_AIM}x at p50 and p95):"]
    for name, figures in floors.items():
        if figures is None:
            lines.append(f"  {name:<30} (not measured)")
            continue
        p50, p95 = figures["p50"], figures["p95"]
        lines.append(
            f"  {name:<30} p50 {p50['path_ms']:7.1f} / {p50['floor_ms']:7.1f} ms = {p50['ratio']:5.2f}x   "
            f"p95 {p95['path_ms']:7.1f} / {p95['floor_ms']:7.1f} ms = {p95['ratio']:5.2f}x   [{figures['replays']}]"
        )
    return "\n".join(lines)


def figures(phases, concurrency):
    """The report's figures as data (artifacts/bench.json): each phase's p50/p95 over the trivial view's."""
    trivial = [latency for phase in phases if phase.name.startswith("trivial view") for latency in phase.latencies]
    base = Phase("trivial view", trivial)
    base50, base95 = base.percentile(0.5), base.percentile(0.95)
    return {
        "concurrency": concurrency,
        "trivial_view_ms": {"p50": round(base50 * 1000, 1), "p95": round(base95 * 1000, 1)},
        "phases": {
            phase.name: {
                "requests": len(phase.latencies),
                # None, not NaN (which JSON has not), for a phase that had no request to time.
                "p50_ratio": round(phase.percentile(0.5) / base50, 2) if phase.latencies else None,
                "p95_ratio": round(phase.percentile(0.95) / base95, 2) if phase.latencies else None,
                "answers": {str(status): count for status, count in phase.statuses.items()},
                "cut_short": phase.cut_short,
            }
            for phase in phases
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per phase (default 200)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--phase-time-limit", type=float, default=60.0, help="seconds per phase at most")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not 10 <= args.requests <= 5000 or not 1 <= args.concurrency <= 64:
        parser.error("--requests must be 10..5000 and --concurrency 1..64")
    phases, replays = run(
        requests_per_phase=args.requests, concurrency=args.concurrency, phase_time_limit=args.phase_time_limit
    )
    floors = floor_figures(phases, replays)
    print(report(phases, args.concurrency))
    print(floor_report(floors))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**figures(phases, args.concurrency), "floors": floors}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
