"""Shopper pages that only read: the catalog, an article and the cart. Thin. What changes the
cart or an order (checkout, paying, the order page) is in shop/order_views.py, with the payment
workflow it needs; a cold start serving these pages does not import it (config/lazy_views.py)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop import cart as shop_cart
from shop.selectors import article_by_slug, shop_catalog


@require_GET
def index(request):
    return render(request, "shop/index.html", {"articles": shop_catalog()})


@require_GET
def article_detail(request, slug):
    article = article_by_slug(slug)
    if article is None or not article.active:
        raise Http404("No such article")
    return render(request, "shop/article.html", {"article": article})


@require_GET
def cart_detail(request):
    cart = shop_cart.load(request.session, with_stock=True)
    if cart.dropped:
        messages.warning(request, "Some articles are no longer sold and were removed from your cart.")
    return render(request, "shop/cart.html", {"cart": cart})
