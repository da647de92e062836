"""Chaos ends with a retention run on its orders, as if both clocks had passed for every closed
order: the invariants are checked after it (counters included), and a second run changes nothing."""

from privacy import retention
from privacy.policy import Clock

# Every closed order due now: no chargeback window, personal data kept "minus a day".
ALL_DUE = Clock(personal_days=-1, accounting_years=7, chargeback_days=0)


RUNS_TO_FINISH = 3  # a run that a throttle or the deadline cut short goes on at the next one


def run_twice(counts, violations) -> None:
    """Runs retention until one run finishes cleanly (as the daily schedule would: DynamoDB's
    throttles may still be injected), then once more, which must change nothing."""
    anonymised = 0
    for attempt in range(1, RUNS_TO_FINISH + 1):
        run = retention.run(clock=ALL_DUE)
        anonymised += run.anonymised
        if not (run.errors or run.stopped_early):
            break
        counts["retention runs cut short (gone on next time)"] = attempt
    else:
        violations.append(f"retention did not finish in {RUNS_TO_FINISH} runs: {run.errors[:5]}")
    counts["orders anonymised by retention"] = anonymised
    counts["orders kept by retention (open, unshipped, disputed)"] = run.looked_at - run.anonymised
    second = retention.run(clock=ALL_DUE)
    if (second.anonymised, second.deleted, second.items_changed) != (0, 0, 0):
        violations.append(f"a second retention run changed things: {second.as_dict()}")
