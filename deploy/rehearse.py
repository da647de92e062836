"""`make rehearse`: the deployment guide's first deployment and an update, command by command, against moto and the sandbox.

The commands come from docs/deploy.md itself (the sh blocks of "First deployment of a stage" and
"Updating a stage"), in the guide's order; a command the rehearsal cannot perform fails it, so the
guide and the rehearsal cannot drift apart. AWS is a fresh moto server, Mollie the sandbox, each
`zappa deploy/update` the real package run as Lambda would run it (deploy/local_lambda.py).

Where the real thing fails, the rehearsal fails: Zappa's post-deploy touch raises on a 5xx
(zappa/cli.py 0.63, touch_endpoint); each AWS call the function made is held against the
stage's role policy (tests/deploy/iam.py), which knows what moto does not model.

The update runs on a copy of the project with a new stylesheet that every page links, while a
warm container of the previous release keeps serving.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import botocore.exceptions
import requests

from deploy.local_lambda import (
    ROOT,
    ApiGatewayClient,
    LocalLambda,
    build_package,
    lambda_environment,
    runtime_dir,
    stage_settings,
    unpack,
    zappa_template,
)
from deploy.run_as_stage import stage_environment

STAGE = "dev"
ACCOUNT = "123456789012"  # moto's
API_HOST = "abc123defg.execute-api.eu-west-1.amazonaws.com"
NEW_STYLESHEET = "rehearsal/new-release.css"
AWS_COMMANDS = {
    ("secretsmanager", "create-secret"),
    ("s3api", "create-bucket"),
    ("s3api", "put-public-access-block"),
    ("s3api", "put-bucket-policy"),
    ("s3api", "put-bucket-lifecycle-configuration"),
}
DEPLOY_GUIDE = ROOT / "docs" / "deploy.md"
SECTIONS = ("## First deployment of a stage", "## Updating a stage")


class RehearsalFailed(Exception):
    pass


def guide_commands(section, guide=DEPLOY_GUIDE):
    """The shell commands of a guide section's sh blocks, in order; a heredoc stays with its command."""
    text = guide.read_text()
    start = text.index(section)
    end = text.find("\n## ", start + len(section))
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text[start : end if end != -1 else None], re.S):
        lines = iter(block.splitlines())
        for line in lines:
            heredoc = re.search(r"<<'(\w+)'$", line)
            if heredoc:
                body = []
                for body_line in lines:
                    if body_line == heredoc.group(1):
                        break
                    body.append(body_line)
                commands.append((line, "\n".join(body)))
            elif line.strip():
                commands.append((line, None))
    return commands


class Rehearsal:
    def __init__(self, aws, sandbox_url, work):
        self.aws, self.sandbox_url, self.work = aws, sandbox_url, Path(work)
        self.settings = stage_settings(STAGE)
        self.project = ROOT
        self.variables = {
            **self.settings["aws_environment_variables"],
            # Browsers reach the bucket at its public URL; here that is moto's.
            "STATIC_BASE_URL": f"{aws.endpoint_url}/{self.settings['aws_environment_variables']['STATIC_BUCKET']}",
            "MOLLIE_API_ENDPOINT": sandbox_url,
        }
        self.release = None  # the unpacked package `zappa deploy/update` last uploaded
        self.releases = 0
        self.containers = []
        self.calls_files = []
        self.secret_arn = None
        self.log = []

    # --- the commands ---------------------------------------------------------------------------

    def run(self, command, heredoc):
        started = time.monotonic()
        self._perform(shlex.split(command), heredoc)
        self.log.append(f"{time.monotonic() - started:6.1f}s  {command}")
        print(self.log[-1], flush=True)

    def _perform(self, words, heredoc):
        match words:
            case ["umask", _]:
                pass  # the secret's file is written inside the rehearsal's own directory
            case ["python", "-", ">", path, _]:
                self._write_secret_file(path, heredoc)
            case ["rm", path]:
                self._local(path).unlink()
            case ["aws", *arguments]:
                self._aws(arguments)
            case ["zappa", ("deploy" | "update") as action, stage]:
                self._zappa_upload(action, stage)
            case ["zappa", "manage", stage, *manage_command]:
                self._zappa_manage(stage, " ".join(manage_command))
            case ["zappa", "tail", stage, *_]:
                self._same_stage(stage)  # the logs are read by the checks below
            case ["python", "-m", "deploy.run_as_stage", stage, "python", "manage.py", *arguments]:
                self._run_as_stage(stage, arguments)
            case ["curl", "-s", url]:
                self._curl(url)
            case ["make", "test"]:
                pass  # the rehearsal is part of `make test`
            case _:
                raise RehearsalFailed(f"guide command the rehearsal cannot perform: {shlex.join(words)}")

    def _local(self, path):
        return self.work / Path(path).name

    def _write_secret_file(self, path, script):
        # getpass reads from stdin when there is no terminal: the sandbox's test key goes there.
        result = subprocess.run(
            [sys.executable, "-c", script],
            input="test_" + "r" * 30 + "\n",
            text=True,
            capture_output=True,
            timeout=30,
            start_new_session=True,
        )
        if result.returncode != 0:
            raise RehearsalFailed(f"the secret script failed: {result.stderr}")
        self._local(path).write_text(result.stdout)

    def _aws(self, arguments):
        service, operation, *options = arguments
        values = dict(zip(options[::2], options[1::2], strict=False))  # a lone flag has no value
        if (service, operation) not in AWS_COMMANDS:
            raise RehearsalFailed(f"guide aws command the rehearsal cannot perform: {service} {operation}")
        client = self.aws.client("s3" if service == "s3api" else service)
        match service, operation:
            case "secretsmanager", "create-secret":
                secret = self._file_argument(values["--secret-string"])
                self.secret_arn = client.create_secret(Name=values["--name"], SecretString=secret)["ARN"]
            case "s3api", "create-bucket":
                region = values["--create-bucket-configuration"].split("=", 1)[1]
                client.create_bucket(
                    Bucket=values["--bucket"], CreateBucketConfiguration={"LocationConstraint": region}
                )
            case "s3api", "put-public-access-block":
                flags = dict(pair.split("=") for pair in values["--public-access-block-configuration"].split(","))
                client.put_public_access_block(
                    Bucket=values["--bucket"],
                    PublicAccessBlockConfiguration={name: value == "true" for name, value in flags.items()},
                )
            case "s3api", "put-bucket-policy":
                client.put_bucket_policy(Bucket=values["--bucket"], Policy=self._file_argument(values["--policy"]))
            case "s3api", "put-bucket-lifecycle-configuration":
                client.put_bucket_lifecycle_configuration(
                    Bucket=values["--bucket"],
                    LifecycleConfiguration=json.loads(self._file_argument(values["--lifecycle-configuration"])),
                )

    def _file_argument(self, value):
        path = value.removeprefix("file://")
        # The README's commands write their files to /tmp/, here the rehearsal's own folder.
        return (self._local(path) if path.startswith("/tmp/") else self.project / path).read_text()  # noqa: S108

    def _zappa_upload(self, action, stage):
        self._same_stage(stage)
        if action == "update" and urlsplit(self.variables["PUBLIC_BASE_URL"]).hostname != API_HOST:
            # docs/deploy.md step 5, "without a domain yet": the URL Zappa printed becomes PUBLIC_BASE_URL.
            self.variables["PUBLIC_BASE_URL"] = f"https://{API_HOST}/{stage}"
        self.releases += 1
        release_dir = self.work / f"release-{self.releases}"
        release_dir.mkdir()
        package = build_package(stage, release_dir / f"shop-{stage}.zip", project_dir=self.project)
        self.release = unpack(package, release_dir / "task")
        # Zappa's touch (cli.py, touch_endpoint): GET the API's own URL + touch_path; a 5xx fails the command.
        answer = self.client(self.start(f"touch-{self.releases}")).get(self.settings.get("touch_path", "/"))
        if answer.status >= 500:
            raise RehearsalFailed(f"zappa {action} {stage}: the touch got {answer.status}:\n{answer.text[:2000]}")

    def _zappa_manage(self, stage, command):
        self._same_stage(stage)
        answer = self.start(f"manage-{len(self.containers)}").invoke({"manage": command.strip('"')}, timeout=120)
        if "error" in answer:
            raise RehearsalFailed(f"zappa manage {stage} {command}:\n{answer['error']}")

    def _run_as_stage(self, stage, arguments):
        self._same_stage(stage)
        env = {
            **stage_environment(stage, {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}),
            **self.variables,
            **self._aws_environment(),
            "STAFF_PASSWORD": "rehearsal-password-1234",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RehearsalFailed(f"manage.py {' '.join(arguments)} on your machine failed:\n{result.stderr[-3000:]}")

    def _curl(self, url):
        answer = self.client(self.start(f"curl-{len(self.containers)}")).get(urlsplit(url).path)
        if answer.status != 200 or answer.json().get("status") != "ok":
            raise RehearsalFailed(f"curl {url}: {answer.status} {answer.text[:500]}")

    @staticmethod
    def _same_stage(stage):
        if stage != STAGE:
            raise RehearsalFailed(f"the guide mixes stages: {stage} in the {STAGE} guide")

    # --- the stage's function -------------------------------------------------------------------

    def _aws_environment(self):
        endpoint = self.aws.endpoint_url
        return {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "DYNAMODB_ENDPOINT_URL": endpoint,
        }

    def start(self, label):
        """A cold container of the current release, with the stage's current configuration."""
        if self.release is None:
            raise RehearsalFailed("a command needs the function before `zappa deploy` ran")
        env = lambda_environment(
            function_name=f"shop-{STAGE}",
            memory_mb=self.settings["memory_size"],
            aws_endpoint=self.aws.endpoint_url,
            region=self.settings["aws_region"],
            STAGE=STAGE,
            **self.variables,
        )
        calls = self.work / f"{label}.calls"
        container = LocalLambda(
            self.release, runtime_dir(self.work / "runtime"), env, log_file=self.work / f"{label}.log", calls_file=calls
        )
        self.containers.append(container)
        self.calls_files.append(calls)
        return container

    @staticmethod
    def client(container):
        """A browser at the API's own URL, where Zappa's touch and (without a domain) shoppers arrive."""
        return ApiGatewayClient(container, public_base_url=f"https://{API_HOST}/{STAGE}", stage=STAGE)

    def stop(self):
        for container in self.containers:
            container.stop()

    def aws_calls(self):
        return [
            json.loads(line) for path in self.calls_files if path.exists() for line in path.read_text().splitlines()
        ]


# --- what a shopper and the next release do ---------------------------------------------------------


def buy_and_pay(rehearsal):
    """A purchase on the deployed stage, paid at the sandbox; the webhook delivered as Mollie would."""
    browser = rehearsal.client(rehearsal.start("purchase"))
    shop = browser.get("/en/")
    _expect(shop.status == 200 and "Espresso cup" in shop.text, "the shop page after seeding", shop)
    browser.add_to_cart(shop, "espresso-cup", 1)
    checkout = browser.check_out(name="Rehearsal Shopper", email="shopper@example.com")
    _expect(checkout.status == 303, "checkout", checkout)
    payment = requests.get(f"{rehearsal.sandbox_url}/_sandbox/payments", timeout=5).json()[-1]
    requests.post(
        f"{rehearsal.sandbox_url}/_sandbox/payments/{payment['id']}", data={"status": "paid"}, timeout=5
    ).raise_for_status()
    webhook = browser.request(
        "POST",
        "/payments/webhook/",
        body=f"id={payment['id']}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _expect(webhook.status == 200, "Mollie's webhook", webhook)
    status = browser.get(browser.local_path(payment["redirectUrl"]) + "status.json")
    _expect(status.status == 200 and status.json()["status"] == "paid", "the order's status", status)


def next_release_project(work):
    """A copy of the project whose pages all link one new stylesheet: the next release."""
    project = Path(work) / "next-release"
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    (project / "static" / NEW_STYLESHEET).parent.mkdir(parents=True, exist_ok=True)
    (project / "static" / NEW_STYLESHEET).write_text("main { outline: 0; }\n")
    base = project / "templates" / "base.html"
    link = """<link rel="stylesheet" href="{% static 'css/site.css' %}">"""
    base.write_text(
        base.read_text().replace(
            link, link + f"""\n  <link rel="stylesheet" href="{{% static '{NEW_STYLESHEET}' %}}">"""
        )
    )
    return project


def stylesheets(page):
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)


def _serves_its_pages(container, label):
    page = Rehearsal.client(container).get("/en/")
    _expect(page.status == 200, label, page)
    for url in stylesheets(page):
        fetched = requests.get(url, timeout=5)
        if fetched.status_code != 200:
            raise RehearsalFailed(f"{label}: {url} answers {fetched.status_code}")
    return page


def _expect(condition, what, answer):
    if not condition:
        raise RehearsalFailed(f"{what}: {answer.status}\n{answer.text[:2000]}")


def rehearse(aws, sandbox_url, work):
    """Both guide sections, then the checks; returns the rehearsal (its log and AWS calls)."""
    rehearsal = Rehearsal(aws, sandbox_url, work)
    try:
        for command, heredoc in guide_commands(SECTIONS[0]):
            rehearsal.run(command, heredoc)
        _exports_expire(rehearsal)
        buy_and_pay(rehearsal)

        warm = rehearsal.start("warm-old-release")
        old_page = _serves_its_pages(warm, "the old release before the update")
        if any(NEW_STYLESHEET.split("/")[0] in url for url in stylesheets(old_page)):
            raise RehearsalFailed("the old release links the new stylesheet already")
        rehearsal.project = next_release_project(work)
        for command, heredoc in guide_commands(SECTIONS[1]):
            rehearsal.run(command, heredoc)
            _serves_its_pages(warm, f"the old release's warm container after `{command}`")
        new_page = _serves_its_pages(rehearsal.start("new-release"), "the new release")
        if not any(NEW_STYLESHEET.split("/")[0] in url for url in stylesheets(new_page)):
            raise RehearsalFailed(f"the new release does not link {NEW_STYLESHEET}")
        return rehearsal
    finally:
        rehearsal.stop()


def _exports_expire(rehearsal):
    """The staff's CSV exports hold names and e-mail addresses: the bucket must drop them."""
    bucket = rehearsal.variables["STATIC_BUCKET"]
    try:
        rules = rehearsal.aws.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except botocore.exceptions.ClientError as error:
        raise RehearsalFailed(f"{bucket} has no lifecycle rules: exports would stay for ever") from error
    if not any(
        rule["Status"] == "Enabled"
        and rule.get("Filter", {}).get("Prefix") == "private/exports/"
        and "Days" in rule.get("Expiration", {})
        and "AbortIncompleteMultipartUpload" in rule
        for rule in rules
    ):
        raise RehearsalFailed(f"{bucket} does not expire private/exports/ and its unfinished uploads")


def refused_calls(rehearsal):
    """The function's AWS calls, from every container, that its role policy would refuse on AWS."""
    from tests.deploy.iam import is_allowed, permissions_api_gateway_needs, permissions_needed

    policy = json.loads((ROOT / rehearsal.settings["attach_policy"]).read_text())
    secret_arns = {rehearsal.variables["APP_SECRET_NAME"]: rehearsal.secret_arn}
    needed = [
        permission
        for call in rehearsal.aws_calls()
        for permission in permissions_needed(
            call, region=rehearsal.settings["aws_region"], account=ACCOUNT, secret_arns=secret_arns
        )
    ]
    # Each request above reached the function through API Gateway, which invokes it with the role.
    template = zappa_template(STAGE, rehearsal.work / "template.json", account=ACCOUNT)
    needed += permissions_api_gateway_needs(template)
    return sorted(
        {
            (action, resource)
            for action, resource, context in needed
            if not is_allowed(policy, action, resource, context, account=ACCOUNT)
        }
    )


def main():
    from devstack.aws import LocalAWS
    from mollie_sandbox.server import SandboxServer

    started = time.monotonic()
    aws = LocalAWS(port=0).start()
    sandbox = SandboxServer(host="127.0.0.1", port=0, time_scale=60.0, expiry_seconds=900).start()
    # Mollie's webhooks would go to the stage's public URL, which is not here: delivered by hand.
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"webhook_drop_rate": 1.0}, timeout=5).raise_for_status()
    try:
        with tempfile.TemporaryDirectory(prefix="rehearsal-") as work:
            rehearsal = rehearse(aws, sandbox.url, work)
            refused = refused_calls(rehearsal)
            if refused:
                raise RehearsalFailed(f"the role policy would refuse: {refused}")
    except RehearsalFailed as failure:
        sys.exit(f"The rehearsal failed where a real deployment would:\n{failure}")
    finally:
        sandbox.stop()
        aws.stop()
    print(f"rehearsal passed in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
