"""`manage.py createstaff` and the demo staff login of `manage.py seed_demo`."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from staff.management.commands import createstaff
from staff.models import StaffMember
from tests.fixtures.staff import log_in

PASSWORD = "an entirely fine secret"


def test_createstaff_takes_the_password_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)

    call_command("createstaff", "Ada", "--name", "Ada Lovelace")

    assert "Staff member ada created." in capsys.readouterr().out
    assert StaffMember.get("ada").display_name == "Ada Lovelace"
    assert not StaffMember.get("ada").password.startswith(PASSWORD[:5])  # a hash, not the password
    assert log_in(Client(), username="ada", password=PASSWORD).status_code == 302


def test_createstaff_asks_twice_on_a_terminal(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr(createstaff, "_has_terminal", lambda: True)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(createstaff.getpass, "getpass", lambda prompt: next(answers))

    call_command("createstaff", "ada")

    assert log_in(Client(), username="ada", password=PASSWORD).status_code == 302


def test_createstaff_refuses_two_different_passwords(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr(createstaff, "_has_terminal", lambda: True)
    answers = iter([PASSWORD, PASSWORD + "?"])
    monkeypatch.setattr(createstaff.getpass, "getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="differ"):
        call_command("createstaff", "ada")
    assert StaffMember.count("ada") == 0


def test_createstaff_without_terminal_or_variable_says_what_to_do(monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr(createstaff, "_has_terminal", lambda: False)

    with pytest.raises(CommandError, match="STAFF_PASSWORD"):
        call_command("createstaff", "ada")


@pytest.mark.parametrize(
    "username, password, error",
    [
        ("ada", "short", "too short"),
        ("ada", "password1234", "too common"),
        ("not valid!", PASSWORD, "A username is"),
    ],
)
def test_createstaff_refuses_weak_passwords_and_odd_names(monkeypatch, username, password, error):
    monkeypatch.setenv("STAFF_PASSWORD", password)

    with pytest.raises(CommandError, match=error):
        call_command("createstaff", username)


def test_createstaff_twice_is_refused_but_reset_password_works(monkeypatch, staff_member):
    old_session = Client()
    log_in(old_session)
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="exists already"):
        call_command("createstaff", "grace")
    call_command("createstaff", "grace", "--reset-password")

    assert log_in(Client(), password=PASSWORD).status_code == 302
    assert old_session.get("/staff/").status_code == 302


# --- Demo login ---------------------------------------------------------------------------------


def seed_demo(capsys):
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_creates_a_working_login_once_and_prints_it_every_time(password_file, capsys, settings):
    url = settings.PUBLIC_BASE_URL + "/staff/"
    first = seed_demo(capsys)
    password = password_file.read_text().strip()
    second = seed_demo(capsys)

    assert f"Demo staff login (created): {url}  username: staff  password: {password}" in first
    assert f"Demo staff login (unchanged): {url}  username: staff  password: {password}" in second
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"
    assert log_in(Client(), username="staff", password=password).status_code == 302


def test_seed_demo_keeps_the_same_password_when_the_local_data_is_reset(password_file, capsys, settings):
    seed_demo(capsys)
    password = password_file.read_text().strip()
    StaffMember.get("staff").delete()

    output = seed_demo(capsys)

    assert f"(created): {settings.PUBLIC_BASE_URL}/staff/  username: staff  password: {password}" in output
    assert log_in(Client(), username="staff", password=password).status_code == 302


def test_seed_demo_does_not_print_a_password_that_no_longer_works(password_file, capsys, monkeypatch):
    seed_demo(capsys)
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    call_command("createstaff", "staff", "--reset-password")

    output = seed_demo(capsys)

    assert "its password was changed" in output and "createstaff staff --reset-password" in output
    assert password_file.read_text().strip() not in output


def test_seed_demo_makes_no_staff_login_outside_the_local_stage(password_file, capsys, settings):
    settings.IS_LOCAL = False

    output = seed_demo(capsys)

    assert "not made outside the local stage" in output
    assert StaffMember.count("staff") == 0 and not password_file.exists()
