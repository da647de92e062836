"""Staff login, logout, password change, and the throttling of failed logins."""

import functools
import io
import re
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from staff import services, sessions
from staff.models import LoginThrottle, StaffSession
from tests.concurrency import run_concurrently
from tests.fixtures.staff import STAFF_PASSWORD, log_in

LOCKED = "Too many failed logins"
WRONG = "Please enter the username and password of an active staff account."


def test_login_leads_to_the_dashboard_and_greets_by_name(staff_member):
    client = Client()

    response = log_in(client)

    assert response.status_code == 302 and response["Location"] == "/staff/"
    page = client.get("/staff/").content.decode()
    assert "Welcome, <strong>Grace Hopper</strong>" in page


def test_username_is_not_case_sensitive(staff_member):
    assert log_in(Client(), username="  Grace ").status_code == 302


@pytest.mark.parametrize("username, password", [("grace", "wrong password"), ("nobody", STAFF_PASSWORD)])
def test_wrong_password_or_unknown_user_get_the_same_answer(staff_member, username, password):
    client = Client()

    response = log_in(client, username=username, password=password)

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(staff_member):
    response = Client().post(
        "/staff/login/", {"username": "grace", "password": STAFF_PASSWORD, "next": "/staff/orders/?status=paid"}
    )
    assert response["Location"] == "/staff/orders/?status=paid"
    for elsewhere in ("https://evil.example/staff/", "//evil.example/staff/", "/en/cart/"):
        response = Client().post("/staff/login/", {"username": "grace", "password": STAFF_PASSWORD, "next": elsewhere})
        assert response["Location"] == "/staff/"


def test_the_login_page_keeps_next_from_the_redirect(staff_member):
    client = Client()
    redirect = client.get("/staff/orders/?status=paid")

    page = client.get(redirect["Location"]).content.decode()

    assert 'name="next" value="/staff/orders/?status=paid"' in page


def test_logout_ends_the_session(staff_client):
    response = staff_client.post("/staff/logout/")

    assert response["Location"] == "/staff/login/"
    assert staff_client.get("/staff/").status_code == 302
    assert "You are logged out." in staff_client.get("/staff/login/").content.decode()


def test_logout_is_post_only(staff_client):
    assert staff_client.get("/staff/logout/").status_code == 405
    assert staff_client.get("/staff/").status_code == 200


# --- Throttling ---------------------------------------------------------------------------------


def test_five_failures_lock_the_username_even_for_the_right_password(staff_member):
    client = Client()
    for _ in range(4):
        assert WRONG in log_in(client, password="guess").content.decode()

    fifth = log_in(client, password="guess")
    with_right_password = log_in(client)

    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    assert with_right_password.status_code == 429
    assert "locked for 15 more minutes" in with_right_password.content.decode()
    assert client.get("/staff/").status_code == 302
    counter = LoginThrottle.get("username:grace")
    assert counter.locked_until > timezone.now() + timedelta(minutes=14)


def test_the_lock_ends_after_fifteen_minutes(staff_member):
    start = timezone.now()
    for _ in range(4):
        assert services.authenticate(username="grace", password="guess", client_address="10.0.0.1", now=start) is None
    with pytest.raises(services.LoginLocked):
        services.authenticate(username="grace", password="guess", client_address="10.0.0.1", now=start)

    with pytest.raises(services.LoginLocked):
        services.authenticate(
            username="grace", password=STAFF_PASSWORD, client_address="10.0.0.1", now=start + timedelta(minutes=14)
        )
    member = services.authenticate(
        username="grace", password=STAFF_PASSWORD, client_address="10.0.0.1", now=start + timedelta(minutes=16)
    )

    assert member.username == "grace"


def test_failures_older_than_the_window_do_not_count(staff_member):
    start = timezone.now()
    for minute in (0, 1, 2, 3):
        services.authenticate(
            username="grace", password="guess", client_address="10.0.0.1", now=start + timedelta(minutes=minute)
        )

    # The window started at the first failure; sixteen minutes later a new one starts.
    later = start + timedelta(minutes=16)
    assert services.authenticate(username="grace", password="guess", client_address="10.0.0.1", now=later) is None
    assert LoginThrottle.get("username:grace").attempts == 1


def test_good_logins_from_one_office_address_never_lock_it(staff_member, settings):
    # Each try is counted before its password is checked; a good one is given back.
    settings.STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    office = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(5):
        assert log_in(office).status_code == 302
        office.post("/staff/logout/")

    assert log_in(office, username="alice", password="guess").status_code == 200
    assert LoginThrottle.get("address:198.51.100.20").attempts == 1


def test_a_good_login_forgets_the_username_failures(staff_member):
    client = Client()
    for _ in range(4):
        log_in(client, password="guess")
    assert log_in(client).status_code == 302

    for _ in range(4):
        response = log_in(Client(), password="guess")

    assert response.status_code == 200 and WRONG in response.content.decode()


def test_many_usernames_from_one_address_lock_that_address(staff_member, settings):
    settings.STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for name in ("alice", "bob"):
        assert log_in(attacker, username=name, password="guess").status_code == 200

    third = log_in(attacker, username="carol", password="guess")
    real_account = log_in(attacker)

    assert third.status_code == 429 and real_account.status_code == 429
    assert log_in(Client(REMOTE_ADDR="198.51.100.1")).status_code == 302  # grace, from her own address
    assert LoginThrottle.get("address:203.0.113.7").locked_until is not None


def test_one_ipv6_network_counts_as_one_address(staff_member, settings):
    settings.STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    log_in(Client(REMOTE_ADDR="2001:db8:1:2::1"), username="alice", password="guess")

    response = log_in(Client(REMOTE_ADDR="2001:db8:1:2::ffff"), username="bob", password="guess")

    assert response.status_code == 429
    assert LoginThrottle.get("address:2001:db8:1:2::/64").locked_until is not None


def test_a_disabled_account_cannot_log_in(staff_member):
    staff_member.update(actions=[type(staff_member).active.set(False)], add_version_condition=False)

    response = log_in(Client())

    assert WRONG in response.content.decode()


# --- Parallel guesses ------------------------------------------------------------------------


@pytest.fixture
def transactional_db():
    """pytest-django's live_server asks for a flushed SQL database; we have none (DATABASES is
    empty) and every test gets fresh DynamoDB tables."""


class LoginPage:
    """A browser that has opened the login page: its cookies and the form's CSRF token."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()
        page = self.http.get(f"{url}/staff/login/", timeout=30)
        self.csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def submit(self, username, password):
        return self.http.post(
            f"{self.url}/staff/login/",
            timeout=60,
            allow_redirects=False,
            data={"username": username, "password": password, "csrfmiddlewaretoken": self.csrf_token},
            headers={"Referer": f"{self.url}/staff/login/"},
        )

    def is_logged_in(self):
        return self.http.get(f"{self.url}/staff/", timeout=30, allow_redirects=False).status_code == 200


def test_parallel_guesses_cannot_outrun_the_login_throttle(live_server, settings, monkeypatch):
    # Django's real hasher: the time a check takes is the gap that parallel guesses used to race through.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    services.create_staff_member(username="grace", password=STAFF_PASSWORD)
    checked = []
    real_check = services.check_password

    def counted_check(*args, **kwargs):
        checked.append(1)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(services, "check_password", counted_check)
    guessers = [LoginPage(live_server.url) for _ in range(12)]
    answers = run_concurrently(
        *(functools.partial(page.submit, "grace", f"guess number {number}") for number, page in enumerate(guessers)),
        timeout=120,
    )
    late_owner = LoginPage(live_server.url)
    with_right_password = late_owner.submit("grace", STAFF_PASSWORD)

    assert len(answers) == 12 and {answer.status_code for answer in answers} <= {200, 429}
    assert len(checked) <= settings.STAFF_LOGIN_MAX_FAILURES  # the rest were refused unchecked
    assert sum(answer.status_code == 429 for answer in answers) >= 12 - settings.STAFF_LOGIN_MAX_FAILURES
    assert with_right_password.status_code == 429 and LOCKED in with_right_password.text
    assert not late_owner.is_logged_in()


# --- Password change ----------------------------------------------------------------------------

NEW_PASSWORD = "a much longer new secret"


def test_password_change_logs_out_every_other_session(staff_member):
    laptop, phone = Client(), Client()
    log_in(laptop)
    log_in(phone)

    response = laptop.post(
        "/staff/password/",
        {"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert "Your password was changed" in laptop.get(response["Location"]).content.decode()
    assert phone.get("/staff/").status_code == 302
    assert log_in(Client(), password=STAFF_PASSWORD).status_code == 200
    assert log_in(Client(), password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "current, new, again, error",
    [
        ("not my password", NEW_PASSWORD, NEW_PASSWORD, "Your current password is not correct."),
        (STAFF_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "The two new passwords differ."),
        (STAFF_PASSWORD, "short", "short", "too short"),
        (STAFF_PASSWORD, "password123", "password123", "too common"),
        (STAFF_PASSWORD, "31415926535897", "31415926535897", "entirely numeric"),
    ],
)
def test_password_change_refuses_weak_or_mistyped_passwords(staff_client, current, new, again, error):
    response = staff_client.post(
        "/staff/password/", {"current_password": current, "new_password": new, "new_password_again": again}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert log_in(Client()).status_code == 302  # the old password still works


def test_guessing_the_current_password_on_the_change_form_is_throttled_too(staff_client):
    wrong = {"current_password": "guess", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    for _ in range(4):
        assert "Your current password is not correct." in staff_client.post("/staff/password/", wrong).content.decode()

    fifth = staff_client.post("/staff/password/", wrong)
    right = staff_client.post("/staff/password/", {**wrong, "current_password": STAFF_PASSWORD})

    assert LOCKED in fifth.content.decode() and LOCKED in right.content.decode()
    assert log_in(Client()).status_code == 429  # the old password is unchanged, and locked for now


# --- Ending sessions on the server ---------------------------------------------------------------


def copy_of_cookies(client):
    """What someone who copied the browser's cookies (a shared machine, malware) holds."""
    thief = Client()
    for name, morsel in client.cookies.items():
        thief.cookies[name] = morsel.value
    return thief


def test_a_copied_session_cookie_stops_working_after_logout(staff_client):
    thief = copy_of_cookies(staff_client)
    assert thief.get("/staff/").status_code == 200

    staff_client.post("/staff/logout/")

    assert thief.get("/staff/").status_code == 302
    assert thief.get("/staff/orders/").status_code == 302


def test_a_copied_session_cookie_stops_working_after_a_password_change(staff_client):
    thief = copy_of_cookies(staff_client)

    staff_client.post(
        "/staff/password/",
        {"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )

    assert staff_client.get("/staff/").status_code == 200  # the session that changed it goes on
    assert thief.get("/staff/").status_code == 302


def test_a_copied_session_cookie_stops_working_when_the_account_is_disabled(staff_client):
    thief = copy_of_cookies(staff_client)

    call_command("createstaff", "grace", "--disable", stdout=io.StringIO())

    assert thief.get("/staff/").status_code == 302
    assert staff_client.get("/staff/").status_code == 302
    assert log_in(Client()).status_code == 200
    call_command("createstaff", "grace", "--enable", stdout=io.StringIO())
    assert log_in(Client()).status_code == 302


def test_the_staff_session_cookie_is_sent_to_staff_pages_only_and_holds_no_name(staff_member):
    client = Client()
    assert log_in(client).status_code == 302
    cookie = client.cookies[sessions.COOKIE_NAME]

    assert cookie["path"] == "/staff/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "grace" not in cookie.value.lower()
    assert all("grace" not in morsel.value.lower() for morsel in client.cookies.values())


def test_a_made_up_or_ended_session_cookie_is_refused_and_removed(staff_member):
    client = Client()
    client.cookies[sessions.COOKIE_NAME] = "x" * 32

    response = client.get("/staff/")

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert client.cookies[sessions.COOKIE_NAME].value == ""  # deleted


def test_an_expired_session_is_refused_before_dynamodb_deletes_it(staff_client):
    # DynamoDB's TTL deletes expired items up to ~48 hours late; until then they are still read.
    [item] = list(StaffSession.scan())
    item.update(actions=[StaffSession.expires_at.set(timezone.now() - timedelta(seconds=1))])

    assert staff_client.get("/staff/").status_code == 302


def test_the_table_holds_a_digest_of_the_session_key_not_the_key(staff_client):
    cookie_value = staff_client.cookies[sessions.COOKIE_NAME].value

    [item] = list(StaffSession.scan())

    assert cookie_value not in item.key_digest and cookie_value not in (item.session_data or "")
    assert item.expires_at > timezone.now() + timedelta(hours=9)  # a working day, not a week


def test_after_logout_the_session_item_is_ended_not_left_usable(staff_client):
    staff_client.post("/staff/logout/")

    [item] = list(StaffSession.scan())
    assert item.session_data is None and item.expires_at <= timezone.now()
