"""The catalog: the shop page and an article's page. Thin, and read only: a cold start serving
them imports neither the cart's changes nor the payment workflow (config/lazy_views.py)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
