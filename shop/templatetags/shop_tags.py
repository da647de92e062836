from django import template
from django.templatetags.static import static

from shop.money import format_money

register = template.Library()


@register.simple_tag(takes_context=True)
def money(context, cents, currency):
    request = context.get("request")
    return format_money(cents, currency, accept_language=request.headers.get("Accept-Language", "") if request else "")


@register.simple_tag
def picture_url(article):
    picture = article.picture or "shop/articles/placeholder.svg"
    return picture if picture.startswith(("https://", "http://")) else static(picture)
