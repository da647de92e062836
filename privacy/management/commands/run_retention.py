"""`manage.py run_retention [--dry-run]`: anonymise closed orders past PERSONAL_DATA_RETENTION_DAYS
and delete those past ACCOUNTING_RETENTION_YEARS now (the deployed stage does it daily)."""

from django.core.management.base import BaseCommand

from privacy import retention


class Command(BaseCommand):
    help = "Anonymise and delete orders past their retention periods; --dry-run only counts them."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; change nothing.")
        parser.add_argument("--time-limit", type=float, default=None, help="Seconds the run may take.")

    def handle(self, *args, dry_run, time_limit, **options):
        report = retention.run(dry_run=dry_run, time_limit_seconds=time_limit)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{report.looked_at} orders looked at: {report.anonymised} {verb} anonymised, {report.deleted} {verb} "
            f"deleted ({report.items_changed} stored items with them); {len(report.errors)} errors"
            + ("; out of time, the next run goes on" if report.stopped_early else "")
        )
        for error in report.errors:
            self.stderr.write(f"  {error}")
