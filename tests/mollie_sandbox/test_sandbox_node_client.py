"""The sandbox is not Python-only: Mollie's official Node client (``@mollie/api-client``) drives it.

The Node script (``node/pay_with_node_client.cjs``) creates a payment, pays it on the hosted checkout
page with the form POST a shopper's browser sends, receives the webhook, fetches the payment it names
and refunds part of it. The client only speaks HTTPS, so the sandbox serves HTTPS here with a
certificate made for the test (``--tls-cert``), which the script adds to what the client's ``https.Agent`` trusts (the client ignores its
``caCertificates`` option and pins the CA bundle it ships).
The npm package is installed at test time into ``.local/mollie-node-client`` (ignored by git, left
out of the Lambda package); skipped where Node or npm is missing.
"""

import datetime
import ipaddress
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


@pytest.fixture
def loopback_certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1: (the certificate, the certificate and its key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mollie sandbox (test)")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    public = tmp_path / "sandbox-certificate.pem"
    public.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    with_key = tmp_path / "sandbox-certificate-and-key.pem"
    with_key.write_bytes(
        public.read_bytes()
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return public, with_key


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
