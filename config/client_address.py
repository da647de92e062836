"""The client's address on Lambda: API Gateway's sourceIp, not a header the client can write.

Zappa 0.63 sets REMOTE_ADDR to the second-to-last X-Forwarded-For entry (zappa/wsgi.py,
create_wsgi_request: "The last one is the cloudfront proxy ip"), which holds only with CloudFront
in front. Our API is REGIONAL: API Gateway appends the caller's address to whatever
X-Forwarded-For the client sent, so that entry is the client's own choice and each guess at a
staff password could come from a "new" address. `requestContext.identity.sourceIp` is "the
source IP address of the immediate TCP connection making the request to the API Gateway
endpoint" (API Gateway developer guide, "$context variables for data models, authorizers,
mapping templates, and access logging"); Zappa's handler puts the event in the WSGI environ
as `lambda.event` (zappa/handler.py, _create_lambda_wsgi_environ).
"""


class LambdaSourceAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source_address = _source_ip(request.META.get("lambda.event"))
        if source_address:
            request.META["REMOTE_ADDR"] = source_address
        return self.get_response(request)


def _source_ip(event):
    """requestContext.identity.sourceIp of an API Gateway proxy event, or None (runserver, tests)."""
    if not isinstance(event, dict):
        return None
    identity = (event.get("requestContext") or {}).get("identity") or {}
    source_ip = identity.get("sourceIp")
    return source_ip if isinstance(source_ip, str) and source_ip else None
