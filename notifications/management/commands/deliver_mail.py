"""`manage.py deliver_mail`: send what the outbox still holds (queued mails, stale claims).

Reconciliation calls notifications.services.deliver_pending at the end of each run; this command is
the same call by hand, e.g. `zappa manage production deliver_mail` after an SES outage.
"""

from django.core.management.base import BaseCommand

from notifications.services import deliver_pending


class Command(BaseCommand):
    help = "Deliver queued e-mails from the outbox (oldest first, at most --limit)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, limit, **options):
        if limit < 1:
            self.stderr.write("--limit must be at least 1")
            return
        counts = deliver_pending(limit=limit)
        summary = ", ".join(f"{outcome}: {count}" for outcome, count in sorted(counts.items())) or "nothing to send"
        self.stdout.write(summary)
