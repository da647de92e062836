"""The app secret at a cold start (config/app_secret.py): through the AWS Parameters and Secrets
Lambda Extension where it runs, from Secrets Manager where it does not or does not answer.

The extension is a stand-in here that answers as the real one does ("Use Secrets Manager secrets
in Lambda functions", AWS Lambda Developer Guide): GET /secretsmanager/get?secretId=ID on its
port, with the function's session token in X-Aws-Parameters-Secrets-Token, answering
GetSecretValue's JSON, and 400 while it is not ready yet. Each case imports the settings in a
fresh process, as a cold start does.
"""

import json
import secrets
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fixtures.stage_process import STRONG_SECRET, settings_of_stage

pytestmark = pytest.mark.no_tables

SESSION_TOKEN = "session-token-" + secrets.token_hex(8)
NOTHING_LISTENS = "http://127.0.0.1:9"  # port 9 (discard): a Secrets Manager call would fail


class FakeExtension:
    def __init__(self, secret_id, secret_string, *, ready=True):
        self.requests = []
        extension = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                extension.requests.append(
                    {
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "token": self.headers.get("X-Aws-Parameters-Secrets-Token"),
                    }
                )
                if not ready:
                    self._answer(400, b"not ready to serve traffic, please wait")
                elif self.headers.get("X-Aws-Parameters-Secrets-Token") != SESSION_TOKEN:
                    self._answer(401, b"")
                elif url.path != "/secretsmanager/get" or parse_qs(url.query).get("secretId") != [secret_id]:
                    self._answer(400, b"")
                else:
                    body = {"Name": secret_id, "SecretString": secret_string, "VersionStages": ["AWSCURRENT"]}
                    self._answer(200, json.dumps(body).encode())

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def extension_for():
    started = []

    def start(secret_id, **options):
        started.append(FakeExtension(secret_id, json.dumps(STRONG_SECRET), **options))
        return started[-1]

    yield start
    for extension in started:
        extension.stop()


@pytest.fixture
def secret_name(local_aws):
    name = f"shop/test-{uuid.uuid4().hex[:8]}/app"
    local_aws.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(STRONG_SECRET))
    return name


def test_the_secret_comes_from_the_extension_where_it_runs(local_aws, extension_for):
    name = f"shop/test-{uuid.uuid4().hex[:8]}/app"  # not in Secrets Manager, which is unreachable anyway
    extension = extension_for(name)

    stage = settings_of_stage(
        local_aws,
        APP_SECRET_NAME=name,
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=str(extension.port),
        AWS_SESSION_TOKEN=SESSION_TOKEN,
        AWS_ENDPOINT_URL_SECRETS_MANAGER=NOTHING_LISTENS,
    )

    assert stage["mollie"] is True
    assert extension.requests == [
        {"path": "/secretsmanager/get", "query": {"secretId": [name]}, "token": SESSION_TOKEN}
    ]


def test_an_extension_not_ready_yet_falls_back_to_secrets_manager(local_aws, secret_name, extension_for):
    extension = extension_for(secret_name, ready=False)

    stage = settings_of_stage(
        local_aws,
        APP_SECRET_NAME=secret_name,
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=str(extension.port),
        AWS_SESSION_TOKEN=SESSION_TOKEN,
    )

    assert stage["mollie"] is True
    assert len(extension.requests) == 1


def test_without_the_extension_configured_nothing_asks_localhost(local_aws, secret_name, extension_for):
    extension = extension_for(secret_name)

    stage = settings_of_stage(local_aws, APP_SECRET_NAME=secret_name, AWS_SESSION_TOKEN=SESSION_TOKEN)

    assert stage["mollie"] is True
    assert extension.requests == []
