"""Reconciliation's items run RECONCILE_WORKERS at once: each is counted once, a write refused for
lack of time leaves its item to the next run, and an unexpected error still ends the run."""

import threading

import pytest

from config import deadline
from payments.services import ReconcileSummary
from payments.services.reconciliation import RECONCILE_ITEM_ERRORS, _for_each

pytestmark = pytest.mark.pure


def test_items_refused_for_lack_of_time_are_left_for_the_next_run_and_item_errors_noted(settings):
    settings.RECONCILE_WORKERS = 4
    summary, done, lock = ReconcileSummary(), [], threading.Lock()
    item_error = RECONCILE_ITEM_ERRORS[0]

    def work(number):
        if number % 10 == 3:
            raise deadline.DeadlineExceeded("DynamoDB UpdateItem: 1.0 s left, 4.0 s needed")
        if number % 10 == 7:
            raise item_error("Mollie is busy")
        with lock:
            done.append(number)

    _for_each(range(100), work, summary, key=str)

    assert sorted(done) == [n for n in range(100) if n % 10 not in (3, 7)]
    assert summary.left_for_next_run == 10
    assert len(summary.errors) == 10 and all("Mollie is busy" in error for error in summary.errors)


def test_an_unexpected_error_ends_the_run_without_starting_the_items_left(settings):
    settings.RECONCILE_WORKERS = 2
    started, gate = [], threading.Event()

    def work(number):
        started.append(number)
        if number == 0:
            raise RuntimeError("a bug, not an item's trouble")
        gate.wait(5)

    threading.Timer(0.5, gate.set).start()
    with pytest.raises(RuntimeError, match="a bug"):
        _for_each(range(200), work, ReconcileSummary(), key=str)
    assert len(started) < 200
