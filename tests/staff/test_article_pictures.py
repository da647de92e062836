"""Article pictures by web address: the article form accepts exactly the origins the
Content-Security-Policy lets browsers load (ARTICLE_PICTURE_ORIGINS), so every picture it takes shows."""

import html
import re

from shop.models import Article

IMAGES = "https://images.example.com"
EDIT = {"name": "Espresso cup", "price": "12.50", "currency": "EUR", "stock": "40", "stock_shown": "40", "active": "on"}


def img_sources(response):
    return re.findall(r'<img src="([^"]+)"', response.content.decode())


def picture_origins_allowed(response):
    header = response["Content-Security-Policy"]
    directive = next(d.strip() for d in header.split(";") if d.strip().startswith("img-src "))
    return directive.split()[1:]


def test_a_picture_from_an_allowed_origin_is_taken_and_the_policy_lets_it_show(staff_client, client, catalog, settings):
    settings.ARTICLE_PICTURE_ORIGINS = [IMAGES]
    form = staff_client.get("/staff/articles/espresso-cup/")
    assert f"or a web address at {IMAGES}" in html.unescape(form.content.decode())

    response = staff_client.post("/staff/articles/espresso-cup/", {**EDIT, "picture": f"{IMAGES}/cup.png"})

    assert response.status_code == 302
    page = client.get("/en/articles/espresso-cup/")
    assert f"{IMAGES}/cup.png" in img_sources(page)
    assert IMAGES in picture_origins_allowed(page) and IMAGES in picture_origins_allowed(client.get("/en/"))


def test_a_picture_from_any_other_origin_is_refused_with_the_reason(staff_client, catalog, settings):
    settings.ARTICLE_PICTURE_ORIGINS = [IMAGES]
    before = Article.get("espresso-cup").picture

    for url in (
        "https://elsewhere.example/cup.png",
        "http://images.example.com/cup.png",
        f"{IMAGES}.evil.example/x.png",
    ):
        response = staff_client.post("/staff/articles/espresso-cup/", {**EDIT, "picture": url})
        assert response.status_code == 422, url
        assert f"Pictures by web address can come only from {IMAGES}." in html.unescape(response.content.decode())
    assert Article.get("espresso-cup").picture == before


def test_without_allowed_origins_the_form_asks_for_a_static_file_and_the_policy_stays_strict(
    staff_client, client, catalog, settings
):
    settings.ARTICLE_PICTURE_ORIGINS = []

    response = staff_client.post("/staff/articles/espresso-cup/", {**EDIT, "picture": f"{IMAGES}/cup.png"})

    assert response.status_code == 422
    assert "Use a static file path like shop/articles/mug.svg" in html.unescape(response.content.decode())
    assert not any("example.com" in source for source in picture_origins_allowed(client.get("/en/")))


def test_a_picture_saved_from_an_origin_no_longer_allowed_shows_the_placeholder(client, catalog, settings):
    settings.ARTICLE_PICTURE_ORIGINS = []
    Article.get("espresso-cup").update(actions=[Article.picture.set(f"{IMAGES}/cup.png")])

    sources = img_sources(client.get("/en/articles/espresso-cup/"))

    assert sources and f"{IMAGES}/cup.png" not in sources and sources[0].endswith("placeholder.svg")
