"""`manage.py create_tables [--check] [--protect]`: the tables and indexes every model needs."""

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from config.tables import ensure_tables, missing_tables


class Command(BaseCommand):
    help = "Create all DynamoDB tables and indexes (idempotent); --check only reports what is missing."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report missing tables/indexes; change nothing.")
        parser.add_argument(
            "--protect", action="store_true", help="Turn on deletion protection and point-in-time recovery."
        )

    def handle(self, *args, check, protect, **options):
        try:
            report = ensure_tables(check_only=check, protect=protect)
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"DynamoDB did not answer: {error}") from error
        for line in report:
            self.stdout.write(line)
        if check and missing_tables(report):
            raise CommandError(f"{len(missing_tables(report))} table(s) or index(es) missing.")
