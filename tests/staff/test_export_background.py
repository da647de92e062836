"""Exports too large to answer directly: confirmed, written to S3 in the background in parts,
with progress shown and a short-lived presigned link (issue 16)."""

import csv
import io
import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from botocore.exceptions import ClientError
from django.utils import timezone
from pynamodb.exceptions import PutError

from config import dynamodb
from staff import exports
from staff.models import ExportJob
from tests.fixtures.orders import make_order

DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def orders(settings):
    settings.EXPORT_DIRECT_MAX_ORDERS = 3
    return [make_order(created_at=DAY - timedelta(hours=hour), email=f"c{hour}@example.com") for hour in range(6)]


def finished(job_id, *, seconds=20):
    """The job once it is no longer running (the export runs in a thread here)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ExportJob.get(job_id, consistent_read=True)
        if job.status in (ExportJob.DONE, ExportJob.FAILED):
            return job
        time.sleep(0.1)
    raise AssertionError(f"export {job_id} still {job.status} after {seconds} s")


def start(staff_client, query=""):
    page = staff_client.get(f"/staff/orders/export.csv?{query}")
    assert page.status_code == 200 and not getattr(page, "streaming", False)
    job_id = re.search(r'name="job_id" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    return page, job_id, staff_client.post(f"/staff/orders/export.csv?{query}", {"job_id": job_id})


def downloaded_rows(staff_client, job_id):
    page = staff_client.get(f"/staff/exports/{job_id}/").content.decode()
    link = re.search(r'<a class="button default" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    answer = requests.get(link, timeout=10)
    assert answer.status_code == 200
    return list(csv.DictReader(io.StringIO(answer.content.decode())))


def test_a_small_export_still_downloads_at_once(staff_client, orders):
    response = staff_client.get("/staff/orders/export.csv?q=c1%40example.com")

    assert response.streaming and ExportJob.count() == 0


def test_a_large_export_is_confirmed_then_written_in_the_background(staff_client, orders):
    page, job_id, answer = start(staff_client)

    assert "about 6 orders" in page.content.decode()
    assert answer.status_code == 302 and answer["Location"] == f"/staff/exports/{job_id}/"
    job = finished(job_id)
    assert job.status == ExportJob.DONE and job.rows_written == 6
    assert job.object_key.startswith("private/exports/")
    rows = downloaded_rows(staff_client, job_id)
    assert [row["order_number"] for row in rows] == [order.order_id for order in orders]
    assert "The link works for 5 minutes" in staff_client.get(f"/staff/exports/{job_id}/").content.decode()


def test_the_filters_apply_to_a_background_export(staff_client, orders, settings):
    settings.EXPORT_DIRECT_MAX_ORDERS = 1
    _, job_id, _ = start(staff_client, "created_from=2026-03-10&created_to=2026-03-10")

    finished(job_id)

    expected = [order.order_id for order in orders if order.created_at.date() == DAY.date()]
    assert [row["order_number"] for row in downloaded_rows(staff_client, job_id)] == expected


def test_a_double_submit_starts_one_export(staff_client, orders):
    _, job_id, first = start(staff_client)
    second = staff_client.post("/staff/orders/export.csv", {"job_id": job_id})

    assert first["Location"] == second["Location"]
    assert finished(job_id).rows_written == 6 and ExportJob.count() == 1


@pytest.fixture
def a_part_per_order(settings, monkeypatch):
    """A part per line (S3 wants 5 MB; the double is told to accept less), and a step that hands
    on after every part; the hand-offs are collected instead of run."""
    import moto.s3.models

    settings.EXPORT_PART_BYTES, settings.EXPORT_STEP_SECONDS = 100, 0
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1)
    steps = []
    monkeypatch.setattr(exports, "continue_in_background", steps.append)
    return steps


def export_in_steps(steps, *, at_most=20):
    """Starts an export of the six orders and runs its hand-offs one by one (at most `at_most`);
    returns the job as started and how many steps ran."""
    job = exports.start_export(job_id=exports.new_job_id(), filters="", expected=6, requested_by="staff")
    taken = 0
    while steps and taken < at_most:
        exports.run_export_step(steps.pop())
        taken += 1
    return job, taken


def test_an_export_goes_on_in_steps_where_the_last_one_stopped(staff_client, orders, a_part_per_order):
    # Six steps, each resuming the shards where the one before stopped.
    job, taken = export_in_steps(a_part_per_order)

    job = ExportJob.get(job.job_id)
    # One part per order; the step after the last part finds nothing more and completes the upload.
    assert job.status == ExportJob.DONE and len(json.loads(job.parts)) == 6 and taken == 7
    assert [row["order_number"] for row in downloaded_rows(staff_client, job.job_id)] == [o.order_id for o in orders]


def test_an_export_that_would_need_more_steps_than_lambda_chains_fails_saying_so(
    staff_client, orders, a_part_per_order, monkeypatch, settings
):
    # Lambda drops the event of a 17th invocation in a chain: the export would stay "running".
    monkeypatch.setattr(exports, "MAX_STEPS", 3)
    job, taken = export_in_steps(a_part_per_order)

    job = ExportJob.get(job.job_id, consistent_read=True)
    assert taken == 3 and job.status == ExportJob.FAILED and job.steps == 3
    page = staff_client.get(f"/staff/exports/{job.job_id}/").content.decode()
    assert "too many orders for one export: choose fewer days or one status" in page
    s3 = dynamodb.boto3_client("s3")
    assert not s3.list_multipart_uploads(Bucket=settings.EXPORT_BUCKET).get("Uploads")  # no parts left billed
    assert "Contents" not in s3.list_objects_v2(Bucket=settings.EXPORT_BUCKET, Prefix=job.object_key)


def test_a_step_delivered_twice_at_once_leaves_one_complete_export(staff_client, orders, a_part_per_order, monkeypatch):
    # "Occasionally, your function may receive the same event multiple times" (Lambda, Invoke):
    # two containers run the same step; the one that saves the job's next version goes on.
    steps = a_part_per_order
    job = exports.start_export(job_id=exports.new_job_id(), filters="", expected=6, requested_by="staff")
    exports.run_export_step(steps.pop())
    as_the_twin_read_it = ExportJob.get(job.job_id, consistent_read=True)
    exports.run_export_step(steps.pop())  # the step that won
    with monkeypatch.context() as twin:
        twin.setattr(exports, "get_or_none", lambda model, key: as_the_twin_read_it)
        with pytest.raises(PutError):
            exports.run_export_step(job.job_id)
    taken = 0
    while steps and taken < 20:
        exports.run_export_step(steps.pop())
        taken += 1

    job = ExportJob.get(job.job_id, consistent_read=True)
    assert job.status == ExportJob.DONE
    assert [row["order_number"] for row in downloaded_rows(staff_client, job.job_id)] == [o.order_id for o in orders]


def test_an_export_lambda_would_not_start_says_so_instead_of_waiting_for_ever(staff_client, orders, monkeypatch):
    def refused(job_id):
        raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}}, "Invoke")

    monkeypatch.setattr(exports, "continue_in_background", refused)
    _, job_id, answer = start(staff_client)

    assert answer.status_code == 302 and answer["Location"] == f"/staff/exports/{job_id}/"
    page = staff_client.get(f"/staff/exports/{job_id}/").content.decode()
    assert "The export failed (ClientError)" in page and "<progress" not in page


def test_progress_is_shown_while_it_runs(staff_client):
    now = timezone.now()
    ExportJob(
        "a" * 32,
        requested_by="staff",
        status=ExportJob.RUNNING,
        rows_expected=200,
        rows_written=50,
        object_key="private/exports/x.csv",
        created_at=now,
        updated_at=now,
    ).save()

    page = staff_client.get(f"/staff/exports/{'a' * 32}/").content.decode()

    assert "Preparing: 50 of about 200 orders written." in page
    assert '<progress max="100" value="25"' in page
    # Updated in place by a script; reloaded by a meta refresh only without JavaScript (axe meta-refresh).
    assert "staff/export-progress" in page and '<noscript><meta http-equiv="refresh"' in page


def test_unknown_or_made_up_exports(staff_client, orders):
    assert staff_client.get(f"/staff/exports/{'b' * 32}/").status_code == 404
    assert staff_client.get("/staff/exports/..%2Fetc/").status_code == 404
    refused = staff_client.post("/staff/orders/export.csv", {"job_id": "not-ours"})
    assert refused.status_code == 302 and ExportJob.count() == 0
