"""Chaos ends with a retention run on its orders, as if both clocks had passed for every closed
order: the invariants are checked after it (counters included), and a second run changes nothing."""

from privacy import retention
from privacy.policy import Clock

# Every closed order due now: no chargeback window, personal data kept "minus a day".
ALL_DUE = Clock(personal_days=-1, accounting_years=7, chargeback_days=0)


def run_twice(counts, violations) -> None:
    first = retention.run(clock=ALL_DUE)
    counts["orders anonymised by retention"] = first.anonymised
    counts["orders kept by retention (open, unshipped, disputed)"] = first.looked_at - first.anonymised
    if first.errors or first.stopped_early:
        violations.append(f"retention run failed: {first.errors[:5]} (stopped early: {first.stopped_early})")
    second = retention.run(clock=ALL_DUE)
    if (second.anonymised, second.deleted, second.items_changed) != (0, 0, 0):
        violations.append(f"a second retention run changed things: {second.as_dict()}")
