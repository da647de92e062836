"""Mollie's side: the webhook. It reads only `id`, then fetches the payment from Mollie."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config import deadline
from config.retry_later import RETRY_LATER_ERRORS
from payments import mollie, services
from payments.forms import WebhookForm

log = logging.getLogger(__name__)
# Mollie or DynamoDB could not answer now: Mollie calls the webhook again later.
NOT_DONE_YET: tuple[type[Exception], ...] = (mollie.PaymentProviderUnavailable, *RETRY_LATER_ERRORS)


@csrf_exempt  # Mollie cannot send a CSRF token; we trust nothing in the body but the id.
@require_POST
def webhook(request):
    form = WebhookForm(request.POST)
    if not form.is_valid():
        log.warning("webhook without a usable id ignored")
        return HttpResponse("ignored", content_type="text/plain")
    try:
        with deadline.at_most(settings.WEBHOOK_TIME_BUDGET_SECONDS):
            outcome = services.handle_webhook(payment_id=form.cleaned_data["id"])
    except NOT_DONE_YET as error:
        # Not done: answer 5xx so Mollie calls again later.
        log.warning("webhook not processed, Mollie will retry", extra={"error": type(error).__name__})
        return HttpResponse("retry later", status=503, content_type="text/plain")
    except mollie.PaymentProviderError as error:
        # Mollie refused our own request (a wrong or revoked API key): nothing the webhook can fix,
        # but someone must, and Mollie should keep the webhook until then.
        log.error("webhook could not fetch the payment from Mollie", extra={"error": type(error).__name__})
        return HttpResponse("retry later", status=503, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
