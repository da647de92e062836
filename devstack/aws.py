"""The embedded local AWS stack: moto's server (DynamoDB, S3, Secrets Manager, SES) on loopback.

The shop's from-address is verified in moto's SES at start, as a deployed stage's identity is
(docs/deploy.md, "Sending e-mail: SES identity, DKIM, production access"); moto refuses mail from anything else, as SES does.

DynamoDB items can be dumped to a JSON file on shutdown and loaded on start, so local data
survives a restart of `make run`. Table definitions are not dumped: they come from the models.
"""

import json
import logging
import os
from email.utils import parseaddr
from pathlib import Path

import boto3

from devstack.mailbox import mailbox_url
from devstack.moto_server import MotoServer

log = logging.getLogger(__name__)

LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


class LocalAWS:
    def __init__(self, *, port=0, region="eu-west-1"):
        self.region = region
        # Parallel reads, atomic conditional writes and transactions, as DynamoDB (devstack/moto_locks.py).
        self._server = MotoServer(host="127.0.0.1", port=port)
        self.endpoint_url = self._server.url
        self.dynamodb_faults = self._server.faults  # devstack.dynamodb_faults.ServerFaults

    def start(self):
        self._server.start()
        self.verify_sender()
        return self

    def verify_sender(self, from_address=None):
        """Verifies the from-address's domain in moto's SES (DEFAULT_FROM_EMAIL by default)."""
        from_address = from_address or _shop_sender()
        if not from_address:
            return
        domain = parseaddr(from_address)[1].rpartition("@")[2]
        if domain:
            self.client("sesv2").create_email_identity(EmailIdentity=domain)

    @property
    def mailbox_url(self):
        return mailbox_url(self.endpoint_url)

    def stop(self):
        self._server.stop()

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=self.region, **LOCAL_CREDENTIALS)

    def dump_dynamodb(self, path: Path, *, table_prefix: str) -> int:
        """Write every item of the tables with this prefix to `path`; returns the item count."""
        dynamodb = self.client("dynamodb")
        tables = {}
        for name in _table_names(dynamodb):
            if name.startswith(table_prefix):
                tables[name] = list(_scan(dynamodb, name))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"tables": tables}))
        os.replace(tmp, path)  # never leave a half-written dump behind
        return sum(len(items) for items in tables.values())

    def empty_tables(self, table_prefix: str) -> None:
        """Forgets every item of the tables with this prefix, keeping the tables. In this process:
        the server runs here, and a scan and delete per table over HTTP, fourteen tables after
        every test, was a tenth of the suite's time. Tests only; a running shop never calls it."""
        from moto.dynamodb.models import dynamodb_backends

        for regions in list(dynamodb_backends.values()):
            for backend in list(regions.values()):
                for name, table in list(backend.tables.items()):
                    if name.startswith(table_prefix):
                        table.items.clear()

    def load_dynamodb(self, path: Path) -> int:
        """Put the dumped items back into tables that already exist; returns the item count."""
        if not path.exists():
            return 0
        try:
            tables = json.loads(path.read_text())["tables"]
        except (ValueError, KeyError) as error:
            log.warning("Ignoring unreadable local data file %s: %s", path, error)
            return 0
        dynamodb = self.client("dynamodb")
        existing = set(_table_names(dynamodb))
        count = 0
        for name, items in tables.items():
            if name not in existing:
                continue
            for start in range(0, len(items), 25):
                batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
                dynamodb.batch_write_item(RequestItems={name: batch})
            count += len(items)
        return count


def _shop_sender():
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return settings.DEFAULT_FROM_EMAIL
    except ImproperlyConfigured:
        return None  # a stack started outside Django (rehearsal, bench) verifies what it sends from


def _table_names(dynamodb):
    for page in dynamodb.get_paginator("list_tables").paginate():
        yield from page["TableNames"]


def _scan(dynamodb, table_name):
    for page in dynamodb.get_paginator("scan").paginate(TableName=table_name):
        yield from page["Items"]
