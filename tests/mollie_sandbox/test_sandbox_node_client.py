"""The sandbox is not Python-only: Mollie's official Node client (``@mollie/api-client``) drives it.

The Node script (``node/pay_with_node_client.cjs``) creates a payment, pays it on the hosted checkout
page with the form POST a shopper's browser sends, receives the webhook, fetches the payment it names
and refunds part of it. The client only speaks HTTPS, so the sandbox serves HTTPS here with a
certificate made for the test (``--tls-cert``), which the script adds to what the client's ``https.Agent`` trusts (the client ignores its
``caCertificates`` option and pins the CA bundle it ships).
The npm package is installed at test time into ``.local/mollie-node-client`` (ignored by git, left
out of the Lambda package); skipped where Node or npm is missing.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mollie_sandbox.server import SandboxServer
from tests.child_env import child_environment

ROOT = Path(__file__).resolve().parents[2]
NODE_CLIENT = "@mollie/api-client@4.6.0"
NODE_CLIENT_DIR = ROOT / ".local" / "mollie-node-client"
SCRIPT = Path(__file__).parent / "node" / "pay_with_node_client.cjs"


@pytest.fixture(scope="module")
def node_modules():
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("Node.js and npm are not installed: Mollie's Node client cannot run here")
    installed = NODE_CLIENT_DIR / "node_modules" / "@mollie" / "api-client" / "package.json"
    wanted = NODE_CLIENT.rpartition("@")[2]
    if not installed.exists() or json.loads(installed.read_text())["version"] != wanted:
        NODE_CLIENT_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(NODE_CLIENT_DIR), NODE_CLIENT],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return NODE_CLIENT_DIR / "node_modules"


def test_a_node_shop_pays_and_refunds_through_the_sandbox(node_modules, loopback_certificate):
    certificate, certificate_and_key = loopback_certificate
    with SandboxServer(tls_cert=str(certificate_and_key)) as sandbox:
        assert sandbox.url.startswith("https://127.0.0.1:")
        environment = child_environment(
            MOLLIE_SANDBOX_URL=sandbox.url,
            MOLLIE_SANDBOX_CA=str(certificate),  # for the client's https.Agent
            NODE_EXTRA_CA_CERTS=str(certificate),  # for the shopper's fetch of the checkout page
            NODE_PATH=str(node_modules),
        )
        run = subprocess.run(
            ["node", str(SCRIPT)], env=environment, capture_output=True, text=True, timeout=60, cwd=ROOT
        )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["createdStatus"] == "open"
    assert seen["checkoutAnswer"] == 303
    assert seen["redirectedTo"] == "https://webshop.example.org/order/7/"
    assert seen["webhookPaymentId"] == seen["createdId"]
    assert (seen["paidStatus"], seen["method"]) == ("paid", "ideal")
    assert seen["refundStatus"] == "pending"
    assert seen["amountRemaining"] == {"currency": "EUR", "value": "24.95"}
