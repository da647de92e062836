"""The ground everything stands on: settings, tables, the embedded local stack, /healthz."""

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from config import dynamodb
from config.tables import ensure_tables
from devstack.aws import LocalAWS
from shop.models import Article
from shop.services import seed_catalog
from tests.child_env import child_environment

ROOT = Path(__file__).resolve().parents[2]


def test_create_tables_twice_keeps_data(catalog, capsys):
    call_command("create_tables")
    call_command("create_tables")

    out = capsys.readouterr().out
    assert "created table" not in out and out.count("ok ") == 2 * len(dynamodb.all_models())
    assert Article.get("espresso-cup").name == "Espresso cup"


@pytest.mark.no_tables
def test_create_tables_check_reports_missing_without_creating(capsys):
    with pytest.raises(CommandError, match="missing"):
        call_command("create_tables", "--check")
    assert "MISSING table" in capsys.readouterr().out
    assert not Article.exists()

    call_command("create_tables")
    call_command("create_tables", "--check")  # now complete: no error
    assert Article.exists()


@pytest.mark.no_tables
def test_create_tables_adds_a_missing_index():
    client = dynamodb.boto3_client()
    schema = Article._get_schema()
    client.create_table(
        TableName=Article.Meta.table_name,
        KeySchema=schema["key_schema"],
        AttributeDefinitions=[a for a in schema["attribute_definitions"] if a["AttributeName"] == "slug"],
        BillingMode="PAY_PER_REQUEST",
    )
    report = ensure_tables(check_only=True)
    assert f"MISSING index catalog_index on {Article.Meta.table_name}" in report

    report = ensure_tables()

    assert f"added index catalog_index to {Article.Meta.table_name}" in report


def test_seeding_twice_adds_nothing(catalog):
    assert seed_catalog() == 0


def _settings_import(**env):
    environment = child_environment(
        without=("DJANGO_SECRET_KEY", "DJANGO_DEBUG", "STAGE", "PUBLIC_BASE_URL", "APP_SECRET_NAME"), **env
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"STAGE": "local", "DJANGO_DEBUG": "false"},
        {"STAGE": "production", "PUBLIC_BASE_URL": "https://shop.example.com"},
    ],
)
def test_settings_refuse_a_missing_secret_key_outside_debug(env):
    result = _settings_import(**env)
    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


def test_settings_generate_a_local_key_in_debug():
    assert _settings_import(STAGE="local", DJANGO_DEBUG="true").returncode == 0


def test_healthz_says_whether_dynamodb_answers(client):
    assert client.get("/healthz").json() == {"status": "ok", "dynamodb": "ok"}

    working_host = dynamodb.current_target().host
    dynamodb.configure(host="http://127.0.0.1:9")  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        dynamodb.configure(host=working_host)
    assert response.status_code == 503 and response.json()["status"] == "error"


@pytest.mark.no_tables
def test_local_stack_starts_stops_and_keeps_data_in_its_file(tmp_path):
    aws = LocalAWS(port=0).start()
    try:
        client = aws.client("dynamodb")
        client.create_table(
            TableName="keep-things",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="keep-things", Item={"k": {"S": "one"}, "n": {"N": "1"}})
        assert aws.dump_dynamodb(tmp_path / "dump.json", table_prefix="keep-") == 1
    finally:
        aws.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(aws.endpoint_url, timeout=2)

    second = LocalAWS(port=0).start()
    try:
        client = second.client("dynamodb")
        # moto keeps its state per process: start from an empty table, as a new `make run` would.
        client.delete_table(TableName="keep-things")
        client.create_table(
            TableName="keep-things",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert second.load_dynamodb(tmp_path / "dump.json") == 1
        assert client.get_item(TableName="keep-things", Key={"k": {"S": "one"}})["Item"]["n"] == {"N": "1"}
    finally:
        second.stop()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hear_ctrl_c():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_runserver(port, state_file):
    env = child_environment(
        without=("DYNAMODB_ENDPOINT_URL", "MOLLIE_API_ENDPOINT", "MOLLIE_API_KEY", "DJANGO_DEBUG"),
        STAGE="local",
        LOCAL_STACK_STATE_FILE=str(state_file),
        DYNAMODB_TABLE_PREFIX="rs-",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # A signal ignored in this process stays ignored in the child (exec keeps SIG_IGN): after
        # some test of the worker left SIGINT ignored, runserver never heard Ctrl+C.
        preexec_fn=_hear_ctrl_c,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)  # polling for the server to listen, bounded by the deadline
    process.kill()
    raise AssertionError("runserver did not come up:\n" + process.communicate(timeout=10)[0])


def _stop(process):
    process.send_signal(signal.SIGINT)
    # Bounded, not timed: it saves the local stack's state and stops moto and the sandbox.
    output, _ = process.communicate(timeout=90)
    return output


@pytest.mark.no_tables
def test_runserver_embeds_the_local_stack_and_keeps_data_across_restarts(tmp_path):
    state_file = tmp_path / "dynamodb.json"
    port = _free_port()

    process = _start_runserver(port, state_file)
    try:
        shop_page = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert shop_page.status_code == 200 and "Espresso cup" in shop_page.text
    finally:
        output = _stop(process)
    assert "Mollie sandbox: http://127.0.0.1:" in output
    assert "DynamoDB/S3/Secrets Manager (moto): http://127.0.0.1:" in output
    dumped = json.loads(state_file.read_text())["tables"]
    articles = dumped["rs-articles"]
    assert len(articles) == 6

    # Change something, as a user of the running shop would, then restart.
    articles[0]["name"] = {"S": "Renamed while stopped"}
    state_file.write_text(json.dumps({"tables": dumped}))
    process = _start_runserver(port, state_file)
    try:
        assert "Renamed while stopped" in requests.get(f"http://127.0.0.1:{port}/", timeout=10).text
    finally:
        output = _stop(process)
    assert "Catalog: 0 demo article(s) added." in output
