"""Content-Security-Policy with django-csp: what a page may load, run and send its forms to.

The policy itself is in settings (CONTENT_SECURITY_POLICY). Two parts cannot be fixed there:
- Where Mollie's checkout lives: our checkout and "Pay again" forms post to us and are answered
  with a redirect to it, and browsers apply `form-action` to that redirect too. Locally that is
  the sandbox, whose address is only known once runserver or a test has started it. The payment
  methods' pictures on our checkout page come from the same origin (Mollie's `image` links).
- The inline <style> of the self-contained error pages (they must render even when static files
  are broken): allowed by their hashes, taken from the templates so an edit cannot go stale.
"""

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings

# Mollie's hosted checkout (`_links.checkout` of a payment, docs.mollie.com "Create payment":
# "https://www.mollie.com/checkout/…"); with MOLLIE_API_ENDPOINT set (the sandbox) its origin.
MOLLIE_CHECKOUT_ORIGIN = "https://www.mollie.com"
# The layout of the error pages (500.html, 503.html) holds their one inline style.
SELF_CONTAINED_PAGES = ("self_contained.html",)


def inline_style_hashes(template_dir: Path) -> list[str]:
    hashes = []
    for name in SELF_CONTAINED_PAGES:
        for style in re.findall(r"<style>(.*?)</style>", (template_dir / name).read_text(), flags=re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return hashes


# An origin only: https, a host name (letters, digits, dots, hyphens), perhaps a port; no path.
PICTURE_ORIGIN_PATTERN = re.compile(
    r"^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$"
)


def is_picture_origin(origin: str) -> bool:
    return bool(PICTURE_ORIGIN_PATTERN.match(origin))


def picture_allowed(url: str) -> bool:
    """Whether an article picture at `url` (https) may be shown: its origin is one the policy lets
    browsers load (settings.ARTICLE_PICTURE_ORIGINS). The article form and the shop's pages ask this."""
    parts = urlsplit(url)
    return parts.scheme == "https" and f"https://{parts.netloc.lower()}" in settings.ARTICLE_PICTURE_ORIGINS


def mollie_checkout_origin() -> str:
    endpoint = urlsplit(settings.MOLLIE_API_ENDPOINT or "")
    return f"{endpoint.scheme}://{endpoint.netloc}" if endpoint.netloc else MOLLIE_CHECKOUT_ORIGIN


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, through its documented hook: forms may also lead to Mollie,
    pictures of payment methods come from Mollie, and articles' from ARTICLE_PICTURE_ORIGINS."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only:  # `update` adds to the settings' sources
            mollie_origin = mollie_checkout_origin()
            parts.update = {
                **(parts.update or {}),
                "form-action": [mollie_origin],
                "img-src": [mollie_origin, *settings.ARTICLE_PICTURE_ORIGINS],
            }
        return parts
