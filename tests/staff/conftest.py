"""The staff pages' tests log in many times: every test here hashes passwords fast.

Staff members, logged-in clients and orders in a known state come from tests/fixtures/."""

import pytest


@pytest.fixture(autouse=True)
def _every_test_hashes_passwords_fast(fast_password_hashing):
    pass
