"""The stage's one Secrets Manager secret (SECRET_KEY, MOLLIE_API_KEY), read once per cold start."""

import json
from functools import cache

from django.core.exceptions import ImproperlyConfigured


@cache
def load_app_secret(secret_id: str) -> dict:
    from botocore.exceptions import BotoCoreError, ClientError

    from config import aws_session  # only deployed stages pay for importing botocore here

    try:
        # On the session DynamoDB's client will share: botocore's endpoint data is loaded once.
        response = aws_session.client("secretsmanager").get_secret_value(SecretId=secret_id)
        values = json.loads(response["SecretString"])
    except (BotoCoreError, ClientError, KeyError, ValueError) as error:
        # Never fall back to a default: a stage without its secret must not start.
        raise ImproperlyConfigured(f"Cannot read the app secret {secret_id!r}: {error}") from error
    if not isinstance(values, dict):
        raise ImproperlyConfigured(f"The app secret {secret_id!r} must be a JSON object.")
    return values
