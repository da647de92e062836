"""`manage.py reconcile_payments`: sync payments whose webhook is late or lost; expire abandoned orders.

Safe to run while webhooks arrive (every change is a versioned write). The deployed stage runs
the same service on a schedule (see zappa_settings.json).
"""

from django.core.management.base import BaseCommand

from payments.services import reconcile


class Command(BaseCommand):
    help = "Sync open/pending payments older than the threshold from Mollie and expire orders waiting too long."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=None,
            help="Seconds after which an open/pending attempt is synced (default: settings).",
        )
        parser.add_argument("--quiet", action="store_true", help="Only print the summary.")
        parser.add_argument(
            "--time-limit",
            type=float,
            default=None,
            help="Seconds the run may take; what it does not reach is left for the next run.",
        )

    def handle(self, *args, stale_after, quiet, time_limit, **options):
        def progress(message):
            if not quiet:
                self.stdout.write(f"  {message}")

        self.stdout.write("Reconciling payments…")
        summary = reconcile(stale_after_seconds=stale_after, on_progress=progress, time_limit_seconds=time_limit)
        self.stdout.write(
            f"Done: {summary.synced} synced, {summary.abandoned} abandoned, {summary.expired} orders expired, "
            f"{summary.still_waiting} still settling, "
            f"{len(summary.errors)} errors. {summary.not_due} synced recently (not due), "
            f"{summary.left_for_next_run} left for the next run."
        )
        if summary.mails or summary.stuck:
            mails = ", ".join(f"{count} {outcome}" for outcome, count in sorted(summary.mails.items())) or "none"
            self.stdout.write(f"Mails: {mails}. Stuck payments alerted: {summary.stuck}.")
        for error in summary.errors:
            self.stderr.write(f"  error: {error}")
