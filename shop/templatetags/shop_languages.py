"""The page in the shop's other languages: the language switcher and the hreflang alternates (base.html)."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.text import capfirst

register = template.Library()


@dataclass(frozen=True)
class LanguageVersion:
    code: str
    name: str  # in its own language: a Dutch reader looks for "Nederlands", not "Dutch"
    current: bool
    url: str | None  # absolute; None where the page has no version per language (a 404)


@register.simple_tag(takes_context=True)
def language_versions(context):
    """The page's address in each language. Only the prefix differs (slugs and paths are the same in
    every language), so no other language is activated: a cold start loads one language's catalogs."""
    request = context.get("request")
    path_language = translation.get_language_from_path(request.path_info) if request else None
    found = request is not None and getattr(request, "resolver_match", None) is not None
    rest = request.path_info[len(path_language) + 1 :] if found and path_language else None
    base = settings.PUBLIC_BASE_URL + get_script_prefix().rstrip("/")
    current = translation.get_language()
    return [
        LanguageVersion(
            code,
            capfirst(translation.get_language_info(code)["name_local"]),
            code == current,
            f"{base}/{code}{rest}" if rest is not None else None,
        )
        for code, _name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def language_neutral_url(context):
    """The page's address without a language (hreflang x-default): it redirects each visitor to theirs."""
    request = context["request"]
    rest = request.path_info.lstrip("/").partition("/")[2]
    return settings.PUBLIC_BASE_URL + get_script_prefix() + rest
