"""The shop in the shopper's language (docs/i18n.md): each shop page in Dutch, German and French
without an English word left, prices written the local way, and the URL scheme that carries the
language (first visit by Accept-Language, the switcher's cookie, old addresses, hreflang)."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from devstack.mailbox import sent_mails
from shop.services import DEMO_ARTICLES
from tests.fixtures.shopper import checkout_form

# Words of the shop's English that no Dutch, German or French page may show (matched as whole
# words, in any case). Where a word is also the language's own, that language leaves it out.
ENGLISH_WORDS = {
    "the", "your", "please", "and", "with", "you", "we", "our", "of", "to", "is", "not", "cart",
    "order", "pay", "checkout", "shipping", "quantity", "price", "back", "here", "this", "that",
    "free", "sold", "stock", "total", "shop", "page", "articles", "details", "address", "name",
    "country", "city", "delivery", "billing", "remove", "update", "buy", "add", "continue", "terms",
    "returns", "privacy", "expired", "found", "thank", "payment", "received", "change", "language",
    # Mollie's method names ("Credit card", "Bank transfer", "Pay in 30 days with Riverty", ...).
    "credit", "card", "transfer", "days", "invoice", "businesses",
}  # fmt: skip
OWN_WORDS = {"nl": {"privacy", "we", "is", "of"}, "de": {"shop", "name"}, "fr": {"total", "page", "articles", "stock"}}


class VisibleText(HTMLParser):
    """What a person sees or hears: text outside scripts and styles, and alt, title and aria-label."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in ("alt", "title", "aria-label") and value]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_left(response, language):
    """The English words on the page, leaving out data that is the same in every language: the demo
    articles (their translations are staff's), the shop's legal details and the shopper's own. The
    payment methods count too: Mollie names them in the locale the shop asks for."""
    parser = VisibleText()
    parser.feed(response.content.decode())
    return english_left_in_text(" ".join(parser.parts), language)


def english_left_in_text(text, language):
    data = [name for _slug, name, *_rest in DEMO_ARTICLES] + [row[2] for row in DEMO_ARTICLES]
    data += [*settings.SHOP_LEGAL.values(), "Brew & Co.", "Ada Lovelace", "ada@example.com", "Keizersgracht 1"]
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    words = set(re.findall(r"[^\W\d_]+", text.lower()))
    return sorted(words & (ENGLISH_WORDS - OWN_WORDS[language]))


def shop_pages(client, sandbox, language):
    """Every page of a purchase in `language`, from the shop page to the paid order, with the mistakes on the way."""
    prefix = f"/{language}"
    pages = {"index": client.get(f"{prefix}/"), "article": client.get(f"{prefix}/articles/espresso-cup/")}
    pages["cart empty"] = client.get(f"{prefix}/cart/")
    client.post(f"{prefix}/cart/add/", {"slug": "espresso-cup", "quantity": 2})
    pages["cart"] = client.get(f"{prefix}/cart/")
    checkout = client.get(f"{prefix}/checkout/")
    pages["checkout"] = checkout
    pages["checkout with errors"] = client.post(f"{prefix}/checkout/", {"name": "", "email": "not-an-address"})
    checkout_id = re.search(r'name="checkout_id" value="([0-9a-f]{32})"', checkout.content.decode())[1]
    placed = client.post(f"{prefix}/checkout/", checkout_form(checkout_id))
    assert placed.status_code == 303, placed.content[:300]
    payment = sandbox.payments()[-1]
    order_path = re.search(r"/[a-z]{2}/orders/[^/]+/[^/]+/", payment["redirectUrl"])[0]
    assert order_path.startswith(f"{prefix}/orders/")  # Mollie brings the shopper back in their language
    pages["order, unpaid"] = client.get(order_path)
    sandbox.set_status(payment["id"], "paid")
    client.post("/payments/webhook/", {"id": payment["id"]})
    pages["order, paid"] = client.get(order_path)
    for legal in ("contact", "terms", "returns", "shipping", "privacy"):
        pages[legal] = client.get(f"{prefix}/pages/{legal}/")
    pages["not found"] = client.get(f"{prefix}/articles/no-such-thing/")
    return pages


# What Mollie's page speaks (the checkout form's address is Dutch) and the confirmation's subject.
LOCALE_AND_SUBJECT = {
    "nl": ("nl_NL", "Uw bestelling {} is betaald"),
    "de": ("de_DE", "Ihre Bestellung {} ist bezahlt"),
    "fr": ("fr_FR", "Votre commande {} est payée"),
}


@pytest.fixture
def mailbox(local_aws, settings):
    """The shop's mails go to the local stack's SES, whose mailbox the test reads."""
    settings.SES_ENDPOINT_URL = local_aws.endpoint_url
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    return lambda subject_contains="": sent_mails(local_aws.endpoint_url, subject_contains=subject_contains)


def assert_paid_in(language, sandbox, mailbox):
    """Mollie's payment has the language's locale, and the confirmation in the mailbox is in it."""
    payment = sandbox.payments()[-1]
    locale, subject = LOCALE_AND_SUBJECT[language]
    assert payment["locale"] == locale
    order_id = payment["metadata"]["order_id"]
    [confirmation] = mailbox(order_id)
    assert confirmation.subject == subject.format(order_id)
    assert ["Content-Language", language] in confirmation.headers
    assert english_left_in_text(confirmation.text, language) == []


def test_a_dutch_shopper_meets_no_english_from_shop_page_to_paid_order(client, shipping_zones, sandbox, mailbox):
    pages = shop_pages(client, sandbox, "nl")
    assert_paid_in("nl", sandbox, mailbox)

    assert {name: english_left(page, "nl") for name, page in pages.items()} == {name: [] for name in pages}
    assert all(page.status_code in (200, 404, 422) for page in pages.values())
    assert (
        "Bedankt" in pages["order, paid"].content.decode() or "Hartelijk dank" in pages["order, paid"].content.decode()
    )
    assert "Vul uw volledige naam in." in pages["checkout with errors"].content.decode()
    assert pages["not found"].status_code == 404 and "Pagina niet gevonden" in pages["not found"].content.decode()


@pytest.mark.parametrize("language, thank_you", [("de", "Vielen Dank!"), ("fr", "Merci !")])
def test_german_and_french_shoppers_too(client, shipping_zones, sandbox, mailbox, language, thank_you):
    pages = shop_pages(client, sandbox, language)
    assert_paid_in(language, sandbox, mailbox)

    left = {name: english_left(page, language) for name, page in pages.items()}
    assert left == {name: [] for name in pages}
    assert thank_you in pages["order, paid"].content.decode()


@pytest.mark.parametrize(
    "language, price", [("en", "€12.50"), ("nl", "€\u00a012,50"), ("de", "12,50\u00a0€"), ("fr", "12,50\u00a0€")]
)
def test_prices_are_written_the_languages_way(client, catalog, language, price):
    page = client.get(f"/{language}/articles/espresso-cup/").content.decode()

    assert price in page
    assert f'<html lang="{language}">' in page


def test_every_shop_page_names_its_versions_for_search_engines(client, catalog):
    page = client.get("/nl/articles/espresso-cup/").content.decode()

    base = settings.PUBLIC_BASE_URL
    for code in ("en", "nl", "de", "fr"):
        assert f'<link rel="alternate" hreflang="{code}" href="{base}/{code}/articles/espresso-cup/">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="{base}/articles/espresso-cup/">' in page
