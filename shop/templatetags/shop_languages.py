"""The page in the shop's other languages: the language switcher and the hreflang alternates (base.html)."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import translation

register = template.Library()


@dataclass(frozen=True)
class LanguageVersion:
    code: str
    name: str  # in its own language: a Dutch reader looks for "Nederlands", not "Dutch"
    current: bool
    url: str | None  # absolute; None where the page has no version per language (a 404)


@register.simple_tag(takes_context=True)
def language_versions(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    localized = match is not None and translation.get_language_from_path(request.path_info) is not None
    current = translation.get_language()
    versions = []
    for code, _name in settings.LANGUAGES:
        url = None
        if localized and match is not None:
            with translation.override(code):
                url = settings.PUBLIC_BASE_URL + reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        versions.append(LanguageVersion(code, translation.get_language_info(code)["name_local"], code == current, url))
    return versions


@register.simple_tag(takes_context=True)
def language_neutral_url(context):
    """The page's address without a language (hreflang x-default): it redirects each visitor to theirs."""
    request = context["request"]
    rest = request.path_info.lstrip("/").partition("/")[2]
    return settings.PUBLIC_BASE_URL + get_script_prefix() + rest
