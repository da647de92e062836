"""Staff accounts, their sessions and failed-login counters, stored in DynamoDB.

Access patterns:
- staff member by username (login, every staff request, createstaff): GetItem on
  `staff_members.username`; usernames are stored lower-case, so the key is the normalized name.
- login-try counter by username and by client address (login throttling): conditional
  UpdateItem / PutItem, GetItem on `staff_login_throttles.throttle_key`
  ("username:<name>" or "address:<ip>"). Stale counters expire through `expires_at` (DynamoDB TTL).
- staff session by its key (every staff request, login, logout): GetItem / conditional PutItem /
  UpdateItem on `staff_sessions.key_digest`; ended and stale sessions expire through `expires_at`.

Nothing here needs a list of all staff, so there is no index.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from config import dynamodb


def normalize_username(username) -> str:
    """The key a username is stored under: what staff type, without case or surrounding spaces."""
    return (username or "").strip().lower()


@dynamodb.table
class StaffMember(Model):
    class Meta:
        table_name = "staff_members"

    username = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute(default="")
    # A Django password hash ("pbkdf2_sha256$..."), never the password itself.
    password = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    password_changed_at = UTCDateTimeAttribute()
    last_login_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    @property
    def name_to_show(self):
        return self.display_name or self.username


@dynamodb.table
class LoginThrottle(Model):
    """Login tries for one username or one client address within the current window.

    A try is counted before its password is checked (so parallel guesses cannot outrun the
    count); a successful one is given back.
    """

    class Meta:
        table_name = "staff_login_throttles"

    throttle_key = UnicodeAttribute(hash_key=True)
    attempts = NumberAttribute(default=0)
    window_started_at = UTCDateTimeAttribute()
    locked_until = UTCDateTimeAttribute(null=True)
    # Anyone can make us write a counter by trying a made-up username; TTL keeps that bounded.
    expires_at = TTLAttribute(null=True)


@dynamodb.table
class StaffSession(Model):
    """A staff login, kept on the server so that it can be ended (see staff/sessions.py).

    Keyed by a SHA-256 digest of the session key, never the key itself: whoever reads the table
    (a backup, an export) cannot use a session from it.
    """

    class Meta:
        table_name = "staff_sessions"

    key_digest = UnicodeAttribute(hash_key=True)
    # Django's signed session encoding; removed when the session ends.
    session_data = UnicodeAttribute(null=True)
    # Also checked on every read: DynamoDB deletes expired items up to ~48 hours late.
    expires_at = TTLAttribute()


@dynamodb.table
class ExportJob(Model):
    """A CSV export too large to answer directly, written to S3 in the background (staff/exports.py).

    GetItem on `staff_exports.job_id` (the progress page, each step of the export). Removed a day
    after it was asked for (TTL); its file outlives it only as long as the bucket's rules say.
    """

    class Meta:
        table_name = "staff_exports"

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    job_id = UnicodeAttribute(hash_key=True)
    requested_by = UnicodeAttribute()
    filters = UnicodeAttribute(default="")  # the orders list's filters, as its query string
    status = UnicodeAttribute(default=QUEUED)
    rows_expected = NumberAttribute(default=0)
    rows_written = NumberAttribute(default=0)
    object_key = UnicodeAttribute()
    # S3 multipart upload: each step uploads whole parts and remembers where the orders go on.
    upload_id = UnicodeAttribute(null=True)
    parts = UnicodeAttribute(default="[]")  # JSON [[part number, ETag], ...]
    positions = UnicodeAttribute(null=True)  # JSON {index hash key: start key or "done"}
    steps = NumberAttribute(default=0)  # invocations so far: Lambda stops a chain of them after 16
    error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)
    version = VersionAttribute()
