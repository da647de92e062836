"""The orders CSV export: small ranges stream straight away; larger ones are confirmed, written
to S3 in the background (staff/exports.py), and fetched from their progress page."""

import re

from django.conf import settings
from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from config.dynamodb import get_or_none
from staff import exports, selectors
from staff.auth import staff_required
from staff.forms import OrderFilterForm
from staff.models import ExportJob

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")


@staff_required
@require_http_methods(["GET", "POST"])
def order_export(request):
    form = OrderFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Please correct the filters before exporting.")
        return redirect(f"{reverse('staff:orders')}?{request.GET.urlencode()}")
    expected = exports.orders_expected(form.order_filter)
    if expected is None or expected <= settings.EXPORT_DIRECT_MAX_ORDERS:
        lines = exports.order_lines(selectors.orders_for_export(form.order_filter))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="orders-{timezone.now():%Y%m%d-%H%M}.csv"'
        return response
    filters = request.GET.copy()
    filters.pop("cursor", None)
    if request.method == "GET":
        context = {"expected": expected, "job_id": exports.new_job_id(), "filters": filters.urlencode()}
        return render(request, "staff/export_start.html", context)
    job_id = request.POST.get("job_id", "")
    if not _JOB_ID.match(job_id):
        messages.error(request, "That export form was not ours; please start the export again.")
        return redirect(f"{reverse('staff:orders')}?{filters.urlencode()}")
    job = exports.start_export(
        job_id=job_id, filters=filters.urlencode(), expected=expected, requested_by=request.staff_member.username
    )
    return redirect("staff:export", job_id=job.job_id)


@staff_required
@require_GET
def export_progress(request, job_id):
    job = get_or_none(ExportJob, job_id) if _JOB_ID.match(job_id) else None
    if job is None:
        raise Http404("No such export (they are kept for a day)")
    running = job.status in (ExportJob.QUEUED, ExportJob.RUNNING)
    context = {
        "job": job,
        "running": running,
        "percent": min(100, round(100 * job.rows_written / job.rows_expected)) if job.rows_expected else 0,
        "link": exports.download_link(job) if job.status == ExportJob.DONE else "",
        "link_minutes": settings.EXPORT_LINK_SECONDS // 60,
        "list_url": f"{reverse('staff:orders')}?{job.filters}",
    }
    return render(request, "staff/export_progress.html", context)
