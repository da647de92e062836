"""`manage.py runserver` that brings its own local stack when nothing else is configured.

In the local stage, with no DYNAMODB_ENDPOINT_URL, it starts moto's server (DynamoDB, S3,
Secrets Manager) on loopback; with no Mollie key or endpoint, it starts the Mollie sandbox. Both
run in the process that survives autoreload, so data outlives code reloads; DynamoDB items are
written to a local file periodically and on shutdown, and loaded again on the next start.
"""

import os
import secrets
import signal
import threading

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserverCommand
from django.core.management import call_command
from django.utils import autoreload

from config import dynamodb

DUMP_EVERY_SECONDS = 30


class Command(StaticRunserverCommand):
    def run(self, **options):
        is_reloaded_child = os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true"
        if is_reloaded_child or not settings.IS_LOCAL:
            return super().run(**options)
        stack = _LocalStack(stdout=self.stdout)
        try:
            stack.start()
            self.stdout.write(stack.banner())
            super().run(**options)
        finally:
            stack.stop()


class _LocalStack:
    def __init__(self, *, stdout):
        self.stdout = stdout
        self.aws = None
        self.sandbox = None
        self._stop_dumping = threading.Event()

    def start(self):
        # SIGTERM (e.g. from a process manager) should shut down as cleanly as Ctrl+C.
        signal.signal(signal.SIGTERM, _interrupt)
        if not settings.DYNAMODB_ENDPOINT_URL:
            from devstack.aws import LocalAWS

            self.aws = LocalAWS(port=settings.LOCAL_STACK_PORT, region=settings.AWS_REGION).start()
            self._point_at("DYNAMODB_ENDPOINT_URL", self.aws.endpoint_url)
            dynamodb.configure(host=self.aws.endpoint_url)
        if not settings.MOLLIE_API_ENDPOINT and not settings.MOLLIE_API_KEY:
            from mollie_sandbox.server import SandboxServer

            self.sandbox = SandboxServer(host="127.0.0.1", port=settings.MOLLIE_SANDBOX_PORT)
            self.sandbox.start()
            self._point_at("MOLLIE_API_ENDPOINT", self.sandbox.url)
            # Any key in Mollie's test format works with the sandbox; it is not a secret.
            self._point_at("MOLLIE_API_KEY", "test_" + secrets.token_hex(15))
            if not settings.MOLLIE_WEBHOOK_BASE_URL:
                # The embedded sandbox (default mode) calls loopback webhooks; Mollie would not.
                self._point_at("MOLLIE_WEBHOOK_BASE_URL", settings.PUBLIC_BASE_URL)
        call_command("create_tables", stdout=self.stdout)
        if self.aws:
            loaded = self.aws.load_dynamodb(settings.LOCAL_STACK_STATE_FILE)
            self.stdout.write(f"Loaded {loaded} items from {settings.LOCAL_STACK_STATE_FILE}")
            threading.Thread(target=self._dump_periodically, daemon=True).start()
        call_command("seed_demo", stdout=self.stdout)

    def stop(self):
        self._stop_dumping.set()
        if self.aws:
            self._dump()
            self.aws.stop()
        if self.sandbox:
            self.sandbox.stop()

    def banner(self):
        lines = ["", "Local stack:"]
        if self.aws:
            lines.append(f"  DynamoDB/S3/Secrets Manager (moto): {self.aws.endpoint_url}")
            lines.append(f"  Mailbox (every mail sent through the local SES): {self.aws.mailbox_url}")
        if self.sandbox:
            lines.append(f"  Mollie sandbox: {self.sandbox.url}")
        lines.append("  Other manage.py commands reach this stack with:")
        lines.append(
            f"    export DYNAMODB_ENDPOINT_URL={settings.DYNAMODB_ENDPOINT_URL} "
            f"MOLLIE_API_ENDPOINT={settings.MOLLIE_API_ENDPOINT} MOLLIE_API_KEY={settings.MOLLIE_API_KEY}"
        )
        return "\n".join(lines) + "\n"

    def _point_at(self, name, value):
        # The environment carries it to the autoreloaded child; settings serve this process.
        os.environ[name] = value
        setattr(settings, name, value)

    def _dump(self):
        assert self.aws is not None  # only called while the embedded stack runs
        try:
            count = self.aws.dump_dynamodb(settings.LOCAL_STACK_STATE_FILE, table_prefix=settings.DYNAMODB_TABLE_PREFIX)
        except Exception as error:  # noqa: BLE001 (a failed dump must not stop the server)
            self.stdout.write(f"Could not save local data: {error}")
        else:
            return count

    def _dump_periodically(self):
        while not self._stop_dumping.wait(DUMP_EVERY_SECONDS):
            self._dump()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
