"""The chaos run's invariant check outlasts the double's throttle windows, which go on after the
shoppers left; any other error still ends the run."""

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import ScanError

from chaos import invariants, run

pytestmark = pytest.mark.pure


def scan_error(code):
    return ScanError("Failed to scan table", ClientError({"Error": {"Code": code, "Message": "no"}}, "Scan"))


@pytest.fixture
def check(monkeypatch):
    answers = []
    calls = []

    def fake_check(**evidence):
        calls.append(evidence)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(invariants, "check", fake_check)
    monkeypatch.setattr(run.time, "sleep", lambda seconds: None)
    return answers, calls


def test_a_throttled_read_is_read_again_after_the_window(check):
    answers, calls = check
    answers += [scan_error("ThrottlingException"), scan_error("ProvisionedThroughputExceededException"), "findings"]

    assert run._check_invariants(window_seconds=2.0, mollie_payments=[]) == "findings"
    assert len(calls) == 3


def test_other_errors_and_endless_throttling_end_the_run(check):
    answers, _ = check
    answers += [scan_error("ValidationException")]
    with pytest.raises(ScanError):
        run._check_invariants(window_seconds=2.0)

    answers += [scan_error("ThrottlingException")] * 5
    with pytest.raises(ScanError):
        run._check_invariants(window_seconds=2.0, tries=5)
    assert answers == []
