"""`make bench`: every figure of the benchmark, in one run, into artifacts/bench.json.

Each part runs in its own process (its own local stack), one after the other, prints its own
report and writes its figures to artifacts/bench/<key>.json; they are then merged into
artifacts/bench.json, where a part that failed, or that does not exist yet, is null:

- latency: p50/p95 under load as ratios to a trivial view (bench/latency.py), and `floors`: each
  hot path against the same calls made with no Django (bench/floors.py);
- calls_per_request: DynamoDB and Mollie calls per request, with their budgets (bench/call_counts.py);
- staff_at_scale: staff pages' calls and read units at 1,000 and 20,000 orders (bench/staff_scale.py);
- package and cold_start: package sizes and the cold start against a bare Django project, ratios
  pair by pair (bench/deploy_bench.py).

Ratios are measured within this run; the machine's load is recorded with them.
"""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
PARTS = [
    ("latency", "Latency", [sys.executable, "-m", "bench.latency", *sys.argv[1:]]),
    ("calls_per_request", "Calls per request", [sys.executable, "-m", "bench.call_counts"]),
    ("staff_at_scale", "Staff pages at scale", [sys.executable, "-m", "bench.staff_scale"]),
    ("deploy", "Package size and cold start", [sys.executable, "bench/deploy_bench.py"]),
]
PART_TIMEOUT = 900


def run_part(key, title, command):
    """Runs one part; returns its figures, or None when it failed."""
    output = ARTIFACTS / "bench" / f"{key}.json"
    output.unlink(missing_ok=True)
    command = [*command, "--json", str(output)]
    print(f"\n== {title} ({' '.join(command[1:])})", flush=True)
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, timeout=PART_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"{title}: stopped after {PART_TIMEOUT} s")
        return None
    print(f"({title}: {time.monotonic() - started:.0f} s)", flush=True)
    if done.returncode != 0 or not output.exists():
        return None
    return json.loads(output.read_text())


def merge(figures):
    """One document: the parts' figures under their keys, the deploy part split in two."""
    deploy = figures.pop("deploy", None)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        **figures,
        # Each hot path against its floor (the same calls with no Django), from the latency part.
        "floors": (figures.get("latency") or {}).get("floors"),
        "package": deploy["package"] if deploy else None,
        "cold_start": {key: value for key, value in deploy.items() if key != "package"} if deploy else None,
    }


def main():
    figures = {key: run_part(key, title, command) for key, title, command in PARTS}
    failed = [title for key, title, _ in PARTS if figures[key] is None]
    (ARTIFACTS / "bench.json").write_text(json.dumps(merge(figures), indent=2) + "\n")
    print(f"\nAll figures: {(ARTIFACTS / 'bench.json').relative_to(ROOT)}")
    if failed:
        print(f"Failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
