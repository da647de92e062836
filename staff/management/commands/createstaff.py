"""`manage.py createstaff USERNAME`: a staff login for /staff/, a new password for one, or
`--disable` / `--enable` of one (disabling ends their sessions at once).

The password is asked for twice on the terminal, or read from the environment variable
STAFF_PASSWORD for automation (never a command-line argument: those end up in shell history and
process lists).
"""

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from staff import services

PASSWORD_VARIABLE = "STAFF_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class Command(BaseCommand):
    help = (
        f"Create a staff login (or --reset-password of one). The password is prompted for, or read from "
        f"${PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="How the staff member is greeted, e.g. 'Ada Lovelace'.")
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Set a new password for an existing staff member (ends their sessions).",
        )
        switch = parser.add_mutually_exclusive_group()
        switch.add_argument(
            "--disable", action="store_true", help="Disable an existing staff member: no login, and their sessions end."
        )
        switch.add_argument("--enable", action="store_true", help="Enable a disabled staff member again.")

    def handle(self, *args, username, name, reset_password, disable, enable, **options):
        try:
            if disable or enable:
                member = services.set_active(username=username, active=enable)
                self.stdout.write(f"{member.username} is {'enabled' if member.active else 'disabled'}.")
                return
            password = self._password()
            if reset_password:
                member = services.set_password(username=username, password=password)
                self.stdout.write(f"New password set for {member.username}; their other sessions are logged out.")
            else:
                member = services.create_staff_member(username=username, password=password, display_name=name)
                self.stdout.write(f"Staff member {member.username} created. Log in at /staff/.")
        except services.StaffAccountError as error:
            raise CommandError(str(error)) from error

    def _password(self):
        password = os.environ.get(PASSWORD_VARIABLE)
        if password:
            return password
        if not _has_terminal():
            raise CommandError(f"No terminal to ask for the password: set ${PASSWORD_VARIABLE}.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; nothing was changed.")
        return password


def _has_terminal():
    return sys.stdin.isatty()
