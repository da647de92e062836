"""`make bench`: latency ratios under load, DynamoDB and Mollie calls per request, then the staff
pages' calls at 1,000 and 20,000 orders.

Each part runs in its own process (its own local stack), one after the other, and prints its
own report. Package size and cold start come from `make bench-deploy` (bench/deploy_bench.py),
which the Makefile's `bench` target runs afterwards when it exists.
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = [
    ("Latency", [sys.executable, "-m", "bench.latency", *sys.argv[1:]]),
    ("Calls per request", [sys.executable, "-m", "bench.call_counts"]),
    # Writes artifacts/staff-scale.json (merged into artifacts/bench.json where that is written).
    ("Staff pages at scale", [sys.executable, "-m", "bench.staff_scale"]),
]
PART_TIMEOUT = 900


def main():
    failed = []
    for title, command in PARTS:
        print(f"\n== {title} ({' '.join(command[1:])})", flush=True)
        started = time.monotonic()
        try:
            done = subprocess.run(command, cwd=ROOT, timeout=PART_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"{title}: stopped after {PART_TIMEOUT} s")
            failed.append(title)
            continue
        print(f"({title}: {time.monotonic() - started:.0f} s)", flush=True)
        if done.returncode != 0:
            failed.append(title)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
