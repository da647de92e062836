"""The stage's one Secrets Manager secret (SECRET_KEY, MOLLIE_API_KEY), read once per cold start.

Where the AWS Parameters and Secrets Lambda Extension runs beside the function (a layer;
docs/deploy.md, "1. The secret"), the secret comes from it over localhost: no Secrets Manager
client to create, which is a good part of a cold start. Otherwise, or when the extension does not
answer (it may still be starting, or refuse under load), from Secrets Manager through botocore, as
before.
"""

import json
import logging
import os
from functools import cache
from urllib.parse import quote
from urllib.request import Request, urlopen

from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

# Set in the function's environment together with the extension's layer: the extension reads it
# for its own port ("AWS Parameters and Secrets Lambda Extension environment variables").
EXTENSION_PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
# The extension answers from its cache in about a millisecond; a first read goes to Secrets Manager.
EXTENSION_TIMEOUT_SECONDS = 2.0


@cache
def load_app_secret(secret_id: str) -> dict:
    secret_string = _from_extension(secret_id)
    if secret_string is None:
        secret_string = _from_secrets_manager(secret_id)
    try:
        values = json.loads(secret_string)
    except ValueError as error:
        raise ImproperlyConfigured(f"The app secret {secret_id!r} is not JSON: {error}") from error
    if not isinstance(values, dict):
        raise ImproperlyConfigured(f"The app secret {secret_id!r} must be a JSON object.")
    return values


def _from_extension(secret_id: str) -> str | None:
    """The SecretString through the extension, or None when it is absent or does not answer."""
    port = os.environ.get(EXTENSION_PORT_VARIABLE, "")
    token = os.environ.get("AWS_SESSION_TOKEN", "")  # the extension checks it (SSRF protection)
    if not port.isdigit() or not token:
        return None
    request = Request(
        f"http://localhost:{int(port)}/secretsmanager/get?secretId={quote(secret_id, safe='')}",
        headers={"X-Aws-Parameters-Secrets-Token": token},
    )
    try:
        with urlopen(request, timeout=EXTENSION_TIMEOUT_SECONDS) as response:  # noqa: S310 - http to localhost
            secret_string = json.loads(response.read())["SecretString"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("the secrets extension did not answer (%s); reading the secret from Secrets Manager", error)
        return None
    return secret_string if isinstance(secret_string, str) else None


def _from_secrets_manager(secret_id: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    from config import aws_session  # only deployed stages pay for importing botocore here

    try:
        # On the session DynamoDB's client will share: botocore's endpoint data is loaded once.
        response = aws_session.client("secretsmanager").get_secret_value(SecretId=secret_id)
        return response["SecretString"]
    except (BotoCoreError, ClientError, KeyError) as error:
        # Never fall back to a default: a stage without its secret must not start.
        raise ImproperlyConfigured(f"Cannot read the app secret {secret_id!r}: {error}") from error
