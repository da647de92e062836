"""The demo staff login of a local run: created once, its password kept next to the local data
file (the git-ignored `.local/` folder for `make run`), so every run prints the same working login.
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password

from staff import selectors, services

DEMO_USERNAME = "staff"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str | None  # None when it was changed since, and is no longer known here
    created: bool


def ensure_demo_login() -> DemoLogin | None:
    """Creates the demo staff member if missing. Local stage only: never on a deployed stage."""
    if not settings.IS_LOCAL:
        return None
    # Next to the local data it unlocks: a run with another data file gets its own demo login.
    default_file = Path(settings.LOCAL_STACK_STATE_FILE).parent / "demo-staff-password"
    password_file = Path(getattr(settings, "STAFF_DEMO_PASSWORD_FILE", default_file))
    known = password_file.read_text().strip() if password_file.exists() else ""
    member = selectors.staff_member(DEMO_USERNAME)
    if member is not None:
        still_valid = bool(known) and check_password(known, member.password)
        return DemoLogin(DEMO_USERNAME, known if still_valid else None, created=False)
    # Reuse a kept password (e.g. after the local data file was deleted) so the login stays the same.
    password = known or secrets.token_urlsafe(12)
    services.create_staff_member(username=DEMO_USERNAME, password=password, display_name="Demo staff")
    if not known:
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.touch(mode=0o600)
        password_file.write_text(password + "\n")
    return DemoLogin(DEMO_USERNAME, password, created=True)
