"""The shopper's language: Django's LocaleMiddleware for the shop's pages, English for the rest.

Shop URLs carry their language (`/nl/cart/`, `i18n_patterns`; docs/adr/0007). A shop URL without
one (an old link, Mollie's redirect for a payment made before the shop spoke Dutch, a typed
address) is redirected to it in the language of the cookie or the browser, at once, before any
view runs. Every URL without a language that is served as it is (staff pages, Mollie's webhook,
SES notifications, healthz) runs in English: staff pages stay English, and a machine's request
has no shopper whose language to follow.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import get_resolver, get_script_prefix, is_valid_path
from django.urls.exceptions import Resolver404
from django.utils import translation
from django.utils.cache import patch_vary_headers

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ShopLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info) is not None:
            return None
        urlconf = getattr(request, "urlconf", None)
        if _resolves(request.path_info, urlconf):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return None
        return _redirect_to_language(request, urlconf)


def _resolves(path, urlconf):
    """Whether `path` is served as it is (with a language active, only /<language>/... are shop pages)."""
    try:
        get_resolver(urlconf).resolve(path)
    except Resolver404:
        return False
    return True


def _redirect_to_language(request, urlconf):
    """The shop page at `/<language>/<path>`, if there is one; None lets the 404 be rendered."""
    request.get_host()  # a Host not in ALLOWED_HOSTS is refused (400) before any redirect, as before
    language = translation.get_language()
    path = f"/{language}{request.path_info}"
    if not is_valid_path(path, urlconf):
        if settings.APPEND_SLASH and not path.endswith("/") and is_valid_path(path + "/", urlconf):
            path += "/"
        else:
            return None
    query = request.META.get("QUERY_STRING", "")
    url = get_script_prefix().rstrip("/") + path + (f"?{query}" if query else "")
    # A form posted to an old address (a page cached before the move): 307 keeps it a POST.
    response = HttpResponseRedirect(url, status=302 if request.method in SAFE_METHODS else 307)
    # The target depends on the cookie and Accept-Language: caches must keep one per language.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def switch_language(request):
    """The language switcher's target: Django's set_language, which sets the cookie and sends the
    shopper to `next` in the chosen language. It finds `next`'s page by resolving it, which
    only works in `next`'s own language (this URL has none, so it runs in English)."""
    from urllib.parse import urlsplit

    from django.views.i18n import set_language

    language = translation.get_language_from_path(urlsplit(request.POST.get("next", "")).path)
    if language:
        translation.activate(language)
    return set_language(request)
