"""Build the real Zappa package and run it here the way Lambda would, without AWS.

Used by the package test (tests/deploy/) and the benchmark (bench/deploy_bench.py). AWS itself
is moto's server and Mollie the sandbox; the handler runs in its own Python process that sees
only the unpacked package plus what Lambda's runtime provides.
"""

import json
import os
import re
import secrets
import select
import string
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).with_name("lambda_driver.py")
ZAPPA_SETTINGS = ROOT / "zappa_settings.json"
# Lambda's python3.11 runtime ships these; the package leaves them out (zappa_settings.json).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024


def stage_settings(stage, settings_file=ZAPPA_SETTINGS):
    """A stage's settings as Zappa sees them (`extends` resolved, one level as we use it)."""
    stages = json.loads(Path(settings_file).read_text())
    settings = dict(stages[stage])
    if "extends" in settings:
        settings = {**stages[settings.pop("extends")], **settings}
    return settings


def _zappa(command, stage, output, *arguments, project_dir, timeout, env=None):
    """Runs `zappa COMMAND STAGE --json -o OUTPUT ...` with this virtualenv's Zappa; returns the output's path."""
    venv = Path(sys.prefix)
    env = {
        **os.environ,
        **(env or {}),
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    # --json also skips Zappa's "newer version available?" lookup, so it stays offline.
    result = subprocess.run(
        [str(venv / "bin" / "zappa"), command, stage, "--json", "-o", str(output), *arguments],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0 or not Path(output).exists():
        raise RuntimeError(f"zappa {command} {stage} failed:\n{result.stdout}\n{result.stderr}")
    return Path(output)


def build_package(stage, output, *, project_dir=ROOT):
    """`zappa package STAGE` into `output`; returns its path. No AWS credentials needed."""
    return _zappa("package", stage, output, project_dir=project_dir, timeout=300)


def zappa_template(stage, output, *, account="123456789012", project_dir=ROOT):
    """`zappa template STAGE`: the CloudFormation template of the stage's REST API, as a dict.

    Zappa builds it offline from zappa_settings.json, with the function and role ARNs given.
    """
    settings = stage_settings(stage)
    function = f"{settings['project_name']}-{stage}"
    offline = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "offline", "AWS_SECRET_ACCESS_KEY": "offline"}
    template = _zappa(
        "template",
        stage,
        output,
        "-l",
        f"arn:aws:lambda:{settings['aws_region']}:{account}:function:{function}",
        "-r",
        f"arn:aws:iam::{account}:role/{function}-ZappaLambdaExecutionRole",
        project_dir=project_dir,
        timeout=120,
        env=offline,
    )
    return json.loads(template.read_text())


def unpack(package, directory):
    with zipfile.ZipFile(package) as archive:
        archive.extractall(directory)
    return Path(directory)


def unzipped_size(package):
    with zipfile.ZipFile(package) as archive:
        return sum(info.file_size for info in archive.infolist())


def runtime_dir(directory):
    """A directory with what Lambda's runtime adds to the path, linked from this virtualenv."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PROVIDED:
        module = __import__(name)
        target = directory / name
        if not target.exists():
            target.symlink_to(Path(module.__file__).parent, target_is_directory=True)
    return directory


def lambda_environment(*, function_name, memory_mb, aws_endpoint, region="eu-west-1", **variables):
    """What Lambda sets, plus the stage's variables; AWS is the local moto server."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        # moto accepts any credentials; never look for real ones (no instance metadata lookups).
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": aws_endpoint,
        "AWS_ENDPOINT_URL_S3": aws_endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": aws_endpoint,
        "AWS_ENDPOINT_URL_SESV2": aws_endpoint,
        "DYNAMODB_ENDPOINT_URL": aws_endpoint,
    }
    env.update({name: str(value) for name, value in variables.items()})
    return env


class LocalLambda:
    """One Lambda execution environment: a process that imports the handler once (cold start)
    and then serves invocations until stopped (warm)."""

    def __init__(self, package_dir, runtime, env, *, log_file, calls_file=None):
        self.log_file = Path(log_file)
        env = dict(env)
        if calls_file:
            env["LOCAL_LAMBDA_CALLS_FILE"] = str(calls_file)
        self._log = open(self.log_file, "a")  # noqa: SIM115 - closed by stop()
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", str(DRIVER), str(package_dir), str(runtime)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            text=True,
        )

    def invoke(self, event, *, trace_id=None, timeout=60):
        """Returns the driver's answer: {"result" or "error", "duration_ms", "import_ms"}.

        `trace_id`: the X-Ray trace header Lambda gives this invocation (a fresh one if None).
        """
        self._process.stdin.write(json.dumps({"event": event, "trace_id": trace_id}) + "\n")
        self._process.stdin.flush()
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError(f"The handler gave no answer within {timeout}s:\n{self.log_file.read_text()[-5000:]}")
        return json.loads(line)

    def stop(self):
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@dataclass
class DeployedStage:
    """A stage "deployed" here: its package unpacked, its secret, bucket and tables in moto."""

    name: str
    package: Path
    package_dir: Path
    runtime: Path
    work: Path
    env: dict
    settings: dict
    secret_values: dict
    secret_arns: dict
    aws: object

    def start(self, label, **extra_env):
        """A fresh execution environment (a cold start). Its logs and AWS calls go to files."""
        return LocalLambda(
            self.package_dir,
            self.runtime,
            {**self.env, **extra_env},
            log_file=self.work / f"{label}.log",
            calls_file=self.work / f"{label}.calls",
        )

    def manage(self, command):
        """`zappa manage STAGE "<command>"`: the same event Zappa sends."""
        with self.start(f"manage-{command.split()[0]}") as function:
            answer = function.invoke({"manage": command})
        if "error" in answer:
            raise RuntimeError(f"manage {command} failed:\n{answer['error']}")
        return answer

    def log_lines(self, label):
        return (self.work / f"{label}.log").read_text().splitlines()

    def json_logs(self, label):
        lines = []
        for line in self.log_lines(label):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue  # the odd non-JSON line, e.g. Zappa's "Instancing.."
        return lines

    def aws_calls(self, label):
        path = self.work / f"{label}.calls"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    @property
    def table_prefix(self):
        return self.env["DYNAMODB_TABLE_PREFIX"]

    @property
    def bucket(self):
        return self.env["STATIC_BUCKET"]


def deploy_stage(stage, aws, work, *, package=None, **variables):
    """Package STAGE and provision it the way the deployment guide (docs/deploy.md) does, with moto as AWS.

    The secret and the public static bucket come first; then `zappa manage` creates the tables,
    fills the bucket and seeds the demo catalog. `variables` override the stage's environment.
    `package`: one already built for STAGE (building takes the longest).
    """
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    settings = stage_settings(stage)
    package = package or build_package(stage, work / f"{settings['project_name']}-{stage}.zip")
    variables = {**settings["aws_environment_variables"], **variables}
    # Browsers reach the bucket at its public https URL on AWS; here that is moto's.
    variables.setdefault("STATIC_BASE_URL", f"{aws.endpoint_url}/{variables['STATIC_BUCKET']}")
    secret_values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MOLLIE_API_KEY": "test_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(30)),
    }
    secret_arn = _put_secret(aws.client("secretsmanager"), variables["APP_SECRET_NAME"], secret_values)
    _create_static_bucket(aws.client("s3"), variables["STATIC_BUCKET"], stage, settings["aws_region"])
    deployed = DeployedStage(
        name=stage,
        package=package,
        package_dir=unpack(package, work / "task"),
        runtime=runtime_dir(work / "runtime"),
        work=work,
        settings=settings,
        secret_values=secret_values,
        secret_arns={variables["APP_SECRET_NAME"]: secret_arn},
        aws=aws,
        env=lambda_environment(
            function_name=f"{settings['project_name']}-{stage}",
            memory_mb=settings["memory_size"],
            aws_endpoint=aws.endpoint_url,
            region=settings["aws_region"],
            **variables,
        ),
    )
    deployed.manage("create_tables --protect")
    deployed.manage("collectstatic --noinput")
    deployed.manage("seed_demo")
    return deployed


def _put_secret(client, name, values):
    try:
        return client.create_secret(Name=name, SecretString=json.dumps(values))["ARN"]
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=name, SecretString=json.dumps(values))
        return client.describe_secret(SecretId=name)["ARN"]


def _create_static_bucket(client, bucket, stage, region):
    if bucket not in {existing["Name"] for existing in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    client.put_bucket_policy(
        Bucket=bucket, Policy=(ROOT / "deploy" / "s3" / f"{stage}-static-bucket-policy.json").read_text()
    )
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration=json.loads((ROOT / "deploy" / "s3" / "exports-lifecycle.json").read_text()),
    )


def api_gateway_event(method, path, *, host, stage, headers=None, body=None, query=None):
    """An API Gateway REST API proxy event (payload 1.0), as Zappa's API receives it."""
    headers = {
        "Host": host,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": "203.0.113.7, 130.176.1.1",
        "User-Agent": "Mozilla/5.0 (package test)",
        "Accept": "text/html,application/json",
        **(headers or {}),
    }
    request_id = str(uuid.uuid4())
    return {
        "resource": "/" if path == "/" else "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": dict(query) if query else None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None if path == "/" else {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "domainName": host,
            "apiId": host.split(".")[0],
            "identity": {"sourceIp": "203.0.113.7", "userAgent": headers["User-Agent"]},
        },
        "body": body,
        "isBase64Encoded": False,
    }


class ApiGatewayClient:
    """A browser in front of API Gateway: keeps cookies and sends what a form post sends."""

    def __init__(self, function, *, public_base_url, stage):
        public = urlsplit(public_base_url)
        self.function = function
        self.host = public.netloc
        self.stage = stage
        self.origin = f"https://{public.netloc}"
        self.prefix = public.path.rstrip("/")  # the stage path when the URL is API Gateway's own
        self.cookies = {}

    def get(self, path, **query):
        return self.request("GET", path, query=query or None)

    def post(self, path, form, *, referer_path=None, query=None):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + self.prefix + (referer_path or path),
        }
        return self.request("POST", path, body=urlencode(form), headers=headers, query=query)

    def request(self, method, path, *, body=None, headers=None, query=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        event = api_gateway_event(
            method, path, host=self.host, stage=self.stage, headers=headers, body=body, query=query
        )
        answer = self.function.invoke(event)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        response = Response(answer["result"], request_id=event["requestContext"]["requestId"])
        for header in response.headers_all("Set-Cookie"):
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response

    def add_to_cart(self, shop_page, slug, quantity):
        """The "Add to cart" form of the shop page."""
        form = {"slug": slug, "quantity": str(quantity), "csrfmiddlewaretoken": csrf_token(shop_page.text)}
        return self.post("/en/cart/add/", form, referer_path="/")

    def check_out(self, *, name, email, address=None):
        """Opens the checkout page and submits its form with the shopper's details and delivery
        address (a Dutch one unless given)."""
        page = self.get("/en/checkout/").text
        checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', page).group(1)
        address = address or {"street_and_number": "Keizersgracht 1", "postal_code": "1015 AA", "city": "Amsterdam"}
        form = {"name": name, "email": email, "checkout_id": checkout_id, "csrfmiddlewaretoken": csrf_token(page)}
        form.update({"country": "NL", **address})
        return self.post("/en/checkout/", form)

    def local_path(self, url):
        """The path to send to API Gateway for an absolute URL of this stage (stage prefix removed)."""
        path = urlsplit(url).path
        return path[len(self.prefix) :] if self.prefix and path.startswith(self.prefix) else path


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


class Response:
    def __init__(self, result, *, request_id):
        self.status = result["statusCode"]
        self.request_id = request_id
        self._multi = {name.lower(): values for name, values in (result.get("multiValueHeaders") or {}).items()}
        self.headers = {name.lower(): value for name, value in (result.get("headers") or {}).items()}
        self.text = result.get("body") or ""

    def headers_all(self, name):
        return self._multi.get(name.lower(), [self.headers[name.lower()]] if name.lower() in self.headers else [])

    def json(self):
        return json.loads(self.text)
