"""The chaos run's report: 503s counted by what explains them, and whether the local stack kept up."""

from collections import Counter

import pytest

from chaos.run import ChaosConfig, ChaosResult, _busy_answers, kept_up, report

pytestmark = pytest.mark.pure

SHOP_LOG = """INFO config.request_log GET / 200
WARNING config.busy storage unavailable, answered 503
WARNING chaos chaos 503: injected throttling | shop:index | ClientError
WARNING chaos chaos 503: injected throttling | shop:index | ClientError
WARNING chaos chaos 503: injected Mollie API error | payments:webhook | PaymentProviderUnavailable
WARNING chaos chaos 503: none injected | shop:checkout | DeadlineExceeded
"""


def result_with(busy, *, seconds=100.0, unanswered=0):
    result = ChaosResult(config=ChaosConfig(shoppers=10, duration_limit=600), seconds=seconds, busy_answers=busy)
    result.counts["webhooks left unanswered for 15 s"] = unanswered
    result.notes = Counter({"503 got past by trying again 1×": 3, "503 not got past by trying again": 1})
    return result


def test_503s_are_counted_by_cause_view_and_error():
    assert _busy_answers(SHOP_LOG) == {
        ("injected throttling", "shop:index", "ClientError"): 2,
        ("injected Mollie API error", "payments:webhook", "PaymentProviderUnavailable"): 1,
        ("none injected", "shop:checkout", "DeadlineExceeded"): 1,
    }


def test_the_stack_kept_up_only_if_every_503_is_explained_and_every_webhook_answered():
    explained = Counter({("injected throttling", "shop:index", "ClientError"): 2})

    assert kept_up(result_with(explained)) == (True, [])
    assert kept_up(result_with(_busy_answers(SHOP_LOG))) == (False, ["1 503s that no injected fault explains"])
    assert kept_up(result_with(explained, unanswered=2)) == (False, ["2 webhooks left unanswered for 15 s"])
    assert kept_up(result_with(explained, seconds=601)) == (False, ["took 601 s, over the 600 s limit"])


def test_the_report_lists_the_503s_and_says_whether_the_stack_kept_up():
    text = report(result_with(_busy_answers(SHOP_LOG)))

    assert "      2× injected throttling | shop:index | ClientError" in text
    assert "got past by trying again: 3; not got past: 1" in text
    assert "kept up" in text and "no: 1 503s that no injected fault explains" in text
