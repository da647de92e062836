"""Settings of a deployed stage: what it must be given, what it derives, and `check --deploy`.

Each case imports the settings in a fresh process, as a Lambda cold start does, with the secret
in moto's Secrets Manager.
"""

import json
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.child_env import child_environment

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.no_tables

STRONG_SECRET = {"SECRET_KEY": secrets.token_urlsafe(50), "MOLLIE_API_KEY": "live_" + "L" * 30}
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'base': s.PUBLIC_BASE_URL, 'script': s.FORCE_SCRIPT_NAME, 'hosts': s.ALLOWED_HOSTS, "
    f"'csrf': s.CSRF_TRUSTED_ORIGINS, 'mollie': s.MOLLIE_API_KEY == {STRONG_SECRET['MOLLIE_API_KEY']!r}, "
    "'static': s.STORAGES['staticfiles']}))"
)


@pytest.fixture
def app_secret(local_aws):
    name = f"shop/test-{uuid.uuid4().hex[:8]}/app"
    local_aws.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(STRONG_SECRET))
    return name


# What the contact page and footer show; a deployed stage refuses to start without any of them.
LEGAL_SETTINGS = {
    "SHOP_LEGAL_NAME": "Brew & Co. B.V.",
    "SHOP_LEGAL_ADDRESS": "Keizersgracht 1, 1015 AA Amsterdam",
    "SHOP_CONTACT_EMAIL": "hello@shop.example.com",
    "SHOP_COC_NUMBER": "12345678",
    "SHOP_VAT_NUMBER": "NL000099998B57",
}


def _run(arguments, local_aws, **env):
    environment = child_environment(
        without=("DJANGO_SECRET_KEY", "DJANGO_DEBUG", "MOLLIE_API_KEY", "APP_SECRET_NAME"),
        STAGE="production",
        PUBLIC_BASE_URL="https://shop.example.com",
        STATIC_BUCKET="shop-static",
        DEFAULT_FROM_EMAIL="Brew & Co. <orders@shop.example.com>",
        **LEGAL_SETTINGS,
        AWS_ENDPOINT_URL_SECRETS_MANAGER=local_aws.endpoint_url,
        AWS_DEFAULT_REGION="eu-west-1",
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def _settings(local_aws, **env):
    result = _run(["-c", PRINT_SETTINGS], local_aws, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_passes_the_deployment_checklist(local_aws, app_secret):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], local_aws, APP_SECRET_NAME=app_secret)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_secrets_come_from_secrets_manager_and_hosts_from_the_public_url(local_aws, app_secret):
    settings = _settings(local_aws, APP_SECRET_NAME=app_secret)

    assert settings["mollie"] is True
    assert settings["base"] == "https://shop.example.com" and settings["script"] is None
    assert settings["hosts"] == ["shop.example.com"]
    assert settings["csrf"] == ["https://shop.example.com"]
    assert settings["static"]["OPTIONS"]["bucket_name"] == "shop-static"


def test_api_gateway_url_puts_the_stage_path_into_the_script_name(local_aws, app_secret):
    settings = _settings(
        local_aws, APP_SECRET_NAME=app_secret, PUBLIC_BASE_URL="https://abc123.execute-api.eu-west-1.amazonaws.com/dev/"
    )

    # Webhook URLs are PUBLIC_BASE_URL + reverse(...), and reverse() adds the script name.
    assert settings["base"] == "https://abc123.execute-api.eu-west-1.amazonaws.com"
    assert settings["script"] == "/dev"
    assert settings["hosts"] == ["abc123.execute-api.eu-west-1.amazonaws.com"]


@pytest.mark.parametrize(
    "env, message",
    [
        ({"APP_SECRET_NAME": "", "DJANGO_SECRET_KEY": "k" * 60}, "APP_SECRET_NAME is missing"),
        ({"APP_SECRET_NAME": "shop/nowhere/app"}, "Cannot read the app secret 'shop/nowhere/app'"),
        ({"PUBLIC_BASE_URL": "http://shop.example.com"}, "PUBLIC_BASE_URL must be an https:// URL"),
        ({"STATIC_BUCKET": ""}, "STATIC_BUCKET is missing"),
        ({"DEFAULT_FROM_EMAIL": ""}, "DEFAULT_FROM_EMAIL is missing"),
        ({"SHOP_VAT_NUMBER": ""}, "SHOP_VAT_NUMBER missing"),
        ({"SHOP_LEGAL_NAME": "", "SHOP_COC_NUMBER": ""}, "SHOP_LEGAL_NAME, SHOP_COC_NUMBER missing"),
    ],
)
def test_a_stage_without_what_it_needs_refuses_to_start(local_aws, app_secret, env, message):
    result = _run(["-c", "import django; django.setup()"], local_aws, **{"APP_SECRET_NAME": app_secret, **env})

    assert result.returncode != 0
    assert message in result.stderr


def test_a_secret_without_the_mollie_key_refuses_to_start(local_aws):
    name = f"shop/test-{uuid.uuid4().hex[:8]}/app"
    local_aws.client("secretsmanager").create_secret(
        Name=name, SecretString=json.dumps({"SECRET_KEY": STRONG_SECRET["SECRET_KEY"]})
    )

    result = _run(
        ["-c", "import django; django.setup()"], local_aws, APP_SECRET_NAME=name, MOLLIE_API_KEY="test_" + "e" * 30
    )  # an environment value is no stand-in

    assert result.returncode != 0
    assert f"The app secret '{name}' lacks MOLLIE_API_KEY" in result.stderr
