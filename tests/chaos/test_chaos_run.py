"""The chaos run, small: 30 shoppers at once against the real stack with every fault switched on.

The full run is `make chaos` (300 shoppers), which runs this one too (`make test-long`): a run of a
minute or two, left out of `make test`, where the crash-safety tests and the invariant checker's
own tests stay. Here the DynamoDB throttle rate is low enough that
botocore's retries absorb it (the realistic case); `make chaos` shows what a heavier rate does.
"""

import pytest

from chaos.run import ChaosConfig, report, run


@pytest.mark.long
@pytest.mark.no_tables
def test_thirty_shoppers_with_faults_leave_every_payment_accounted_for(tmp_path):
    config = ChaosConfig(
        shoppers=30,
        seed=7,
        duration_limit=90,
        ramp_seconds=1.0,
        throttle_rate=0.05,
        api_error_rate=0.1,
        log_dir=str(tmp_path),
    )

    result = run(config, out=lambda *args: None)

    print(report(result))
    assert result.violations == []
    counts = result.counts
    # The faults really happened, so the invariants were tested against them.
    assert counts["DynamoDB throttles injected"] > 0
    assert counts["Mollie API answers 503"] > 0
    assert counts["webhooks dropped (fault)"] > 0
    assert counts["webhook duplicates (fault)"] > 0
    assert counts["Mollie payments paid"] > 0
    assert counts["orders anonymised by retention"] > 0  # and the invariants held after it
    assert counts["orders"] >= 25  # every shopper placed an order (a refused one retries with beans)
