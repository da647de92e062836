"""When DynamoDB stays unavailable past botocore's retries, shoppers get a clear "try again" page.

A 503 with Retry-After, never a 500: nothing was lost, the request can simply be repeated.
(The webhook answers 503 itself, so Mollie retries it.)
"""
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.template.loader import render_to_string
from django.http import HttpResponse
from pynamodb.exceptions import PynamoDBException

from config.request_log import loggable_path
from payments.services import ConcurrentUpdateConflict

log = logging.getLogger(__name__)

STORAGE_ERRORS = (PynamoDBException, BotoCoreError, ClientError, ConcurrentUpdateConflict)


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, STORAGE_ERRORS):
            return None
        log.warning("storage unavailable, answered 503", extra={"error": type(exception).__name__,
                                                                "path": loggable_path(request)})
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
