"""The deployable artifact: `zappa package dev`, unpacked and invoked as Lambda would invoke it.

Each test drives the handler with the events AWS would send: API Gateway proxy events for
pages and the webhook, EventBridge's scheduled event for reconciliation, Zappa's `manage` event.
"""

import re
import zipfile
from email.utils import parseaddr
from importlib import metadata
from importlib.util import cache_from_source
from pathlib import Path

import pytest
import requests
from django.urls import Resolver404, resolve
from packaging.requirements import Requirement
from pynamodb.transactions import TransactWrite

from config import dynamodb
from deploy.local_lambda import (
    LAMBDA_UNZIPPED_LIMIT,
    LAMBDA_ZIP_LIMIT,
    ROOT,
    ApiGatewayClient,
    unzipped_size,
)
from devstack.mailbox import sent_mails
from notifications.models import MailKind
from notifications.services import outbox_item
from tests.fixtures.dev_stage import (
    DEV_PUBLIC_BASE_URL,
    MOTO_ACCOUNT,
    assert_policy_allows_every_call,
    stage_tables,
)
from tests.fixtures.sandbox import SandboxControl

pytestmark = [pytest.mark.slow, pytest.mark.no_tables]

NEVER_SHIPPED = {
    "tests",
    ".ci",
    "mollie_sandbox",
    "devstack",
    "bench",
    "docs",
    "deploy",
    "boto3",
    "botocore",
    "moto",
    "pytest",
    "_pytest",
    "playwright",
    "hypothesis",
    "zappa_settings.json",
    "requirements.txt",
    # A developer's caches (mypy's was 11 MB of a package built from a checkout that had run it).
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
}
# What Zappa's handler itself imports at run time, beyond the app's requirements.
HANDLER_RUNTIME = {"zappa", "werkzeug", "markupsafe", "durationpy"}
# Zappa's additions at the top of the package (with their bytecode, from deploy/bytecode.py).
ZAPPA_FILES = {
    "handler.py",
    "django_zappa_app.py",
    "zappa_settings.py",
    "package_info.json",
    "__init__.py",
    "__pycache__",
}


def test_package_fits_lambda_and_holds_only_what_runs_there(dev_stage):
    with zipfile.ZipFile(dev_stage.package) as archive:
        top_level = {name.split("/")[0] for name in archive.namelist()}

    assert dev_stage.package.stat().st_size < LAMBDA_ZIP_LIMIT / 2
    assert unzipped_size(dev_stage.package) < LAMBDA_UNZIPPED_LIMIT / 2
    assert not top_level & NEVER_SHIPPED
    assert top_level >= ZAPPA_FILES
    with zipfile.ZipFile(dev_stage.package) as archive:
        assert cache_from_source("config/settings.py") in archive.namelist()  # no compiling at cold start
        # The shop's compiled catalogs, not their sources (docs/i18n.md), nor Babel that made them.
        catalogs = [name for name in archive.namelist() if name.startswith("locale/")]
        assert {f"locale/{code}/LC_MESSAGES/django.mo" for code in ("nl", "de", "fr")} <= set(catalogs)
        assert not [name for name in catalogs if name.endswith(".po")]
    project = {path.name for path in ROOT.iterdir()}
    libraries = top_level - project - ZAPPA_FILES
    assert libraries <= _runtime_top_level_names(), "packaged but not needed at run time"


def test_zappa_manage_created_protected_tables_and_filled_the_static_bucket(dev_stage):
    dynamodb, s3 = dev_stage.aws.client("dynamodb"), dev_stage.aws.client("s3")
    tables = [name for name in dynamodb.list_tables()["TableNames"] if name.startswith(dev_stage.table_prefix)]
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=dev_stage.bucket, Prefix="static/")["Contents"]}

    assert len(tables) >= 5
    for name in tables:
        table = dynamodb.describe_table(TableName=name)["Table"]
        backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionProtectionEnabled"] is True
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert "static/staticfiles.json" in keys
    assert any(re.fullmatch(r"static/css/site\.[0-9a-f]{12}\.css", key) for key in keys)
    assert_policy_allows_every_call(dev_stage, "manage-create_tables", "manage-collectstatic", "manage-seed_demo")


def test_shopper_buys_and_pays_through_api_gateway(dev_stage, sandbox_server):
    with dev_stage.start("shopper") as function:
        browser = ApiGatewayClient(function, public_base_url=DEV_PUBLIC_BASE_URL, stage="dev")

        shop = browser.get("/en/")
        assert shop.status == 200 and "Espresso cup" in shop.text
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', shop.text).group(1)
        assert stylesheet.startswith(f"{dev_stage.aws.endpoint_url}/{dev_stage.bucket}/static/css/site.")
        assert requests.get(stylesheet, timeout=5).status_code == 200  # collectstatic's upload
        assert "max-age=31536000" in shop.headers["strict-transport-security"]
        assert all("Secure" in cookie for cookie in shop.headers_all("Set-Cookie"))

        added = browser.add_to_cart(shop, "espresso-cup", 2)
        assert (
            added.status == 302 and added.headers["location"] == "/dev/en/cart/"
        )  # the stage and language prefixes kept

        checkout = browser.check_out(name="Ada Lovelace", email="ada@example.com")
        assert checkout.status == 303 and checkout.headers["location"].startswith(sandbox_server.url + "/checkout/tr_")

        payment = SandboxControl(sandbox_server.url).payments()[-1]
        assert payment["webhookUrl"] == f"{DEV_PUBLIC_BASE_URL}/payments/webhook/"
        assert payment["redirectUrl"].startswith(f"{DEV_PUBLIC_BASE_URL}/en/orders/")
        SandboxControl(sandbox_server.url).set_status(payment["id"], "paid")

        webhook = browser.request(
            "POST",
            "/payments/webhook/",
            body=f"id={payment['id']}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert webhook.status == 200 and webhook.text == "applied"

        thank_you_path = browser.local_path(payment["redirectUrl"])
        thank_you = browser.get(thank_you_path)
        status = browser.get(thank_you_path + "status.json")
        assert thank_you.status == 200 and "Thank you! Your payment was received." in thank_you.text
        assert status.status == 200 and status.json()["status"] == "paid"

    order_id, token = thank_you_path.strip("/").split("/")[2:4]  # en/orders/<id>/<token>
    logs = dev_stage.json_logs("shopper")
    requests_logged = [line for line in logs if line.get("logger") == "shop.requests"]
    assert [(line["method"], line["status"]) for line in requests_logged] == [
        ("GET", 200),
        ("POST", 302),
        ("GET", 200),
        ("POST", 303),
        ("POST", 200),
        ("GET", 200),
        ("GET", 200),
    ]
    assert all(isinstance(line["latency_ms"], float) and line["request_id"] for line in requests_logged)
    assert requests_logged[0]["request_id"] == shop.request_id  # API Gateway's id, as the client saw it
    assert requests_logged[-1]["path"] == f"/dev/en/orders/{order_id}/[redacted]/status.json"
    workflow = [line for line in logs if line.get("logger") == "shop.workflow"]
    assert {
        "message": "attempt_status_changed",
        "order_id": order_id,
        "mollie_payment_id": payment["id"],
        "from_status": "open",
        "to_status": "paid",
        "source": "webhook",
    } in [
        {
            name: line.get(name)
            for name in ("message", "order_id", "mollie_payment_id", "from_status", "to_status", "source")
        }
        for line in workflow
    ]
    everything_logged = "\n".join(dev_stage.log_lines("shopper"))
    for never_logged in [*dev_stage.secret_values.values(), token, "ada@example.com", "Ada Lovelace"]:
        assert never_logged not in everything_logged
    assert_policy_allows_every_call(dev_stage, "shopper")


def test_staff_login_page_is_served(dev_stage):
    try:
        resolve("/staff/login/")
    except Resolver404:
        pytest.skip("/staff/login/ does not exist (yet)")
    with dev_stage.start("staff") as function:
        page = ApiGatewayClient(function, public_base_url=DEV_PUBLIC_BASE_URL, stage="dev").get("/staff/login/")
    assert page.status == 200 and 'type="password"' in page.text
    assert_policy_allows_every_call(dev_stage, "staff")


def test_scheduled_event_reconciles_a_payment_whose_webhook_was_lost(dev_stage, sandbox_server):
    with dev_stage.start("lost-webhook") as function:
        browser = ApiGatewayClient(function, public_base_url=DEV_PUBLIC_BASE_URL, stage="dev")
        shop = browser.get("/en/")
        browser.add_to_cart(shop, "coffee-beans", 1)
        browser.check_out(name="Grace Hopper", email="grace@example.com")
    payment = SandboxControl(sandbox_server.url).payments()[-1]
    SandboxControl(sandbox_server.url).set_status(payment["id"], "paid")

    # A cold container, as EventBridge's rule `shop-dev-payments.scheduled.reconcile_payments` would get.
    with dev_stage.start("reconcile", PAYMENT_STALE_AFTER_SECONDS="0") as function:
        answer = function.invoke(
            {
                "version": "0",
                "id": "5e1c0a2a-0000-0000-0000-000000000000",
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": MOTO_ACCOUNT,
                "region": "eu-west-1",
                "detail": {},
                "resources": [
                    f"arn:aws:events:eu-west-1:{MOTO_ACCOUNT}:rule/shop-dev-payments.scheduled.reconcile_payments"
                ],
            }
        )

    assert "error" not in answer, answer.get("error")
    assert answer["result"]["synced"] >= 1 and answer["result"]["errors"] == []
    with dev_stage.start("after-reconcile") as function:
        browser = ApiGatewayClient(function, public_base_url=DEV_PUBLIC_BASE_URL, stage="dev")
        status = browser.get(browser.local_path(payment["redirectUrl"]) + "status.json").json()
    assert status["status"] == "paid"
    summary = next(line for line in dev_stage.json_logs("reconcile") if line["message"] == "reconciliation finished")
    assert summary["summary"]["synced"] >= 1
    assert_policy_allows_every_call(dev_stage, "reconcile")


def test_a_queued_mail_is_sent_from_the_stage_identity(dev_stage):
    from_address = dev_stage.env["DEFAULT_FROM_EMAIL"]
    dev_stage.aws.verify_sender(from_address)  # docs/deploy.md: verify the sending domain
    item = outbox_item(
        order_id="SO-PKG-00001",
        kind=MailKind.ORDER_CLOSED,
        event_id="expired",
        to=["grace@example.com"],
        context={"customer_name": "Grace Hopper", "closed_status": "expired", "shop_url": DEV_PUBLIC_BASE_URL + "/"},
    )
    # Decided by the workflow, which then crashed before sending: the by-hand reconciliation sends it.
    with stage_tables(dev_stage), TransactWrite(connection=dynamodb.connection()) as transaction:
        item.put_in(transaction)

    dev_stage.manage("deliver_mail")

    mail = next(mail for mail in sent_mails(dev_stage.aws.endpoint_url) if "SO-PKG-00001" in mail.subject)
    assert parseaddr(mail.from_address) == parseaddr(from_address) and mail.to == ["grace@example.com"]
    with stage_tables(dev_stage):
        item.refresh(consistent_read=True)
    assert item.status == "sent" and item.ses_message_id == mail.message_id
    logged = "\n".join(dev_stage.log_lines("manage-deliver_mail"))
    assert "grace@example.com" not in logged and "Grace Hopper" not in logged
    assert_policy_allows_every_call(dev_stage, "manage-deliver_mail")


def _runtime_top_level_names():
    """Top-level modules of requirements.txt's distributions (and their dependencies) + the handler's."""
    names, seen = set(HANDLER_RUNTIME), set()
    pending = [
        line.split("==")[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    while pending:
        name = pending.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        distribution = metadata.distribution(name)
        names |= _top_level_names(distribution)
        for requirement in map(Requirement, distribution.requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return names


def _top_level_names(distribution):
    parts = (Path(str(file)).parts for file in distribution.files or [])
    return {part[0] for part in parts if not part[0].endswith(".dist-info") and part[0] not in ("..", "__pycache__")}
