"""Amazon SES through django-anymail's backend, on one SES client per process.

Anymail's backend makes a boto3 Session and a client for each connection, and Django opens one
per mail: botocore then loads its endpoint and service data again, ~75 ms of CPU for every
confirmation a webhook sends. Here the backend borrows the process's one client, made on the
process's one boto3 Session (config/aws_session.py); botocore clients are thread-safe.
"""

from functools import cache
from typing import Any

from django.conf import settings
from django.core.mail import get_connection

from config import aws_session

AMAZON_SES_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
# One try, no retry inside the request: a failed send stays queued and reconciliation tries it
# again (notifications/services.py).
SES_CONNECT_TIMEOUT_SECONDS = 1
SES_READ_TIMEOUT_SECONDS = 2


def ses_connection():
    """The mail connection: SES (at SES_ENDPOINT_URL when set: moto locally and in tests) with
    short timeouts, so a slow SES cannot hold a request past its deadline; or another backend
    configured on purpose (e.g. console for a demo)."""
    if settings.EMAIL_BACKEND == AMAZON_SES_BACKEND:
        return shared_client_backend()()
    return get_connection()


@cache
def shared_client_backend() -> Any:
    """Anymail's SES backend on the shared client (made on the first mail: anymail's module
    imports boto3, which the shop page's cold start does without)."""
    from anymail.backends.amazon_ses import EmailBackend as AnymailSESBackend

    class SharedClientSESBackend(AnymailSESBackend):
        client: Any  # anymail's attribute: None until opened

        def open(self):
            if self.client:
                return False
            self.client = ses_client(ses_endpoint_url(), settings.SES_REGION)
            return True

        def close(self):
            self.client = None  # the shared client stays open for the next mail

    return SharedClientSESBackend


def ses_client(endpoint_url, region):
    return aws_session.boto3_client(
        "sesv2",
        endpoint_url,
        region,
        connect_timeout=SES_CONNECT_TIMEOUT_SECONDS,
        read_timeout=SES_READ_TIMEOUT_SECONDS,
        tries=1,
    )


def ses_endpoint_url():
    """SES_ENDPOINT_URL; locally unset, the local stack's (runserver's moto serves DynamoDB and SES)."""
    if settings.SES_ENDPOINT_URL:
        return settings.SES_ENDPOINT_URL
    return settings.DYNAMODB_ENDPOINT_URL if settings.IS_LOCAL else None
