"""The stages' IAM and bucket policies, and Zappa's CloudFormation template, held against AWS's rules.

Linted by maintained tools (parliament knows every IAM action and its resource types, cfn-lint
every CloudFormation property), and checked for what AWS does that moto does not model.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from parliament import analyze_policy_string

from deploy.local_lambda import ROOT, stage_settings, zappa_template
from tests.deploy.iam import is_allowed, permissions_api_gateway_needs, permissions_needed

pytestmark = pytest.mark.pure

ACCOUNT = "123456789012"
STAGES = list(json.loads((ROOT / "zappa_settings.json").read_text()))
POLICIES = sorted((ROOT / "deploy").glob("*/*-policy.json"))


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    work = tmp_path_factory.mktemp("zappa-templates")
    return {
        stage: (work / f"{stage}.json", zappa_template(stage, work / f"{stage}.json", account=ACCOUNT))
        for stage in STAGES
    }


def _role_policy(stage):
    return json.loads((ROOT / stage_settings(stage)["attach_policy"]).read_text())


@pytest.mark.parametrize("policy_file", POLICIES, ids=lambda path: path.name)
def test_parliament_finds_nothing_in_the_policy(policy_file):
    # IAM resolves ${aws:PrincipalAccount} at request time; parliament wants an account id in an ARN.
    text = policy_file.read_text().replace("${aws:PrincipalAccount}", ACCOUNT)

    findings = analyze_policy_string(text, filepath=str(policy_file)).findings

    assert not findings, [(finding.issue, finding.detail, finding.location) for finding in findings]


@pytest.mark.parametrize("stage", STAGES)
def test_cfn_lint_finds_nothing_in_zappa_template(stage, templates):
    template_file, _ = templates[stage]

    result = subprocess.run(
        [
            str(Path(sys.prefix) / "bin" / "cfn-lint"),
            "--regions",
            stage_settings(stage)["aws_region"],
            "--",
            str(template_file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("stage", STAGES)
def test_api_gateway_may_invoke_the_stage_function_through_its_role(stage, templates):
    _, template = templates[stage]
    needed = permissions_api_gateway_needs(template)
    function = f"arn:aws:lambda:{stage_settings(stage)['aws_region']}:{ACCOUNT}:function:shop-{stage}"

    assert needed and {resource for _, resource, _ in needed} == {function}
    refused = [
        (action, resource)
        for action, resource, context in needed
        if not is_allowed(_role_policy(stage), action, resource, context, account=ACCOUNT)
    ]
    assert not refused, "every request would end in API Gateway's 'Internal server error'"


@pytest.mark.parametrize("stage", STAGES)
def test_the_role_may_invoke_no_other_function(stage):
    region = stage_settings(stage)["aws_region"]
    other = "production" if stage == "dev" else "dev"

    for function in (f"shop-{other}", f"shop-{stage}-other", "*"):
        arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function}"
        assert not is_allowed(_role_policy(stage), "lambda:InvokeFunction", arn, {}, account=ACCOUNT)
    assert is_allowed(
        _role_policy(stage),
        "lambda:InvokeFunction",
        f"arn:aws:lambda:{region}:{ACCOUNT}:function:shop-{stage}:7",
        {},
        account=ACCOUNT,
    )  # a published version


@pytest.mark.parametrize("stage", STAGES)
def test_collectstatic_learns_that_a_new_file_is_missing(stage):
    # django-storages' exists() sends a HEAD for every file collectstatic has not uploaded yet and
    # raises on anything but 404; without s3:ListBucket, S3 answers 403 instead.
    settings = stage_settings(stage)
    bucket = settings["aws_environment_variables"]["STATIC_BUCKET"]
    head_of_a_new_file = {
        "service": "s3",
        "operation": "HeadObject",
        "Bucket": bucket,
        "Key": "static/css/site.css",
        "error": "404",
    }

    needed = permissions_needed(head_of_a_new_file, region=settings["aws_region"], account=ACCOUNT, secret_arns={})

    assert ("s3:ListBucket", f"arn:aws:s3:::{bucket}", {}) in needed
    assert all(
        is_allowed(_role_policy(stage), action, resource, context, account=ACCOUNT)
        for action, resource, context in needed
    )


@pytest.mark.parametrize("stage", STAGES)
def test_the_role_may_send_mail_only_from_the_stage_identity(stage):
    settings = stage_settings(stage)
    region = settings["aws_region"]
    from_address = settings["aws_environment_variables"]["DEFAULT_FROM_EMAIL"]

    def may_send_from(address):
        send = {"service": "sesv2", "operation": "SendEmail", "FromEmailAddress": address}
        return all(
            is_allowed(_role_policy(stage), action, resource, context, account=ACCOUNT)
            for action, resource, context in permissions_needed(send, region=region, account=ACCOUNT, secret_arns={})
        )

    other = "production" if stage == "dev" else "dev"
    assert may_send_from(from_address)
    assert not may_send_from(stage_settings(other)["aws_environment_variables"]["DEFAULT_FROM_EMAIL"])
    assert not may_send_from("Anyone <someone@example.org>")
    assert not is_allowed(
        _role_policy(stage), "ses:SendEmail", f"arn:aws:ses:{region}:{ACCOUNT}:identity/*", {}, account=ACCOUNT
    )


@pytest.mark.parametrize("stage", STAGES)
def test_the_role_may_write_and_read_exports_under_their_prefix_only(stage):
    # The background CSV export (staff/exports.py): a multipart upload (s3:PutObject for each of
    # its calls), the presigned GET, signed with the role's credentials (s3:GetObject), and the
    # abort of a failed one's upload, whose parts S3 would otherwise keep and bill.
    bucket = stage_settings(stage)["aws_environment_variables"]["STATIC_BUCKET"]

    def may(action, key):
        return is_allowed(_role_policy(stage), action, f"arn:aws:s3:::{bucket}/{key}", {}, account=ACCOUNT)

    assert may("s3:PutObject", "private/exports/0123/orders-20261207-0900.csv")
    assert may("s3:GetObject", "private/exports/0123/orders-20261207-0900.csv")
    assert may("s3:AbortMultipartUpload", "private/exports/0123/orders-20261207-0900.csv")
    assert not may("s3:AbortMultipartUpload", "static/css/site.css")
    assert not may("s3:PutObject", "private/other.csv")
    assert not may("s3:GetObject", "private/other.csv")
    assert not may("s3:DeleteObject", "private/exports/0123/orders-20261207-0900.csv")


def test_exports_are_deleted_a_day_after_and_unfinished_uploads_dropped(settings):
    # They hold customers' names and e-mail addresses; the job that links to one lasts a day.
    from staff.exports import JOB_DAYS

    [rule] = json.loads((ROOT / "deploy" / "s3" / "exports-lifecycle.json").read_text())["Rules"]

    assert rule["Status"] == "Enabled" and rule["Filter"] == {"Prefix": settings.EXPORT_PREFIX}
    assert rule["Expiration"] == {"Days": JOB_DAYS}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": JOB_DAYS}
