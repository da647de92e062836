"""A deployed stage's Content-Security-Policy lets pages load their static files from S3 (or the
CDN in front of it), and still nothing inline."""

import json

import pytest

from tests.fixtures.stage_process import run_as_stage

pytestmark = pytest.mark.no_tables

PRINT_POLICY = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']))"
)


@pytest.mark.parametrize(
    "env, static_origin",
    [
        ({}, "https://shop-static.s3.eu-west-1.amazonaws.com"),
        ({"STATIC_BASE_URL": "https://cdn.example.com/shop"}, "https://cdn.example.com"),
    ],
)
def test_a_deployed_stage_allows_its_static_files_origin(local_aws, app_secret, env, static_origin):
    result = run_as_stage(["-c", PRINT_POLICY], local_aws, APP_SECRET_NAME=app_secret, **env)
    assert result.returncode == 0, result.stderr
    directives = json.loads(result.stdout.strip().splitlines()[-1])

    for name in ("script-src", "style-src", "img-src"):
        assert static_origin in directives[name]
    assert directives["script-src"] == ["'self'", static_origin]
