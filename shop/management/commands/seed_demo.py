"""`manage.py seed_demo`: the demo catalog and, locally, a demo staff login. Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from shop.services import seed_catalog
from staff.demo import ensure_demo_login


class Command(BaseCommand):
    help = "Add the demo articles that are missing and, locally, a demo staff login. Running it twice adds nothing."

    def handle(self, *args, **options):
        added = seed_catalog()
        self.stdout.write(f"Catalog: {added} demo article(s) added.")
        login = ensure_demo_login()
        if login is None:
            self.stdout.write("Demo staff login: not made outside the local stage (use `manage.py createstaff`).")
            return
        staff_url = settings.PUBLIC_BASE_URL + reverse("staff:dashboard")
        if login.password:
            state = "created" if login.created else "unchanged"
            self.stdout.write(
                f"Demo staff login ({state}): {staff_url}  username: {login.username}  password: {login.password}"
            )
        else:
            self.stdout.write(
                f"Demo staff login: {staff_url}  username: {login.username}  (its password was changed; "
                f"set a new one with `manage.py createstaff {login.username} --reset-password`)"
            )
