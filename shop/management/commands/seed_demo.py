"""`manage.py seed_demo`: the demo catalog (and, once staff exist, a demo login). Idempotent."""
from django.core.management.base import BaseCommand

from shop.services import seed_catalog


class Command(BaseCommand):
    help = "Add the demo articles that are missing. Running it twice adds nothing."

    def handle(self, *args, **options):
        added = seed_catalog()
        self.stdout.write(f"Catalog: {added} demo article(s) added.")
