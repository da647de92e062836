"""The one retry helper for optimistic writes (config.dynamodb.optimistic_retries): what each
DynamoDB answer leads to, read from the error and its CancellationReasons."""

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, UpdateError, VerboseClientError

from config import deadline, dynamodb

pytestmark = pytest.mark.pure


def canceled(*codes):
    reasons = [CancellationReason(code=code) if code else None for code in codes]
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "canceled"}},
        "TransactWriteItems",
        cancellation_reasons=reasons,
    )
    return TransactWriteError("Failed to write transaction items", cause=cause)


def failed_update(code):
    return UpdateError(
        "Failed to update item", cause=VerboseClientError({"Error": {"Code": code, "Message": code}}, "UpdateItem")
    )


def run(outcomes, **options):
    """Drives a read-decide-write loop whose writes fail with `outcomes`, then succeed."""
    sleeps, tries = [], []
    outcomes = list(outcomes)

    def write():
        for attempt in dynamodb.optimistic_retries("SO-1", sleep=sleeps.append, **options):
            tries.append(attempt.number)
            try:
                if outcomes:
                    raise outcomes.pop(0)
            except (TransactWriteError, UpdateError) as error:
                attempt.lost(error)
                continue
            return "written"
        dynamodb.retries_exhausted("SO-1")  # as the callers end: the loop raises before this

    return write(), tries, sleeps


def test_a_failed_condition_is_re_read_at_once():
    result, tries, sleeps = run(
        [canceled(None, "ConditionalCheckFailed"), failed_update("ConditionalCheckFailedException")]
    )
    assert (result, tries, sleeps) == ("written", [0, 1, 2], [])


def test_conflicts_and_throttling_back_off_with_full_jitter_growing_exponentially():
    busy = [
        canceled("TransactionConflict", None),
        canceled(None, "ThrottlingError"),
        failed_update("TransactionConflictException"),
        canceled("ConditionalCheckFailed", "TransactionConflict"),
    ]
    result, tries, sleeps = run(busy, rng=lambda: 1.0)  # the top of each jitter range
    assert result == "written" and len(tries) == 5
    base = dynamodb.BACKOFF_BASE_SECONDS
    assert sleeps == [base, base * 2, base * 4, base * 8]

    _, _, jittered = run(busy, rng=lambda: 0.25)
    assert jittered == [delay / 4 for delay in sleeps]


def test_back_off_is_capped():
    _, _, sleeps = run([canceled("ThrottlingError")] * 7, rng=lambda: 1.0)
    assert max(sleeps) == dynamodb.BACKOFF_CAP_SECONDS


def test_a_validation_error_is_raised_at_once_it_is_a_bug():
    with pytest.raises(TransactWriteError):
        run([canceled("ValidationError", None)])
    tries = []

    def lose_to_a_validation_error():
        for attempt in dynamodb.optimistic_retries("SO-1", sleep=lambda seconds: None):
            tries.append(attempt.number)
            try:
                raise canceled(None, "ValidationError", "TransactionConflict")
            except TransactWriteError as error:
                attempt.lost(error)

    with pytest.raises(TransactWriteError):
        lose_to_a_validation_error()
    assert tries == [0]


def test_other_errors_are_not_taken_for_a_lost_race():
    with pytest.raises(UpdateError):
        run([failed_update("ResourceNotFoundException")])


def test_exhausted_tries_raise_concurrent_update_conflict():
    with pytest.raises(dynamodb.ConcurrentUpdateConflict):
        run([canceled("TransactionConflict")] * dynamodb.MAX_WRITE_RETRIES)
    with pytest.raises(dynamodb.ConcurrentUpdateConflict):
        run([canceled("ConditionalCheckFailed")] * 3, attempts=3)


def test_the_line_after_the_loop_would_raise_the_same_conflict():
    with pytest.raises(dynamodb.ConcurrentUpdateConflict, match="SO-1"):
        dynamodb.retries_exhausted("SO-1")


def test_no_back_off_that_would_outlast_the_deadline():
    token = deadline.start(deadline.write_seconds() + 0.01)
    try:
        with pytest.raises(dynamodb.ConcurrentUpdateConflict):
            run([canceled("TransactionConflict")], rng=lambda: 1.0)
    finally:
        deadline.reset(token)
