from django import template
from django.templatetags.static import static

from config.csp import picture_allowed
from shop import cart
from shop.money import format_money

register = template.Library()
PLACEHOLDER = "shop/articles/placeholder.svg"


@register.simple_tag
def money(cents, currency):
    """The amount the way the page's language writes it (the active one: shop URLs carry it)."""
    return format_money(cents, currency)


@register.simple_tag
def picture_url(article):
    picture = article.picture or PLACEHOLDER
    if "://" in picture:
        # Saved before ARTICLE_PICTURE_ORIGINS was changed: the policy would block it; show ours.
        return picture if picture_allowed(picture) else static(PLACEHOLDER)
    return static(picture)


@register.filter
def max_quantity(article):
    """The quantity box's top: what is left, at most what one cart line may hold."""
    return cart.MAX_QUANTITY if article.stock is None else max(0, min(int(article.stock), cart.MAX_QUANTITY))


@register.filter
def shortage_message(lines):
    return cart.shortage_message(lines)


@register.filter
def country_names(codes):
    """A zone's countries in the page's language: "Belgium, Germany" (django-countries' names)."""
    from shop.addresses import country_name

    return ", ".join(country_name(code) for code in codes or ())
