"""Staff's catalog: the articles, adding one and editing one (stock as a difference: shop.services)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shop import services as shop_services
from shop.selectors import catalog_articles, stored_article
from staff.auth import staff_required
from staff.forms import ArticleForm


@staff_required
@require_GET
def article_list(request):
    return render(request, "staff/article_list.html", {"articles": catalog_articles(include_inactive=True)})


@staff_required
@require_http_methods(["GET", "POST"])
def article_add(request):
    return _article_form(request, article=None)


@staff_required
@require_http_methods(["GET", "POST"])
def article_edit(request, slug):
    article = stored_article(slug)
    if article is None:
        raise Http404("No such article")
    return _article_form(request, article=article)


def _article_form(request, *, article):
    initial = ArticleForm.initial_for(article) if article else None
    form = ArticleForm(request.POST if request.method == "POST" else None, initial=initial, article=article)
    if form.is_valid():
        fields = form.cleaned_data
        try:
            shop_services.save_article(
                slug=fields["slug"],
                name=fields["name"],
                description=fields["description"],
                price_cents=fields["price"],
                currency=fields["currency"],
                picture=fields["picture"],
                active=fields["active"],
                stock=fields["stock"],
                stock_shown=fields["stock_shown"],
                vat_rate=fields["vat_rate"] or None,  # None: kept (or the standard rate for a new one)
                sku=fields["sku"].strip() or None,
                weight_grams=fields["weight_grams"],
                translations=fields["translations"],
            )
        except shop_services.StockChangedMeanwhile:
            messages.error(
                request,
                "The stock changed while you were editing (an order came in). "
                "Nothing was saved; please check the numbers and save again.",
            )
            return redirect("staff:article_edit", slug=fields["slug"]) if article else redirect("staff:articles")
        messages.success(request, f"“{fields['name']}” was {'changed' if article else 'added'}.")
        return redirect("staff:articles")
    return render(
        request, "staff/article_form.html", {"form": form, "article": article}, status=422 if form.is_bound else 200
    )
