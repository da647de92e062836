"""``python -m mollie_sandbox``: first line, options from the environment, clean stop."""

import json
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import requests

from tests.child_env import child_environment
from tests.mollie_sandbox.mollie_client import API_KEY

ROOT = Path(__file__).resolve().parents[2]


def start(*args, env=None, scheme="http"):
    process = subprocess.Popen(
        [sys.executable, "-m", "mollie_sandbox", "--host", "127.0.0.1", "--port", "0", "--quiet", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_environment(**(env or {})),
    )
    first_line = process.stdout.readline()
    match = re.fullmatch(rf"Mollie sandbox listening on ({scheme}://127\.0\.0\.1:(\d+))\n", first_line)
    assert match, (first_line, process.stderr.read() if process.poll() is not None else "")
    assert int(match.group(2)) > 0
    return process, match.group(1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_url_serves_and_stops(signum):
    process, url = start(env={"MOLLIE_SANDBOX_EXPIRY_SECONDS": "120"})
    try:
        assert requests.get(f"{url}/_sandbox/health", timeout=5).status_code == 200
        body = {
            "amount": {"currency": "EUR", "value": "1.00"},
            "description": "CLI",
            "redirectUrl": "https://webshop.example.org/",
        }
        created = requests.post(
            f"{url}/v2/payments",
            data=json.dumps(body),
            timeout=5,
            headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"},
        ).json()
        lifetime = datetime.fromisoformat(created["expiresAt"]) - datetime.fromisoformat(created["createdAt"])
        assert lifetime.total_seconds() == 120
        assert created["_links"]["checkout"]["href"] == f"{url}/checkout/{created['id']}"
    finally:
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()


def test_cli_rejects_bad_options():
    result = subprocess.run(
        [sys.executable, "-m", "mollie_sandbox", "--max-payments", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "max-payments" in result.stderr


def test_cli_switches_faults_on_at_start():
    process, url = start("--api-error-rate", "1", "--webhook-delay-ms", "250", "--fault-seed", "7")
    try:
        faults = requests.get(f"{url}/_sandbox/faults", timeout=5).json()
        assert (faults["api_error_rate"], faults["webhook_delay_ms"], faults["seed"]) == (1.0, 250, 7)
        answer = requests.get(f"{url}/v2/payments", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
        assert answer.status_code == 503
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()


def test_cli_refuses_a_fault_out_of_range():
    process = subprocess.run(
        [sys.executable, "-m", "mollie_sandbox", "--port", "0", "--api-error-rate", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env=child_environment(),
    )
    assert process.returncode == 2
    assert "--api-error-rate: api_error_rate must be between 0 and 1" in process.stderr
    assert process.stdout == ""


def test_cli_serves_https_with_a_certificate(loopback_certificate):
    certificate, certificate_and_key = loopback_certificate
    process, url = start("--tls-cert", str(certificate_and_key), scheme="https")
    try:
        assert requests.get(f"{url}/_sandbox/health", timeout=5, verify=str(certificate)).json() == {"status": "ok"}
        created = requests.post(
            f"{url}/v2/payments",
            json={
                "amount": {"currency": "EUR", "value": "1.00"},
                "description": "TLS",
                "redirectUrl": "https://x.example/",
            },
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=5,
            verify=str(certificate),
        ).json()
        assert created["_links"]["checkout"]["href"] == f"{url}/checkout/{created['id']}"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()
