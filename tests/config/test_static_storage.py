"""A deployed stage's static files (config/static_storage.py), with moto's S3 as the bucket.

The storage is configured as config/settings.py configures it outside `local`; collectstatic
fills the bucket as `zappa manage STAGE "collectstatic --noinput"` or the deployer's machine would.
"""

import uuid
from pathlib import Path

import pytest
import requests
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client

from config.static_storage import PublicManifestStaticStorage
from shop.models import Article

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bucket(local_aws):
    """A stage's static bucket: anyone may read static/* (docs/deploy.md, step 2)."""
    name = f"static-{uuid.uuid4().hex[:12]}"
    s3 = local_aws.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    policy = (ROOT / "deploy" / "s3" / "dev-static-bucket-policy.json").read_text()
    s3.put_bucket_policy(Bucket=name, Policy=policy.replace("brewco-shop-dev-static", name))
    return name


@pytest.fixture
def stage_storage(settings, local_aws, bucket):
    """STORAGES as on a deployed stage: writes through the S3 API, the manifest read over its public URL."""
    options = {
        "bucket_name": bucket,
        "location": "static",
        "region_name": "eu-west-1",
        "endpoint_url": local_aws.endpoint_url,
        "url_protocol": "http:",
        "custom_domain": f"{local_aws.endpoint_url.removeprefix('http://')}/{bucket}",
        "querystring_auth": False,
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.static_storage.PublicManifestStaticStorage", "OPTIONS": options},
    }
    settings.DEBUG = False
    return options


def _collectstatic():
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.mark.no_tables
def test_error_pages_render_before_the_first_collectstatic(stage_storage, settings):
    # Zappa's post-deploy check requests the execute-api URL, a host not (yet) allowed: Django
    # answers with the 400 page, and Zappa fails the deployment on a 500 (cli.py, touch_endpoint).
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    client = Client(raise_request_exception=False)

    disallowed_host = client.get("/", HTTP_HOST="abc123defg.execute-api.eu-west-1.amazonaws.com")
    not_found = client.get("/no-such-page/", HTTP_HOST="shop.example.com")

    assert disallowed_host.status_code == 400
    assert not_found.status_code == 404 and "/static/css/site.css" in not_found.content.decode()


@pytest.mark.no_tables
def test_a_warm_container_finds_files_that_a_later_collectstatic_added(stage_storage, settings, tmp_path):
    _collectstatic()
    warm = PublicManifestStaticStorage(**stage_storage)  # loaded the manifest of the old release
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / "new.css").write_text("main { color: teal; }\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    _collectstatic()  # the next release's files, before `zappa update`

    url = warm.url("release/new.css")

    assert "release/new." in url
    assert requests.get(url, timeout=5).text == "main { color: teal; }\n"
    assert url.rsplit("/", 1)[1] != "new.css"  # the hashed name, cacheable for good


@pytest.mark.no_tables
def test_the_manifest_is_revalidated_while_hashed_files_are_cached_for_good(stage_storage, local_aws, bucket):
    _collectstatic()
    s3 = local_aws.client("s3")
    hashed_stylesheet = staticfiles_storage.url("css/site.css").split(f"/{bucket}/", 1)[1]

    manifest = s3.head_object(Bucket=bucket, Key="static/staticfiles.json")
    stylesheet = s3.head_object(Bucket=bucket, Key=hashed_stylesheet)

    assert manifest["CacheControl"] == "no-cache"
    assert stylesheet["CacheControl"] == "public, max-age=31536000, immutable"


def test_an_article_whose_picture_is_not_a_static_file_still_shows(stage_storage, catalog):
    # Stored before the staff form checked the path (staff/forms.py), or a file a later release dropped.
    _collectstatic()
    article = Article.get("espresso-cup")
    article.update(actions=[Article.picture.set("shop/articles/expresso-cup.svg")])

    shop, page = Client().get("/en/"), Client().get("/en/articles/espresso-cup/")

    assert shop.status_code == 200 and page.status_code == 200
    assert "Espresso cup" in page.content.decode()
