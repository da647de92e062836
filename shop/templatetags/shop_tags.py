from django import template
from django.templatetags.static import static

from config.csp import picture_allowed
from shop.money import format_money

register = template.Library()
PLACEHOLDER = "shop/articles/placeholder.svg"


@register.simple_tag(takes_context=True)
def money(context, cents, currency):
    request = context.get("request")
    return format_money(cents, currency, accept_language=request.headers.get("Accept-Language", "") if request else "")


@register.simple_tag
def picture_url(article):
    picture = article.picture or PLACEHOLDER
    if "://" in picture:
        # Saved before ARTICLE_PICTURE_ORIGINS was changed: the policy would block it; show ours.
        return picture if picture_allowed(picture) else static(PLACEHOLDER)
    return static(picture)
