"""SNS's side: SES's bounces and complaints (notifications/bounces.py verifies and applies them)."""

import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.retry_later import RETRY_LATER_ERRORS
from notifications import bounces

log = logging.getLogger("shop.bounces")
# SNS retries a delivery answered outside 200-499 (SNS developer guide, "Amazon SNS message
# delivery retries"): 503 for what a later try can do, 403 for what it never will.
RETRY_LATER = 503
# SNS's certificate could not be fetched, or DynamoDB could not store the address: not now.
NOT_NOW_ERRORS: tuple[type[Exception], ...] = (OSError, *RETRY_LATER_ERRORS)


@csrf_exempt  # SNS cannot send a CSRF token; the signature is checked instead.
@require_POST
def ses_events(request):
    try:
        outcome = bounces.receive(request.body)
    except bounces.UnverifiedMessage as error:
        log.warning("SNS message refused", extra={"error": str(error)})
        return HttpResponse("refused", status=403, content_type="text/plain")
    except NOT_NOW_ERRORS as error:
        log.warning("SNS message not processed, SNS will retry", extra={"error": type(error).__name__})
        return HttpResponse("retry later", status=RETRY_LATER, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
