"""The staff fixtures (a staff member and a logged-in client) for the customer-data pages."""

from tests.staff.conftest import fast_password_hashing, staff_client, staff_member  # noqa: F401 (fixtures)
