"""The shop's translation catalogs (locale/<language>/LC_MESSAGES/django.po and .mo), without GNU gettext.

Django's makemessages and compilemessages need xgettext and msgfmt; these do the same in Python
with Babel, a development dependency (requirements-dev.txt; the Lambda reads the committed .mo
files only). Templates go through Django's own `templatize`, as makemessages does, and are then
read like Python. `manage.py update_messages` (`make messages`) runs it; docs/i18n.md says how.
"""

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAIN = "django"
# Where shopper-facing messages live. Staff pages and their Python stay English: not read.
SOURCES = {
    "python": ["shop", "payments", "notifications", "privacy", "config"],
    "templates": ["templates"],
}
SKIPPED = ("templates/staff/", "templates/notifications/staff_alert.", "/migrations/", "/management/")
# Django's gettext functions and their arguments (Babel's keyword notation: (1, "c") is the context).
KEYWORDS = {
    "gettext": None,
    "gettext_lazy": None,
    "_": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# A fixed date in the headers: a catalog changes only when its messages do (the .mo holds the header).
HEADER_DATE = datetime(2026, 12, 7, tzinfo=UTC)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")


def translated_languages() -> list[str]:
    """Every language but the one the messages are written in."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_path(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def source_files() -> Iterator[tuple[str, Path]]:
    for kind, folders in SOURCES.items():
        suffixes = (".py",) if kind == "python" else (".html", ".txt")
        for folder in folders:
            for path in sorted((ROOT / folder).rglob("*")):
                relative = path.relative_to(ROOT).as_posix()
                if path.suffix in suffixes and not any(skip in f"/{relative}" for skip in SKIPPED):
                    yield kind, path


def extract():
    """A template catalog (.pot) of every message marked in the code and the templates."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract as babel_extract
    from django.utils.translation.template import templatize

    template = Catalog(project="Brew & Co. shop", creation_date=HEADER_DATE, fuzzy=False)
    for kind, path in source_files():
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if kind == "templates":
            # Read as Python by tokenize, which refuses its uneven indentation; the lines stay.
            text = "\n".join(line.lstrip() for line in templatize(text, origin=relative).splitlines())
        found = babel_extract("python", io.BytesIO(text.encode()), keywords=KEYWORDS, comment_tags=("Translators",))
        for _line, message, comments, context in found:
            template.add(message, locations=[(relative, None)], auto_comments=comments, context=context)
    return template


def read(language: str):
    from babel.messages.pofile import read_po

    with po_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def update(language: str, template) -> None:
    """Merges the extracted messages into the language's .po (new ones untranslated, gone ones
    dropped), then compiles its .mo."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    path = po_path(language)
    if path.exists():
        catalog = read(language)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=language, domain=DOMAIN, project=template.project, fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.creation_date = catalog.revision_date = HEADER_DATE
    catalog.fuzzy = False
    with path.open("wb") as po:
        write_po(po, catalog, width=100, include_lineno=False, sort_by_file=True)
    compile_catalog(language)


def compiled(language: str) -> bytes:
    """The .mo for the language's .po, as `compile_catalog` writes it."""
    from babel.messages.mofile import write_mo

    mo = io.BytesIO()
    write_mo(mo, read(language))
    return mo.getvalue()


def compile_catalog(language: str) -> None:
    po_path(language).with_suffix(".mo").write_bytes(compiled(language))


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def problems(language: str, template) -> list[str]:
    """What keeps the language's catalog from shipping: messages without a translation, fuzzy
    ones, placeholders a translation lost or made up, a .mo that is not the .po's."""
    catalog = read(language)
    found = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        label = f"{language}: {message.id!r}" + (f" ({message.context})" if message.context else "")
        strings = (
            translated.string
            if translated and isinstance(translated.string, tuple)
            else [translated and translated.string]
        )
        if translated is None or not all(strings):
            found.append(f"{label} has no translation")
        elif translated.fuzzy:
            found.append(f"{label} is fuzzy")
        else:
            found.extend(f"{label}: {problem}" for problem in placeholder_problems(message.id, translated.string))
    mo = po_path(language).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(language):
        found.append(f"{language}: django.mo is not compiled from django.po (run `make messages`)")
    return found


def placeholder_problems(source, translation) -> list[str]:
    """Each translation must keep the source's placeholders; a plural's first form may leave out the number."""
    if isinstance(source, str):
        expected, forms = placeholders(source), [translation]
    else:
        expected, forms = placeholders(source[1]), list(translation)
    found = []
    for index, form in enumerate(forms):
        got = placeholders(form)
        if got == expected or (
            index == 0 and len(forms) > 1 and set(got) <= set(expected) | set(placeholders(source[0]))
        ):
            continue
        found.append(f"placeholders {got} instead of {expected} in {form!r}")
    return found
