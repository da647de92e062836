"""`manage.py rebuild_order_counts [--check]`: the dashboard's per-day counters, counted again
from the orders. For orders stored before the counters existed, and as a check (`--check` reports
the differences and changes nothing; it fails when there are any).

Corrections are added, never overwritten, so a status change committed during the run keeps its
own count; an order changing while it is read may still show up as a difference: check again.
"""

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from payments.services import counters


class Command(BaseCommand):
    help = "Rebuild the per-day order counters from the orders; --check only reports differences."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report differences; change nothing.")

    def handle(self, *args, check, **options):
        try:
            found = counters.differences()
            for (shard, day_currency), added in sorted(found.items()):
                changes = ", ".join(f"{name} {amount:+d}" for name, amount in sorted(added.items()))
                self.stdout.write(f"{day_currency} {shard}: {changes}")
            if found and not check:
                counters.correct(found)
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"DynamoDB did not answer: {error}") from error
        if not found:
            self.stdout.write("The counters match the orders.")
        elif check:
            raise CommandError(f"{len(found)} counter item(s) differ from the orders.")
        else:
            self.stdout.write(f"Corrected {len(found)} counter item(s).")
