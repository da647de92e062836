"""`make rehearse` as a test: the deployment guide (docs/deploy.md), followed command by command,
ends with a working shop. Minutes (it builds the package twice): `make test-long` runs it, not
`make test`; the machinery's own check below stays in `make test`."""

import subprocess
import sys
from types import SimpleNamespace

import pytest

from deploy import rehearse
from deploy.local_lambda import ROOT


@pytest.mark.long
@pytest.mark.slow
@pytest.mark.no_tables
def test_the_guides_first_deployment_and_update_work_against_the_local_stand_ins():
    # A process of its own, as `make rehearse` runs it: moto keeps one state per process, and the
    # guide's fixed names (shop/dev/app, the bucket) must not meet the package test's.
    result = subprocess.run(
        [sys.executable, "-m", "deploy.rehearse"], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )

    assert result.returncode == 0 and "rehearsal passed" in result.stdout, result.stdout + result.stderr[-5000:]
    for step in (
        "aws secretsmanager create-secret",
        "aws s3api put-bucket-policy",
        "aws s3api put-bucket-lifecycle-configuration",
        "zappa deploy dev",
        'zappa manage dev "collectstatic --noinput"',
        "zappa update dev",
        "curl -s",
    ):
        assert step in result.stdout


def test_a_command_the_rehearsal_cannot_perform_fails_it(tmp_path):
    guide = tmp_path / "deploy.md"
    guide.write_text("## First deployment of a stage\n\n```sh\naws s3 sync static/ s3://somewhere\n```\n")

    [(command, _)] = rehearse.guide_commands(rehearse.SECTIONS[0], guide=guide)
    with pytest.raises(rehearse.RehearsalFailed, match="cannot perform"):
        rehearse.Rehearsal(SimpleNamespace(endpoint_url="http://127.0.0.1:9"), "http://127.0.0.1:9", tmp_path).run(
            command, None
        )
