"""The sandbox as a product: ``pip install`` of its folder into an empty virtualenv.

The folder is copied first, so the test proves it is self-contained (nothing reached outside it)
and leaves no build files in the checkout. The fresh virtualenv gets the sandbox and its own
dependencies only; ``mollie-sandbox --port 0`` from there serves ``/v2/payments`` to the real
``mollie-api-python`` client, which runs in this test's process.
"""

import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from tests.child_env import child_environment
from tests.mollie_sandbox.mollie_client import make_client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUILD_LEFTOVERS = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "conformance")


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory):
    work = tmp_path_factory.mktemp("sandbox-install")
    source = work / "mollie_sandbox"
    shutil.copytree(ROOT / "mollie_sandbox", source, ignore=BUILD_LEFTOVERS)
    environment = work / "venv"
    venv.create(environment, with_pip=True)
    pip = [str(environment / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", str(source)], check=True, timeout=600, env=child_environment())
    return environment


def test_the_installed_package_depends_on_neither_the_shop_nor_django(fresh_install):
    python = str(fresh_install / "bin" / "python")
    probe = "import importlib.util as u, mollie_sandbox; print(mollie_sandbox.__file__, u.find_spec('django'))"
    found = subprocess.run([python, "-c", probe], cwd=fresh_install, capture_output=True, text=True, check=True)
    location, django = found.stdout.split()
    assert location.startswith(str(fresh_install)) and django == "None"
    for shop_package in ("config", "payments", "shop", "mollie"):
        assert subprocess.run([python, "-c", f"import {shop_package}"], cwd=fresh_install).returncode != 0


def test_mollie_sandbox_command_serves_payments_to_the_python_client(fresh_install):
    command = [str(fresh_install / "bin" / "mollie-sandbox"), "--port", "0", "--quiet", "--strict"]
    process = subprocess.Popen(
        command, cwd=fresh_install, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_environment()
    )
    try:
        first_line = process.stdout.readline()
        match = re.fullmatch(r"Mollie sandbox listening on (http://127\.0\.0\.1:\d+)\n", first_line)
        assert match, (first_line, process.stderr.read() if process.poll() is not None else "")
        mollie = make_client(match.group(1))
        created = mollie.payments.create(
            {
                "amount": {"currency": "EUR", "value": "12.50"},
                "description": "Order 12 from a fresh install",
                "redirectUrl": "https://webshop.example.org/order/12/",
                "webhookUrl": "https://webshop.example.org/payments/webhook/",
            }
        )
        read = mollie.payments.get(created.id)
        assert (read.id, read.status, read.amount) == (created.id, "open", {"currency": "EUR", "value": "12.50"})
        assert read.checkout_url == f"{match.group(1)}/checkout/{created.id}"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()
