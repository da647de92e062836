"""`make rehearse` as part of `make test`: README's deployment guide, followed command by command, ends with a working shop."""
from types import SimpleNamespace

import pytest

from deploy import rehearse

pytestmark = [pytest.mark.slow, pytest.mark.no_tables]


def test_readme_first_deployment_and_update_work_against_the_local_stand_ins(capsys):
    # Its own moto server and sandbox: the guide's fixed names (shop/dev/app, the bucket) must not
    # meet the package test's.
    rehearse.main()

    out = capsys.readouterr().out
    assert "rehearsal passed" in out
    for step in ("aws secretsmanager create-secret", "aws s3api put-bucket-policy", "zappa deploy dev",
                 'zappa manage dev "collectstatic --noinput"', "zappa update dev", "curl -s"):
        assert step in out


def test_a_command_the_rehearsal_cannot_perform_fails_it(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("### First deployment of a stage\n\n```sh\naws s3 sync static/ s3://somewhere\n```\n")

    [(command, _)] = rehearse.readme_commands(rehearse.SECTIONS[0], readme=readme)
    with pytest.raises(rehearse.RehearsalFailed, match="cannot perform"):
        rehearse.Rehearsal(SimpleNamespace(endpoint_url="http://127.0.0.1:9"), "http://127.0.0.1:9", tmp_path).run(command, None)
