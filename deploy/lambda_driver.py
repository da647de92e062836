"""Stands in for AWS Lambda's Python runtime: loads a Zappa package's handler and feeds it events.

Run as `python -I -S lambda_driver.py PACKAGE_DIR RUNTIME_DIR`: no site-packages, so the package
must bring everything except what RUNTIME_DIR holds (what Lambda's runtime provides: boto3,
botocore, ...). One JSON {"event", "trace_id"} per stdin line; one JSON answer per stdout line.
Whatever the app prints or logs goes to stderr, as it would go to CloudWatch.

Like Lambda's runtime, it sets _X_AMZN_TRACE_ID for each invocation; botocore passes it on in
every AWS call made from a function (X-Amzn-Trace-Id), which is how Lambda counts a chain of
invocations (recursive loop detection).

With LOCAL_LAMBDA_CALLS_FILE set, every AWS API call is appended to that file (service,
operation and the names of what it touched), so a test can hold them against an IAM policy.
"""

import email
import json
import os
import sys
import time
import traceback
import uuid


class Context:
    """The parts of Lambda's context object that Zappa and our code read."""

    def __init__(self, function_name, memory_mb, timeout_seconds):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def new_trace_id():
    """An X-Ray trace header as Lambda sets it for an invocation that no chain caused."""
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"


# FromEmailAddress: SES authorizes a send against the identity it sends from; FunctionName and
# Qualifier: lambda:InvokeFunction is granted per function (and version).
RESOURCE_PARAMETERS = (
    "TableName",
    "IndexName",
    "SecretId",
    "Bucket",
    "Key",
    "Prefix",
    "FromEmailAddress",
    "FunctionName",
    "Qualifier",
    "InvocationType",
)


def record_aws_calls(path):
    import botocore.client
    import botocore.exceptions

    make_api_call = botocore.client.BaseClient._make_api_call

    def recording(client, operation_name, api_params):
        call = {"service": client.meta.service_model.service_name, "operation": operation_name}
        call.update({name: api_params[name] for name in RESOURCE_PARAMETERS if name in api_params})
        if "RequestItems" in api_params:
            call["tables"] = sorted(api_params["RequestItems"])
        if operation_name == "SendEmail" and "FromEmailAddress" not in call:
            # A raw mail's sender is its From header, which SES parses (SES v2 SendEmail reference).
            raw = api_params.get("Content", {}).get("Raw", {}).get("Data", b"")
            raw = raw.encode() if isinstance(raw, str) else raw
            call["FromEmailAddress"] = str(email.message_from_bytes(raw).get("From", ""))
        if "TransactItems" in api_params:
            call["items"] = [
                {kind: part["TableName"] for kind, part in item.items()} for item in api_params["TransactItems"]
            ]
        try:
            return make_api_call(client, operation_name, api_params)
        except botocore.exceptions.ClientError as error:
            # What AWS answered matters to the IAM check: e.g. a missing key's 404 needs s3:ListBucket.
            call["error"] = error.response.get("Error", {}).get("Code", "")
            raise
        finally:
            with open(path, "a") as calls:
                calls.write(json.dumps(call) + "\n")

    botocore.client.BaseClient._make_api_call = recording


def main():
    package_dir, runtime_dir = sys.argv[1], sys.argv[2]
    sys.path[:0] = [package_dir, runtime_dir]
    os.chdir(package_dir)  # Lambda's working directory is the unpacked package (/var/task)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    if os.environ.get("LOCAL_LAMBDA_CALLS_FILE"):
        record_aws_calls(os.environ["LOCAL_LAMBDA_CALLS_FILE"])

    started = time.perf_counter()
    import handler  # the package's handler.py, as Lambda's bootstrap imports it

    import_ms = (time.perf_counter() - started) * 1000
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
    for line in sys.stdin:
        invoked = time.perf_counter()
        context = Context(function_name, memory_mb, timeout_seconds=60)
        invocation = json.loads(line)
        os.environ["_X_AMZN_TRACE_ID"] = invocation["trace_id"] or new_trace_id()
        try:
            answer = {"result": handler.lambda_handler(invocation["event"], context)}
        except Exception:  # noqa: BLE001 (as Lambda's runtime: any error of the handler is reported)
            answer = {"error": traceback.format_exc()}
        answer["duration_ms"] = (time.perf_counter() - invoked) * 1000
        answer["import_ms"] = import_ms
        # CPU this process has used so far: after the first invocation, the cold start's, which a
        # busy machine stretches far less than the wall-clock time.
        answer["process_cpu_ms"] = time.process_time() * 1000
        answers.write(json.dumps(answer, default=str) + "\n")


if __name__ == "__main__":
    main()
