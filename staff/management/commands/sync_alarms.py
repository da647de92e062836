"""The stage's alarms, SNS topic and dashboard (deploy/alarms.py). Run with the stage's environment,
so thresholds (ALARM_*) and STAFF_ALERT_EMAILS are the stage's own:

    python -m deploy.run_as_stage dev python manage.py sync_alarms      (or: make alarms ZAPPA_STAGE=dev)
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config import aws_session
from deploy.alarms import Stage, sync
from deploy.local_lambda import stage_settings


class Command(BaseCommand):
    help = "Creates or updates a stage's CloudWatch alarms, their SNS topic (mailing STAFF_ALERT_EMAILS) and dashboard."

    def add_arguments(self, parser):
        parser.add_argument("--stage", default=None, help="a stage of zappa_settings.json (default: STAGE)")
        parser.add_argument("--endpoint-url", default=None, help="another AWS endpoint (a local moto server)")

    def handle(self, *args, stage, endpoint_url, **options):
        stage = stage or settings.STAGE
        if stage == "local":
            raise CommandError("Name a deployed stage: --stage dev, or run it through deploy.run_as_stage.")
        try:
            target = Stage.from_zappa(stage, stage_settings(stage))
        except (KeyError, ValueError) as error:
            raise CommandError(f"stage {stage!r}: {error}") from error
        emails = list(settings.STAFF_ALERT_EMAILS)
        if not emails:
            raise CommandError("STAFF_ALERT_EMAILS is empty: nobody would hear of an alarm.")
        clients = {
            service: aws_session.boto3_client(service, endpoint_url, target.region) for service in ("cloudwatch", "sns")
        }
        try:
            changes = sync(target, cloudwatch=clients["cloudwatch"], sns=clients["sns"], emails=emails)
        except ValueError as error:  # a threshold CloudWatch would refuse
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(changes, indent=2))
