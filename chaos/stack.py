"""The local stack for chaos, crash and bench runs, each part in its own process on loopback.

moto (see devstack/moto_server.py and moto_locks.py), the Mollie sandbox, and the shop served by
`chaos/server.py`. Separate processes use both cores and let a test SIGKILL the web server
while moto and the sandbox keep their state. Every wait here has a deadline.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from email.utils import parseaddr
from pathlib import Path

import boto3
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MOLLIE_TEST_KEY = "test_" + "c" * 30
START_TIMEOUT = 60


class StackError(RuntimeError):
    pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A child process whose output goes to a log file; stopped by its own pid only."""

    def __init__(self, name, command, *, env, log_dir):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = Path(log_dir) / f"{name}.log"
        self.popen = None

    def start(self):
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process writes to it until it ends
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        return self

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_line(self, prefix, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log_text().splitlines():
                if line.startswith(prefix):
                    return line[len(prefix) :].strip()
            if not self.alive():
                raise StackError(f"{self.name} exited early:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)
        raise StackError(f"{self.name} did not start within {timeout} s:\n{self.log_text()[-3000:]}")

    def kill(self):
        """SIGKILL: no clean-up runs, like a crashed machine."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self, timeout=10):
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


class ShopProcesses:
    """The web server's processes on one port, handled as one."""

    def __init__(self, processes):
        self.processes = list(processes)

    def alive(self):
        return all(process.alive() for process in self.processes)

    def log_text(self):
        return "".join(process.log_text() for process in self.processes)

    def kill(self):
        for process in self.processes:
            process.kill()

    def stop(self, timeout=10):
        for process in self.processes:
            process.stop(timeout)


class LocalStack:
    """moto + sandbox + shop. `shop_env` adds settings for the web server (faults, timings)."""

    def __init__(
        self,
        *,
        log_dir,
        sandbox_time_scale=0.1,
        sandbox_expiry_seconds=900,
        shop_env=None,
        table_prefix=None,
        moto_env=None,
        shop_processes=1,
        webhook_processes=0,
    ):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.sandbox_time_scale = sandbox_time_scale
        self.sandbox_expiry_seconds = sandbox_expiry_seconds
        self.shop_env = dict(shop_env or {})
        self.moto_env = dict(moto_env or {})  # the double's server-side faults (DYNAMODB_FAULT_*)
        self.table_prefix = table_prefix or f"chaos{uuid.uuid4().hex[:8]}-"
        self.moto = self.sandbox = self.shop = None
        self.moto_url = self.sandbox_url = None
        # Several web server processes share the port (SO_REUSEPORT, see chaos/server.py), as
        # several Lambda containers serve one stage: each uses a core of its own.
        self.shop_processes = shop_processes
        self.shop_port = free_port()
        self.shop_url = f"http://127.0.0.1:{self.shop_port}"
        # Mollie's webhook calls on a port (and processes) of their own, as on Lambda each request
        # has its own container: a webhook never waits behind a thousand shoppers' page loads.
        # 0: webhooks come to the shop's port.
        self.webhook_processes = webhook_processes
        self.webhook_url = f"http://127.0.0.1:{free_port()}" if webhook_processes else self.shop_url
        self._shop_starts = 0

    # -- environment ---------------------------------------------------------------------------

    def base_env(self):
        """What any process of the shop (server, manage.py commands) needs to reach this stack."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DYNAMODB_FAULT_", "PYTEST"))}
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "STAGE": "local",
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY") or "chaos-secret-key-not-for-production-" + "x" * 20,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": "eu-west-1",
                "AWS_REGION": "eu-west-1",
                "DYNAMODB_ENDPOINT_URL": self.moto_url or "",
                "DYNAMODB_TABLE_PREFIX": self.table_prefix,
                "MOLLIE_API_ENDPOINT": self.sandbox_url or "",
                "MOLLIE_API_KEY": MOLLIE_TEST_KEY,
                "PUBLIC_BASE_URL": self.shop_url,
                # The local sandbox (default mode) calls loopback webhooks; real Mollie would refuse them.
                "MOLLIE_WEBHOOK_BASE_URL": self.webhook_url,
                "LOG_LEVEL": "INFO",
                # Every chaos shopper comes from 127.0.0.1: the per-address limit on open bank
                # transfers (one visitor's) would refuse most of them. The per-e-mail limit and
                # the stock share still apply: each shopper has an e-mail of its own.
                "BANK_TRANSFER_MAX_OPEN_PER_ADDRESS": env.get("BANK_TRANSFER_MAX_OPEN_PER_ADDRESS") or "100000",
            }
        )
        return env

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self):
        self.moto = Process(
            "moto",
            [PYTHON, "-m", "devstack.moto_server", "--port", "0"],
            env={**self.base_env(), **self.moto_env},
            log_dir=self.log_dir,
        ).start()
        self.moto_url = self.moto.wait_for_line("moto listening on ")
        self._verify_sender()
        self.sandbox = Process(
            "sandbox",
            [
                # Not --quiet: its request log is how a run counts Mollie's answers (503s from faults).
                PYTHON,
                "-m",
                "mollie_sandbox",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--time-scale",
                str(self.sandbox_time_scale),
                "--expiry-seconds",
                str(self.sandbox_expiry_seconds),
            ],
            env=self.base_env(),
            log_dir=self.log_dir,
        ).start()
        self.sandbox_url = self.sandbox.wait_for_line("Mollie sandbox listening on ")
        self.start_shop()
        return self

    def start_shop(self, timeout=START_TIMEOUT):
        """(Re)starts the web server processes on the same ports and data, and waits until they
        answer (one after the other: the first creates the tables)."""
        env = {**self.base_env(), **self.shop_env, "PYTHONUNBUFFERED": "1"}
        started = []
        ports = [self.shop_url] * self.shop_processes
        if self.webhook_url != self.shop_url:
            ports += [self.webhook_url] * self.webhook_processes
        for url in ports:
            self._shop_starts += 1
            process = Process(
                f"shop-{self._shop_starts}",
                [PYTHON, "-m", "chaos.server", url.removeprefix("http://")],
                env=env,
                log_dir=self.log_dir,
            ).start()
            started.append(process)
            self.shop = ShopProcesses(started)
            if url in ports[: len(started) - 1]:  # the port answers already: wait for this one to serve on it too
                process.wait_for_line("Starting development server at ", timeout=timeout)
            self._wait_until_answering(url, timeout)
        return self.shop

    def _wait_until_answering(self, url, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.shop.alive():
                raise StackError(f"the shop exited early:\n{self.shop.log_text()[-3000:]}")
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise StackError(f"the shop did not answer within {timeout} s:\n{self.shop.log_text()[-3000:]}")

    def stop(self):
        for process in (self.shop, self.sandbox, self.moto):
            if process is not None:
                process.stop()

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info):
        self.stop()

    # -- helpers -------------------------------------------------------------------------------

    def manage(self, *args, env=None, timeout=300):
        """Runs a manage.py command against this stack; returns the CompletedProcess."""
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.base_env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def sandbox_faults(self, **faults):
        requests.post(f"{self.sandbox_url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()

    def clear_sandbox_faults(self):
        requests.delete(f"{self.sandbox_url}/_sandbox/faults", timeout=10).raise_for_status()

    def sandbox_payments(self):
        response = requests.get(f"{self.sandbox_url}/_sandbox/payments", timeout=30)
        response.raise_for_status()
        return response.json()

    def sandbox_webhooks(self, payment_id=None):
        params = {"paymentId": payment_id} if payment_id else None
        response = requests.get(f"{self.sandbox_url}/_sandbox/webhooks", params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def sandbox_requests(self, in_flight=None):
        """The sandbox's log of Mollie API calls; `in_flight=True`: those not answered yet."""
        params = None if in_flight is None else {"inFlight": "true" if in_flight else "false"}
        response = requests.get(f"{self.sandbox_url}/_sandbox/requests", params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def settle_at_mollie(self, payment_id, status):
        """What a bank does later (a pending transfer completes): Mollie then calls the webhook."""
        response = requests.post(
            f"{self.sandbox_url}/_sandbox/payments/{payment_id}", json={"status": status}, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def charge_back_at_mollie(self, payment_id, *, amount=None, reason=None):
        """The shopper's bank takes money back; Mollie then calls the payment's webhook."""
        body = {**({"amount": amount} if amount else {}), **({"reason": reason} if reason else {})}
        response = requests.post(
            f"{self.sandbox_url}/_sandbox/payments/{payment_id}/chargebacks", json=body, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def reverse_chargeback_at_mollie(self, chargeback_id):
        response = requests.post(f"{self.sandbox_url}/_sandbox/chargebacks/{chargeback_id}/reverse", timeout=10)
        response.raise_for_status()
        return response.json()

    def _verify_sender(self):
        """The shop's from-address verified in moto's SES, as a stage's identity is: mails are sent
        (and counted by the invariant check) as they would be deployed."""
        from django.conf import settings

        from devstack.aws import LOCAL_CREDENTIALS

        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
        client = boto3.client("sesv2", endpoint_url=self.moto_url, region_name="eu-west-1", **LOCAL_CREDENTIALS)
        client.create_email_identity(EmailIdentity=domain)

    def mails(self):
        """Every mail the shop sent, from moto's SES (the local mailbox)."""
        from devstack.mailbox import sent_mails

        return sent_mails(self.moto_url, timeout=30)

    @contextmanager
    def models(self):
        """PynamoDB models of this process pointed at this stack's tables, for checks."""
        from config import dynamodb

        previous = dynamodb.current_target()
        dynamodb.configure(host=self.moto_url, prefix=self.table_prefix)
        try:
            yield
        finally:
            dynamodb.configure(host=previous.host, prefix=previous.prefix)
