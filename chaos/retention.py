"""Chaos ends with a retention run on its orders, as if both clocks had passed for every closed
order: the invariants are checked after it (counters included), and a second run changes nothing."""

from privacy import retention
from privacy.policy import Clock

# Every closed order due now: no chargeback window, personal data kept "minus a day".
ALL_DUE = Clock(personal_days=-1, accounting_years=7, chargeback_days=0)


RUNS_TO_FINISH = 3  # a run that a throttle or the deadline cut short goes on at the next one


def run_twice(counts, violations) -> None:
    """Runs retention until one run finishes cleanly (as the daily schedule would: DynamoDB's
    throttles may still be injected), then again until one finishes, which must change nothing."""
    first = _until_one_finishes(counts, violations, label="retention")
    counts["orders anonymised by retention"] = sum(run.anonymised for run in first)
    counts["orders kept by retention (open, unshipped, disputed)"] = first[-1].looked_at - first[-1].anonymised
    second = _until_one_finishes(counts, violations, label="second retention")
    changed = [run.as_dict() for run in second if (run.anonymised, run.deleted, run.items_changed) != (0, 0, 0)]
    if changed:
        violations.append(f"a second retention run changed things: {changed}")


def _until_one_finishes(counts, violations, *, label):
    runs = []
    for attempt in range(1, RUNS_TO_FINISH + 1):
        runs.append(retention.run(clock=ALL_DUE))
        if not (runs[-1].errors or runs[-1].stopped_early):
            break
        counts[f"{label} runs cut short (gone on next time)"] = attempt
    else:
        violations.append(f"{label} did not finish in {RUNS_TO_FINISH} runs: {runs[-1].errors[:5]}")
    return runs
