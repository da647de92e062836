"""`python manage.py simulate_bounce ADDRESS [--complaint | --transient]`: the local stack's stand-in
for SES reporting a bounce or complaint through SNS. Local stage only: it applies the SES event as
the SNS endpoint does once a message's signature is verified (notifications/bounces.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notifications import bounces


class Command(BaseCommand):
    help = "Local stack only: SES reports ADDRESS as bounced (or complaining); no more mail is sent to it."

    def add_arguments(self, parser):
        parser.add_argument("address")
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--complaint", action="store_true", help="a complaint (marked as spam) instead")
        kind.add_argument("--transient", action="store_true", help="a transient bounce (mailbox full): marks nothing")

    def handle(self, *args, address, complaint, transient, **options):
        if not settings.IS_LOCAL:
            raise CommandError("simulate_bounce runs in the local stage only; SES reports real bounces.")
        if "@" not in address:
            raise CommandError(f"not an e-mail address: {address!r}")
        mail = {"messageId": "local-simulated", "destination": [address]}
        if complaint:
            event = {"eventType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": address}]}}
        else:
            bounce_type = "Transient" if transient else "Permanent"
            recipients = [{"emailAddress": address}]
            event = {
                "eventType": "Bounce",
                "bounce": {"bounceType": bounce_type, "bounceSubType": "Simulated", "bouncedRecipients": recipients},
            }
        self.stdout.write(bounces.apply_ses_event({**event, "mail": mail}))
