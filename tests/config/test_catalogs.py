"""The translation catalogs ship complete (config/catalogs.py, docs/i18n.md): every message marked
in the code and templates is translated into every language, no translation breaks a placeholder,
and each committed .mo is the one its .po compiles to. Needs Babel (requirements-dev.txt), not gettext."""

import pytest
from django.conf import settings

from config import catalogs

pytestmark = pytest.mark.pure


@pytest.fixture(scope="module")
def template():
    return catalogs.extract()


def test_the_shop_speaks_four_languages():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "nl", "de", "fr"]
    assert catalogs.translated_languages() == ["nl", "de", "fr"]


def test_extraction_finds_messages_in_python_and_templates(template):
    ids = {message.id for message in template}
    assert "Your cart is empty." in ids  # templates/shop/cart.html and shop/views/checkout.py
    assert "Please enter your full name." in ids  # shop/forms.py, gettext_lazy
    assert ("Cart, %(counter)s item", "Cart, %(counter)s items") in ids  # blocktranslate count
    assert not any("staff" in location for message in template for location, _line in message.locations)


@pytest.mark.parametrize("language", ["nl", "de", "fr"])
def test_every_message_is_translated_with_its_placeholders_and_compiled(template, language):
    assert catalogs.problems(language, template) == []


def test_a_missing_translation_a_broken_placeholder_and_a_stale_mo_are_found(template, tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    broken = Catalog(locale="nl", domain="django")
    broken.add("Your cart is empty.", "")  # untranslated
    broken.add("Go to order %(order_id)s", "Naar bestelling %(bestelling)s")  # placeholder renamed
    broken.add("Pay %(total)s", "Betalen", flags=["fuzzy"])
    catalogs.po_path("nl").parent.mkdir(parents=True)
    with catalogs.po_path("nl").open("wb") as po:
        write_po(po, broken)

    found = "\n".join(catalogs.problems("nl", template))

    assert "'Your cart is empty.' has no translation" in found
    assert "['%(bestelling)s'] instead of ['%(order_id)s']" in found
    assert "'Pay %(total)s' is fuzzy" in found
    assert "django.mo is not compiled from django.po" in found
    assert "'Shipping' has no translation" in found  # in the code, not in this catalog


@pytest.mark.parametrize(
    "source, translation, problems",
    [
        ("Pay %(total)s", "%(total)s betalen", 0),
        ("Pay %(total)s", "Betalen", 1),
        ("Your earlier order {} is open", "Uw eerdere bestelling staat open", 1),
        ("{0} of {1}", "{1} van {0}", 0),
        (("%(count)s day", "%(count)s days"), ("één dag", "%(count)s dagen"), 0),
        (("%(count)s day", "%(count)s days"), ("%(count)s dag", "dagen"), 1),
        ("Of which VAT %(rate)s%%", "Waarvan btw %(rate)s%%", 0),
    ],
)
def test_placeholders_must_survive_translation(source, translation, problems):
    assert len(catalogs.placeholder_problems(source, translation)) == problems


def test_checking_the_catalogs_needs_no_gettext(tmp_path):
    # A PATH without msgfmt or xgettext (a fresh clone, CI): extraction and compiling are Babel's.
    import subprocess
    import sys

    command = [sys.executable, "manage.py", "update_messages", "--check"]
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path), "DJANGO_SECRET_KEY": "catalog-check"}
    result = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "translated in every language" in result.stdout
