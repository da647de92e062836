"""The staff article form's translations: a name and a description for each of the shop's
languages besides the default one, which of them are missing, and what the save writes
(`translations` of shop.services.save_article). Staff pages stay English, so languages are
named in English."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.translation import get_language_info

from shop.models import Article, default_language, missing_parts, translated_languages
from shop.typed_text import NoteField, OneLineField

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 2000


def language_name(code: str) -> str:
    """The language's English name ("Dutch"), whatever language is active."""
    return get_language_info(code)["name"]


def missing_text(parts: list[str]) -> str:
    """["name", "description"] as "name and description"."""
    return " and ".join(parts)


def describe_missing(missing: dict[str, list[str]]) -> str:
    """{"nl": ["description"], "de": ["name", "description"]} as "Dutch: description; German:
    name and description"; "" when nothing is missing."""
    return "; ".join(f"{language_name(code)}: {missing_text(parts)}" for code, parts in missing.items())


def add_translation_fields(form: forms.Form) -> None:
    """The default language's fields say which language they are; each other language gets an
    optional name and description of the same limits."""
    default = language_name(default_language())
    form.fields["name"].label = f"Name ({default})"
    form.fields["description"].label = f"Description ({default})"
    for code in translated_languages():
        language = language_name(code)
        form.fields[f"name_{code}"] = OneLineField(
            required=False, max_length=NAME_MAX_LENGTH, label=f"Name ({language})"
        )
        form.fields[f"description_{code}"] = NoteField(
            required=False,
            max_length=DESCRIPTION_MAX_LENGTH,
            label=f"Description ({language})",
            widget=forms.Textarea(attrs={"rows": 3}),
        )


def initial_translations(article: Article) -> dict[str, str]:
    stored = article.stored_translations()
    initial = {}
    for code in translated_languages():
        text = stored.get(code, {})
        initial[f"name_{code}"] = text.get("name", "")
        initial[f"description_{code}"] = text.get("description", "")
    return initial


def cleaned_translations(form: forms.Form) -> dict[str, dict[str, str] | None]:
    """What the save writes, by language: the name and description, or None (removed) when both
    are empty. A language whose fields were not sent at all (a form opened before this language
    was added) is left out, so its stored translation is kept. Adds an error to the form for a
    description without a name."""
    translations: dict[str, dict[str, str] | None] = {}
    for code in translated_languages():
        name_field, description_field = f"name_{code}", f"description_{code}"
        if form.data is not None and name_field not in form.data and description_field not in form.data:
            continue
        name = form.cleaned_data.get(name_field)
        description = form.cleaned_data.get(description_field)
        if name_field in form.errors or description_field in form.errors:
            continue
        if description and not name:
            language = language_name(code)
            form.add_error(
                name_field,
                ValidationError(
                    f"Enter the {language} name too, or leave the {language} description empty "
                    "(shoppers would see an English name above a description in another language).",
                    code="name_missing",
                ),
            )
            continue
        translations[code] = {"name": name, "description": description or ""} if name else None
    return translations


@dataclass
class TranslationGroup:
    """One language's fields on the form, and what its translation still lacks."""

    code: str
    language: str
    name: BoundField
    description: BoundField
    missing: list[str]

    @property
    def status(self) -> str:
        return f"missing {missing_text(self.missing)}" if self.missing else "complete"


def translation_groups(form: forms.Form) -> list[TranslationGroup]:
    """Per language, its fields and what is missing, from what the form shows now (what was
    stored, or what was just typed)."""
    default_description = form["description"].value() or ""
    groups = []
    for code in translated_languages():
        name, description = form[f"name_{code}"], form[f"description_{code}"]
        text = {"name": (name.value() or "").strip(), "description": (description.value() or "").strip()}
        missing = missing_parts(text, default_description=default_description.strip())
        groups.append(TranslationGroup(code, language_name(code), name, description, missing))
    return groups


def missing_summary(groups: list[TranslationGroup]) -> str:
    return describe_missing({group.code: group.missing for group in groups if group.missing})


def translation_field_names() -> set[str]:
    return {f"{part}_{code}" for code in translated_languages() for part in ("name", "description")}
