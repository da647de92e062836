"""Scaffolding for tests that act while something else runs: calls raced against each other from
one starting line, and bounded waiting for another thread or server to get somewhere."""

import threading
import time


def run_concurrently(*calls, timeout=60):
    """Runs each call in a thread of its own, all released at once by a barrier, and returns what
    each returned, in order.

    What a call raises is re-raised here (the first one), so an error in a thread fails the test
    instead of only being printed; a call that expects to be refused catches that itself.
    """
    starting_line = threading.Barrier(len(calls), timeout=timeout)
    results = [None] * len(calls)
    errors = [None] * len(calls)

    def run(index, call):
        try:
            starting_line.wait()
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 (handed to the test's thread below)
            errors[index] = error

    threads = [threading.Thread(target=run, args=(index, call), daemon=True) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"a concurrent call still ran after {timeout} s")
    for error in errors:
        if error is not None:
            raise error
    return results


def wait_until(condition, timeout=10.0, what="the condition", *, interval=0.05):
    """Polls `condition` until it returns something truthy, which is returned; fails the test
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
