"""Articles in the shopper's language (issue 31): the shop page, an article's page, the cart and the
order a checkout makes, with the default language wherever a translation is missing.

The shopper's browser asks for the language (Accept-Language) and the address is the one Django
gives in it (`reverse` under `translation.override`), so these hold with or without a language in
the URL."""

import re

from django.test import Client
from django.urls import reverse
from django.utils import translation

from payments.models import Order
from shop import services
from shop.models import Article
from tests.fixtures.shopper import checkout_form


class LanguageShopper:
    """A shopper whose browser reads `language`."""

    def __init__(self, language):
        self.language = language
        self.client = Client(HTTP_ACCEPT_LANGUAGE=language)

    def get(self, view, *args):
        with translation.override(self.language):
            response = self.client.get(reverse(view, args=args), follow=True)
        assert response.status_code == 200
        return response.content.decode()

    def post(self, view, data):
        with translation.override(self.language):
            return self.client.post(reverse(view), data)

    def buy(self, slug, quantity=1):
        self.post("shop:cart_add", {"slug": slug, "quantity": quantity})
        checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', self.get("shop:checkout")).group(1)
        response = self.post("shop:checkout", checkout_form(checkout_id))
        assert response.status_code == 303, response.content[:500]
        return Order.get(self.client.session["last_order_id"], consistent_read=True)


def remove_translation(slug, *languages):
    """Staff empty these languages' names and descriptions on the article form."""
    article = Article.get(slug)
    services.save_article(
        slug=slug,
        **{name: getattr(article, name) for name in services.SHOWN_FIELDS},
        stock=article.stock,
        stock_shown=article.stock,
        translations=dict.fromkeys(languages),
    )


def test_the_shop_page_shows_the_dutch_names_and_descriptions_to_a_dutch_shopper(catalog):
    page = LanguageShopper("nl").get("shop:index")

    assert "Espressokopje" in page
    assert "Kopje van steengoed voor een dubbele espresso, met de hand geglazuurd." in page
    assert "Koffiebonen, 250 g" in page
    assert "Espresso cup" not in page and "Stoneware cup" not in page


def test_an_english_shopper_after_a_dutch_one_still_reads_english(catalog):
    """The shop page's in-process copy of the catalog is shared by every shopper: the Dutch page
    must not change it."""
    LanguageShopper("nl").get("shop:index")

    page = LanguageShopper("en").get("shop:index")

    assert "Espresso cup" in page and "Espressokopje" not in page


def test_the_article_page_in_german_and_in_french_under_the_same_slug(catalog):
    german = LanguageShopper("de").get("shop:article", "pour-over-kettle")
    french = LanguageShopper("fr").get("shop:article", "pour-over-kettle")

    assert "<h1>Schwanenhalskessel</h1>" in german
    assert "Wasserkessel mit Schwanenhals, 1 Liter" in german
    assert "<h1>Bouilloire col de cygne</h1>" in french


def test_a_missing_translation_shows_the_default_languages_text(catalog):
    remove_translation("espresso-cup", "de")

    page = LanguageShopper("de").get("shop:index")

    assert "Espresso cup" in page and "Stoneware cup for a double espresso" in page
    assert "Kaffeebohnen, 250 g" in page  # the other articles are still German


def test_the_dutch_cart_and_order_keep_the_dutch_names_through_to_mollie(catalog, sandbox):
    shopper = LanguageShopper("nl")
    shopper.post("shop:cart_add", {"slug": "coffee-beans", "quantity": 2})
    assert "Koffiebonen, 250 g" in shopper.get("shop:cart")

    order = shopper.buy("espresso-cup")

    assert sorted(line.name for line in order.lines) == ["Espressokopje", "Koffiebonen, 250 g"]
    payment = sandbox.payment(order.latest_mollie_payment_id)
    assert {line["description"] for line in payment["lines"] if line["type"] == "physical"} == {
        "Espressokopje",
        "Koffiebonen, 250 g",
    }
    # What the shopper bought keeps its name, whatever language the order page is read in later.
    order_page = LanguageShopper("en").client.get(f"/orders/{order.order_id}/{order.public_token}/", follow=True)
    assert "Espressokopje" in order_page.content.decode()


def test_seeding_again_gives_older_demo_articles_their_translations_but_keeps_staffs(catalog):
    Article.get("espresso-cup").update(actions=[Article.translations.remove()])  # seeded before translations
    remove_translation("linen-apron", "nl")  # staff's own choice: no Dutch
    remove_translation("ceramic-dripper", "nl", "de", "fr")  # nor any translation at all

    assert services.seed_catalog() == 0

    assert Article.get("espresso-cup").text_in("nl").name == "Espressokopje"
    assert Article.get("linen-apron").text_in("nl").name == "Linen apron"
    assert Article.get("linen-apron").text_in("de").name == "Leinenschürze"
    assert Article.get("ceramic-dripper").stored_translations() == {}
