"""Staff writes: accounts, passwords, and the failed-login counters that slow down guessing.

Order and payment actions taken by staff are not here: they are the payment workflow's own
(`payments.services`), so that staff, webhooks and reconciliation leave the same trace.
"""

import ipaddress
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from pynamodb.exceptions import PutError, UpdateError

from config.dynamodb import get_or_none, is_condition_failure, optimistic_retries, retries_exhausted, save_new
from staff import selectors
from staff.models import LoginThrottle, StaffMember, normalize_username

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")


class StaffAccountError(Exception):
    """A refused account change, with a message fit to show."""


class WrongPassword(StaffAccountError):
    pass


class LoginLocked(Exception):
    """Too many failed logins for this username or from this address; no password is checked."""

    def __init__(self, locked_until):
        super().__init__(f"Login locked until {locked_until.isoformat()}")
        self.locked_until = locked_until


def login_limits():
    """(failures per username, failures per client address, window, lockout) from settings."""
    return (
        settings.STAFF_LOGIN_MAX_FAILURES,
        # Higher than per username: several staff members may share one office address.
        settings.STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS,
        timedelta(seconds=settings.STAFF_LOGIN_WINDOW_SECONDS),
        timedelta(seconds=settings.STAFF_LOGIN_LOCKOUT_SECONDS),
    )


# --- Accounts -----------------------------------------------------------------------------------


def validate_new_password(password, *, username="", display_name=""):
    """Raises django's ValidationError with every reason the password is too weak."""
    # Django's cached set: building it anew reads the 20,000 common passwords each time.
    validators = password_validation.get_default_password_validators()
    member = StaffMember(normalize_username(username), display_name=display_name)
    # Django's validators only read attributes (username, display_name) of the user they get.
    password_validation.validate_password(
        password,
        user=member,  # type: ignore[arg-type]
        password_validators=validators,
    )


def create_staff_member(*, username, password, display_name="", now=None) -> StaffMember:
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username):
        raise StaffAccountError("A username is 1 to 64 characters: letters, digits and . _ @ + -")
    try:
        validate_new_password(password, username=username, display_name=display_name)
    except ValidationError as error:
        raise StaffAccountError(" ".join(error.messages)) from error
    now = now or timezone.now()
    member = StaffMember(
        username,
        display_name=display_name,
        password=make_password(password),
        active=True,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    if not save_new(member):
        raise StaffAccountError(f"A staff member named {username!r} exists already.")
    return member


def set_password(*, username, password, now=None) -> StaffMember:
    """Sets a new password. Every session made with the old one stops working (see staff.auth)."""
    member = selectors.staff_member(username)
    if member is None:
        raise StaffAccountError(f"There is no staff member named {normalize_username(username)!r}.")
    try:
        validate_new_password(password, username=member.username, display_name=member.display_name)
    except ValidationError as error:
        raise StaffAccountError(" ".join(error.messages)) from error
    now = now or timezone.now()
    member.update(
        actions=[
            StaffMember.password.set(make_password(password)),
            StaffMember.password_changed_at.set(now),
            StaffMember.updated_at.set(now),
        ],
        add_version_condition=False,
    )
    return member


def set_active(*, username, active, now=None) -> StaffMember:
    """Disables (or enables again) an account. A disabled member's sessions end on their next
    request and they cannot log in (see staff.auth)."""
    member = selectors.staff_member(username)
    if member is None:
        raise StaffAccountError(f"There is no staff member named {normalize_username(username)!r}.")
    member.update(
        actions=[StaffMember.active.set(active), StaffMember.updated_at.set(now or timezone.now())],
        add_version_condition=False,
    )
    return member


def change_password(*, username, current_password, new_password, client_address, now=None) -> StaffMember:
    """A staff member's own change. The current password is checked like a login, throttle
    included: a stolen session must not become a way to guess the password."""
    if _verified_member(username, current_password, client_address, now or timezone.now()) is None:
        raise WrongPassword("Your current password is not correct.")
    return set_password(username=username, password=new_password, now=now)


# --- Logging in ---------------------------------------------------------------------------------


def authenticate(*, username, password, client_address, now=None) -> StaffMember | None:
    """The staff member for this username and password, or None; raises LoginLocked.

    A failure counts against the username and against the client's address, so guessing is
    slowed down both for one account and for one machine trying many accounts.
    """
    now = now or timezone.now()
    member = _verified_member(username, password, client_address, now)
    if member is not None:
        member.update(actions=[StaffMember.last_login_at.set(now)], add_version_condition=False)
    return member


def _verified_member(username, password, client_address, now):
    username = normalize_username(username)
    max_per_username, max_per_address, window, lockout = login_limits()
    username_key, address_key = f"username:{username}", _address_key(client_address)
    # Each try is counted before its password is hashed, in one conditional write per counter:
    # parallel guesses cannot all pass a lock check while the first ones are still hashing.
    # The address first, so that a locked address cannot use up an account's tries.
    claims = [
        (address_key, _claim_attempt(address_key, max_per_address, now, window, lockout), max_per_address),
        (username_key, _claim_attempt(username_key, max_per_username, now, window, lockout), max_per_username),
    ]

    member = selectors.staff_member(username) if USERNAME_PATTERN.match(username) else None
    if member is None:
        make_password(password)  # as slow as a real check, so timing does not reveal usernames
    elif check_password(password, member.password, setter=lambda raw: _rehash(member, raw)) and member.active:
        _forget_failures(username_key, now)
        _give_back_attempt(address_key)  # colleagues behind one office address are not failures
        return member

    locks = [_lock_after_last_attempt(key, number, limit, now, window, lockout) for key, number, limit in claims]
    locked_until = max(filter(None, locks), default=None)
    if locked_until:
        raise LoginLocked(locked_until)
    return None


def _address_key(client_address):
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return "address:unknown"
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.version == 6:
        # One IPv6 host usually owns a whole /64; counting single addresses would be easy to dodge.
        return f"address:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"address:{address}"


def _unlocked(now):
    return LoginThrottle.locked_until.does_not_exist() | (LoginThrottle.locked_until <= now)


def _claim_attempt(key, limit, now, window, lockout) -> int:
    """Counts one try in the key's current window and returns its number; raises LoginLocked
    when the key is locked or its window has no tries left (some may still be being checked)."""
    expires_at = now + window + lockout
    # This many writers on one counter at once is an attack, not a colleague: refuse this try.
    for claim_try in optimistic_retries(key, on_exhausted=lambda: LoginLocked(now + lockout)):
        counter = LoginThrottle(key)
        try:
            counter.update(
                actions=[LoginThrottle.attempts.add(1), LoginThrottle.expires_at.set(expires_at)],
                condition=(LoginThrottle.window_started_at > now - window)
                & (LoginThrottle.attempts < limit)
                & _unlocked(now),
            )
            return int(counter.attempts)  # NumberAttribute is typed float; it holds an int
        except UpdateError as error:
            claim_try.lost(error)
        counter = get_or_none(LoginThrottle, key)
        if counter is not None and counter.locked_until and counter.locked_until > now:
            raise LoginLocked(counter.locked_until)
        if counter is not None and counter.window_started_at > now - window:
            if counter.attempts >= limit:
                # The last allowed tries are still being checked; if they fail, they lock the key.
                raise LoginLocked(now + lockout)
            continue  # it changed between our write and our read: claim again
        # No counter yet, or its window is over: this try starts a new one.
        counter = LoginThrottle(key, attempts=1, window_started_at=now, expires_at=expires_at)
        try:
            counter.save(
                condition=LoginThrottle.throttle_key.does_not_exist()
                | ((LoginThrottle.window_started_at <= now - window) & _unlocked(now))
            )
            return 1
        except PutError as error:
            claim_try.lost(error)
    retries_exhausted(key)


def _lock_after_last_attempt(key, number, limit, now, window, lockout):
    """A failed try that used up the window locks the key; returns the lock's end, or None."""
    if number < limit:
        return None
    locked_until = now + lockout
    # The lock starts a fresh window, so once it ends the full number of tries is back.
    LoginThrottle(key).update(
        actions=[
            LoginThrottle.locked_until.set(locked_until),
            LoginThrottle.attempts.set(0),
            LoginThrottle.window_started_at.set(now),
            LoginThrottle.expires_at.set(locked_until + window),
        ]
    )
    return locked_until


def _give_back_attempt(key):
    try:
        LoginThrottle(key).update(actions=[LoginThrottle.attempts.add(-1)], condition=LoginThrottle.attempts > 0)
    except UpdateError as error:
        if not is_condition_failure(error):
            raise


def _forget_failures(key, now):
    # An update, not a delete: the deployed stages' IAM policy grants no DeleteItem. The
    # conditions keep a lock that started meanwhile.
    try:
        LoginThrottle(key).update(
            actions=[LoginThrottle.attempts.set(0), LoginThrottle.window_started_at.set(now)],
            condition=LoginThrottle.throttle_key.exists()
            & (LoginThrottle.locked_until.does_not_exist() | (LoginThrottle.locked_until <= now)),
        )
    except UpdateError as error:
        if not is_condition_failure(error):
            raise


def _rehash(member, raw_password):
    """Django's hashers grow stronger with upgrades; store the stronger hash after a good login.

    The member's other sessions end, as after a password change (their session hash is made
    from the stored hash); that happens only after an upgrade of Django's hasher settings.
    """
    old_hash = member.password
    try:
        member.update(
            actions=[StaffMember.password.set(make_password(raw_password))],
            condition=StaffMember.password == old_hash,
            add_version_condition=False,
        )
    except UpdateError as error:
        if not is_condition_failure(error):  # the password was changed meanwhile: keep the new one
            raise
