"""The orders CSV: one line per order, produced line by line so an export of any size streams.

Small exports stream straight to the browser; larger ones run in the background and are written
to S3 (below), since API Gateway buffers a response and caps it at 6 MB.
"""

import csv
import heapq
import io
import json
import logging
import os
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from config import dynamodb
from config.dynamodb import get_or_none
from payments.enums import OrderStatus
from payments.locales import order_language
from payments.models import OrderDayCount
from payments.sharding import shard_keys
from shop.money import decimal_amount
from staff.attention import grouped_reasons
from staff.export_columns import COMPANY_COLUMNS, DELIVERY_COLUMNS, company_row, delivery_row
from staff.models import ExportJob
from staff.selectors import _newest_first_key, _order_query, _start_key_after

log = logging.getLogger(__name__)

COLUMNS = [
    "order_number",
    "placed_at",
    "status",
    "customer_name",
    "customer_email",
    "total",
    "refunded",
    "currency",
    "paid_at",
    "payment_attempts",
    "latest_payment_status",
    "latest_mollie_payment_id",
    "payment_method",
    "charged_back",
    "needs_attention",
    "attention_reason",
    *DELIVERY_COLUMNS,
    # Columns added later go at the end, so spreadsheets that import by position keep theirs.
    "language",
    *COMPANY_COLUMNS,
]
# A cell starting with one of these is run as a formula by spreadsheet programs; customer names
# are typed by anyone, so such cells get a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """csv.writer writes into this and gets the line back, instead of into a file."""

    def write(self, line):
        return line


def order_lines(orders):
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for order in orders:
        yield writer.writerow([_cell(value) for value in _row(order)])


def _row(order):
    return [
        order.order_id,
        order.created_at.isoformat(),
        order.status,
        order.customer_name,
        order.customer_email,
        decimal_amount(order.total_cents),
        decimal_amount(order.amount_refunded_cents),
        order.currency,
        order.paid_at.isoformat() if order.paid_at else "",
        order.attempt_count,
        order.latest_attempt_status or "",
        order.latest_mollie_payment_id or "",
        order.latest_method or "",
        decimal_amount(order.amount_charged_back_cents or 0),
        "yes" if order.needs_attention else "no",
        "; ".join(grouped_reasons(order)),  # one line per matter, as on the dashboard
        *delivery_row(order),
        order_language(order),  # the shopper's (payments.locales): what their mails were written in
        *company_row(order),
    ]


def _cell(value):
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# --- Exports of any size: in the background, to S3 ------------------------------------------------

JOB_DAYS = 1
# On Lambda each step is an invocation caused by the one before, and Lambda stops such a chain
# after 16 invocations ("Lambda recursive loop detection"; the AWS Compute Blog post that
# launched it names direct Invoke calls); the 17th event is dropped. An export that would need
# more steps fails, saying so, instead of staying "running" for ever. One short of 16: whether
# the API Gateway invocation that starts the export counts in the chain is not documented.
MAX_STEPS = 15
TOO_LARGE = "too many orders for one export: choose fewer days or one status"


def orders_expected(order_filter) -> int | None:
    """How many orders an export of the list's filters holds, from the per-day counters (a few
    Queries); None for a search, which matches few orders and is always answered directly."""
    if order_filter.order_id or order_filter.mollie_payment_id or order_filter.customer_email:
        return None
    if order_filter.order_number_prefix:
        return None
    first = timezone.localtime(order_filter.created_since).date() if order_filter.created_since else None
    # created_before is the start of the day after the last one asked for.
    last = (
        timezone.localtime(order_filter.created_before - timedelta(microseconds=1)).date()
        if order_filter.created_before
        else None
    )
    span = OrderDayCount.day_currency.between(
        first.isoformat() if first else "0", f"{last.isoformat()}#~" if last else "~"
    )
    statuses = [order_filter.status] if order_filter.status else OrderStatus.ALL
    return sum(
        int(getattr(counted, f"count_{status}"))
        for shard in shard_keys("counts")
        for counted in OrderDayCount.query(shard, span)
        for status in statuses
    )


def new_job_id() -> str:
    return uuid.uuid4().hex


def start_export(*, job_id: str, filters: str, expected: int, requested_by: str) -> ExportJob:
    """Stores the job and starts it; the same job id again (a double submit) finds the first job."""
    now = timezone.now()
    job = ExportJob(
        job_id,
        requested_by=requested_by,
        filters=filters,
        rows_expected=expected,
        object_key=f"{settings.EXPORT_PREFIX}{job_id}/orders-{timezone.localtime(now):%Y%m%d-%H%M}.csv",
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=JOB_DAYS),
    )
    if not dynamodb.save_new(job):
        return ExportJob.get(job_id, consistent_read=True)
    try:
        continue_in_background(job_id)
    except Exception as error:  # Lambda refused the invocation: no step would ever run
        log.exception("export not started", extra={"job_id": job_id})
        return _fail(job, type(error).__name__)
    return job


def continue_in_background(job_id: str):
    """On Lambda, an asynchronous invocation of the function (Zappa's @task); locally, a thread."""
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        from staff.export_task import export_step

        export_step(job_id)
    else:
        threading.Thread(target=run_export_step, args=(job_id,), daemon=True, name=f"export-{job_id}").start()


def run_export_step(job_id: str, *, step_seconds: float | None = None):
    """Writes whole parts of the export until the step's time is up, then hands on; completes
    the upload at the end. Safe to run twice: each step is a versioned write of the job."""
    job = get_or_none(ExportJob, job_id)
    if job is None or job.status in (ExportJob.DONE, ExportJob.FAILED):
        return job
    try:
        return _step(job, settings.EXPORT_STEP_SECONDS if step_seconds is None else step_seconds)
    except Exception as error:  # the job says so, and staff can ask again
        log.exception("export failed", extra={"job_id": job_id})
        _fail(job, type(error).__name__)
        raise


def _fail(job, reason):
    """The job says why, then the parts uploaded so far are dropped (S3 keeps and bills them
    otherwise). Lambda may deliver a step twice: a twin that lost the race to the job's next
    version fails to save here and leaves the upload to the step that won."""
    job.status, job.error, job.updated_at = ExportJob.FAILED, reason, timezone.now()
    job.save()
    if job.upload_id:
        try:
            s3 = dynamodb.boto3_client("s3")
            s3.abort_multipart_upload(Bucket=settings.EXPORT_BUCKET, Key=job.object_key, UploadId=job.upload_id)
        except Exception:  # the job already says it failed; only the parts' storage is left
            log.warning("export upload not aborted", extra={"job_id": job.job_id}, exc_info=True)
    return job


def _step(job, step_seconds):
    from staff.forms import OrderFilterForm  # forms import this module's caller

    started = time.monotonic()
    job.steps += 1
    form = OrderFilterForm(QueryDict(job.filters))
    if not form.is_valid():
        raise ValueError("the export's filters are no longer valid")
    s3 = dynamodb.boto3_client("s3")
    if job.upload_id is None:
        _ensure_local_bucket(s3)
        job.upload_id = s3.create_multipart_upload(
            Bucket=settings.EXPORT_BUCKET, Key=job.object_key, ContentType="text/csv; charset=utf-8"
        )["UploadId"]
        job.status = ExportJob.RUNNING
    parts = json.loads(job.parts)
    resume_at = json.loads(job.positions) if job.positions else None
    rows = _Rows(header=not parts)
    for order, positions in resumable_orders(form.order_filter, resume_at):
        rows.add(order)
        if rows.size >= settings.EXPORT_PART_BYTES:
            parts.append(_upload_part(s3, job, len(parts) + 1, rows))
            job.rows_written += rows.count
            job.parts, job.positions, job.updated_at = json.dumps(parts), json.dumps(positions), timezone.now()
            job.save()
            rows = _Rows(header=False)
            if time.monotonic() - started > step_seconds:
                if job.steps >= MAX_STEPS:
                    return _fail(job, TOO_LARGE)
                continue_in_background(job.job_id)
                return job
    if rows.count or not parts:
        parts.append(_upload_part(s3, job, len(parts) + 1, rows))
        job.rows_written += rows.count
    s3.complete_multipart_upload(
        Bucket=settings.EXPORT_BUCKET,
        Key=job.object_key,
        UploadId=job.upload_id,
        MultipartUpload={"Parts": [{"PartNumber": number, "ETag": etag} for number, etag in parts]},
    )
    job.status, job.parts, job.positions, job.updated_at = ExportJob.DONE, json.dumps(parts), None, timezone.now()
    job.save()
    return job


class _Rows:
    def __init__(self, *, header):
        self.buffer, self.count, self.size = io.BytesIO(), 0, 0
        if header:
            self._write(csv_line(COLUMNS))

    def add(self, order):
        self._write(csv_line([_cell(value) for value in _row(order)]))
        self.count += 1

    def _write(self, line):
        self.size += self.buffer.write(line.encode())


def csv_line(values):
    return csv.writer(_Echo()).writerow(values)


def _upload_part(s3, job, number, rows):
    answer = s3.upload_part(
        Bucket=settings.EXPORT_BUCKET,
        Key=job.object_key,
        UploadId=job.upload_id,
        PartNumber=number,
        Body=rows.buffer.getvalue(),
    )
    return [number, answer["ETag"]]


def _ensure_local_bucket(s3):
    if settings.STAGE == "local":  # deployed stages have theirs (docs/deploy.md)
        try:
            s3.create_bucket(
                Bucket=settings.EXPORT_BUCKET, CreateBucketConfiguration={"LocationConstraint": settings.AWS_REGION}
            )
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass


def download_link(job) -> str:
    """A short-lived presigned GET of the finished file; the bucket itself stays private."""
    return dynamodb.boto3_client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.EXPORT_BUCKET,
            "Key": job.object_key,
            "ResponseContentDisposition": f'attachment; filename="{job.object_key.rsplit("/", 1)[-1]}"',
        },
        ExpiresIn=settings.EXPORT_LINK_SECONDS,
    )


def resumable_orders(order_filter, positions=None):
    """Every order of a status/date filter, newest first, merged from the shards; with each, the
    positions to resume after it ({index hash key: start key}): an export goes on where the
    last step stopped."""
    index, hash_keys, created, filter_condition = _order_query(order_filter)
    positions = dict(positions or dict.fromkeys(hash_keys))

    def stream(hash_key):
        for order in index.query(
            hash_key,
            created,
            filter_condition=filter_condition,
            scan_index_forward=False,
            last_evaluated_key=positions.get(hash_key),
            page_size=200,
        ):
            yield _newest_first_key(order), hash_key, order

    for _, hash_key, order in heapq.merge(*(stream(key) for key in hash_keys), reverse=True, key=lambda e: e[0]):
        positions[hash_key] = _start_key_after(order, index.Meta.index_name)
        yield order, dict(positions)
