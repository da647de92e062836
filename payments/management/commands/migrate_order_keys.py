"""`manage.py migrate_order_keys [--check] [--retire-old-indexes]`: sets the sharded index keys on
orders and payment attempts stored before they existed, then (when asked) deletes the indexes
they replace. Run `create_tables` first (it adds the new indexes), after the deploy."""

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from payments.models import Order, PaymentAttempt
from payments.services.index_keys import backfill_keys, retire_old_indexes


class Command(BaseCommand):
    help = "Backfill the sharded index keys of orders and attempts; optionally delete the indexes they replace."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report items without current keys; change nothing.")
        parser.add_argument(
            "--retire-old-indexes",
            action="store_true",
            dest="retire",
            help="After the backfill, delete all_orders_index, status_index and attempt_status_index.",
        )

    def handle(self, *args, check, retire, **options):
        behind = 0
        try:
            for model in (Order, PaymentAttempt):
                report = backfill_keys(model, check_only=check)
                behind += report.behind - report.updated
                verb = "lack current keys" if check else "updated"
                count = report.behind if check else report.updated
                self.stdout.write(f"{report.table}: {report.looked_at} looked at, {count} {verb}")
                for error in report.errors:
                    self.stderr.write(f"  {error}")
            if retire or check:
                for line in retire_old_indexes(check_only=check or behind > 0):
                    self.stdout.write(line)
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"DynamoDB did not answer: {error}") from error
        if behind:
            raise CommandError(f"{behind} item(s) still lack their current index keys; run the command again.")
