"""`make test` keeps the tests that share a costly set-up on one worker (`_shared_setup` in
tests/conftest.py, through pytest-xdist's `--dist loadgroup`). If that grouping silently stops,
as it did with pytest 9.2 (pytest-dev/pytest-xdist#1386), each worker builds the Zappa package and
deploys its stage again: this test fails instead."""

import pytest


@pytest.fixture(scope="module")
def module_set_up():
    """A module-scoped fixture: what makes `_shared_setup` group this module's tests."""
    return object()


def test_a_module_with_a_shared_set_up_runs_as_one_group(module_set_up, request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs under `--dist loadgroup` (make test), where the groups are made")

    assert request.node.nodeid.endswith(f"@{__name__}"), request.node.nodeid
