"""`/healthz` for deploy checks: says whether DynamoDB answers (one cheap DescribeTable)."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from shop.models import Article


@never_cache
def healthz(request):
    try:
        Article.describe_table()
    except Exception as error:  # noqa: BLE001 (any failure means "not healthy"; the type goes out, never details)
        return JsonResponse({"status": "error", "dynamodb": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "dynamodb": "ok"})
