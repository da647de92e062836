"""Text a person types that reaches other people (mails, Mollie's pages, bank statements, staff
pages): a name stays on one line, and no text carries control characters, which could forge
lines in a plain-text mail or reorder what the reader sees (bidirectional overrides)."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

# Explicit bidirectional embeddings, overrides and isolates: they make text read differently from
# how it is stored. The marks (LRM, RLM) and joiners (ZWJ, ZWNJ) that scripts need stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters, line and paragraph separators, unpaired surrogates.
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
NOTE_WHITESPACE = frozenset("\n\t")


def _refused(character, allowed=frozenset()):
    if character in allowed:
        return False
    return character in BIDI_CONTROLS or unicodedata.category(character) in REFUSED_CATEGORIES


def one_line(text: str) -> str:
    """`text` as one line for a mail or a page: breaks and tabs become spaces, other controls go.
    For what was stored before these fields checked it."""
    spaced = "".join(" " if character.isspace() else character for character in text or "")
    return " ".join("".join(character for character in spaced if not _refused(character)).split())


class OneLineField(forms.CharField):
    """A name, a title, a bank statement's note: one line of printable text."""

    default_error_messages = {
        "one_line": gettext_lazy("Please keep this on one line, without tabs or special control characters."),
    }

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return text
        if any(_refused(character) for character in text):
            raise ValidationError(self.error_messages["one_line"], code="one_line")
        return text


class NoteField(forms.CharField):
    """Text of several lines (a note, a description): line breaks and tabs, no other control characters."""

    default_error_messages = {
        "control": gettext_lazy("Please remove the special control characters from this text."),
    }

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if any(_refused(character, allowed=NOTE_WHITESPACE) for character in text):
            raise ValidationError(self.error_messages["control"], code="control")
        return text
