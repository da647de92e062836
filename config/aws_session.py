"""The process's one botocore session, shared by the AWS clients of a request path (Secrets
Manager at start-up, DynamoDB). Clients are still made lazily, on first use.

Each botocore session loads botocore's endpoint and service descriptions for itself; a second
session (PynamoDB makes its own, boto3 another) cost about 45 ms of every Lambda cold start.
"""

import threading

# botocore's sessions are not thread-safe while they create clients (PynamoDB's Connection.session).
lock = threading.RLock()
_session = None
_boto3_session = None


def botocore_session():
    global _session
    with lock:
        if _session is None:
            import botocore.session

            _session = botocore.session.get_session()
        return _session


def boto3_session():
    """The one boto3 Session over the shared botocore session. Only one: each boto3 Session
    registers boto3's handlers on its botocore session again, and a second set makes the next S3
    client fail ("Cannot inject class attribute upload_file")."""
    global _boto3_session
    with lock:
        if _boto3_session is None:
            import boto3.session

            _boto3_session = boto3.session.Session(botocore_session=botocore_session())
        return _boto3_session


def client(service_name, *args, **options):
    """A botocore client on the shared session, one creation at a time."""
    with lock:
        return botocore_session().create_client(service_name, *args, **options)


class SharedSession:
    """What PynamoDB's Connection asks of its session (`create_client`), served by the shared one.
    `credentials` go to each client made, not to the session: a local endpoint's dummy keys must
    not leak into the clients of other services."""

    def __init__(self, **credentials):
        self._credentials = {name: value for name, value in credentials.items() if value}

    def create_client(self, service_name, *args, **options):
        return client(service_name, *args, **self._credentials, **options)
