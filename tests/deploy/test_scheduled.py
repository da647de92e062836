"""The function EventBridge's schedule runs (zappa_settings.json `events`)."""

from django.urls import reverse, set_script_prefix

from payments.scheduled import reconcile_payments


def test_reconcile_payments_returns_the_summary_and_builds_urls_under_the_stage_path(settings, sandbox):
    # `sandbox`: a run always asks Mollie for recent chargebacks, as a deployed stage would.
    settings.FORCE_SCRIPT_NAME = "/dev"  # the stage reached at API Gateway's own URL
    try:
        result = reconcile_payments({"detail-type": "Scheduled Event"}, None)
        webhook_path = reverse("payments:webhook")
    finally:
        set_script_prefix("/")

    assert result == {
        "synced": 0,
        "abandoned": 0,
        "expired": 0,
        "still_waiting": 0,
        "not_due": 0,
        "left_for_next_run": 0,
        "stuck": 0,
        "chargebacks_found": 0,
        "capture_deadlines_near": 0,
        "mails": {},
        "errors": [],
    }
    assert webhook_path == "/dev/payments/webhook/"
