"""Protected identities: every way a name is written becomes the decision's neutral words.

Matching ignores case and the amount of white space between words, and never matches inside a
longer word ("Ann" is not found in "Annual"); the longest form is tried first, so "Jane Smith"
becomes "the discloser" rather than "the discloser Smith". Replacement is one pass: the neutral
words are never matched again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Protection:
    forms: tuple[str, ...]  # every way of writing it, the main name first
    replacement: str


def _nfc(text: str) -> str:
    # "ë" typed as one character or as "e" and a combining mark reads the same: match either.
    return unicodedata.normalize("NFC", text)


def _pattern_for(form: str) -> str:
    form = _nfc(form)
    words = [re.escape(word) for word in form.split()]
    body = r"\s+".join(words)
    # Word boundaries only where the form itself starts or ends with a word character.
    start = r"(?<!\w)" if re.match(r"\w", form) else ""
    end = r"(?!\w)" if re.search(r"\w$", form) else ""
    return f"{start}{body}{end}"


class Redactor:
    """Replaces (or finds) the protected identities of one decision in any text."""

    def __init__(self, protections: Iterable[Protection]):
        self.protections = [p for p in protections if p.forms]
        self._replacement_of: dict[str, str] = {}
        alternatives = []
        for protection in self.protections:
            for form in map(_nfc, protection.forms):
                self._replacement_of.setdefault(form.casefold(), protection.replacement)
                alternatives.append(form)
        # Longest first: a full name before the first name it contains.
        alternatives.sort(key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(f"({_pattern_for(form)})" for form in alternatives), re.IGNORECASE)
            if alternatives
            else None
        )
        self._forms = alternatives

    @classmethod
    def for_decision(cls, decision) -> Redactor:
        return cls(
            Protection(forms=tuple(identity.forms), replacement=identity.replacement)
            for identity in decision.protected_identities.all()
        )

    def _replacement(self, match: re.Match) -> str:
        form = self._forms[match.lastindex - 1]
        return self._replacement_of[form.casefold()]

    def apply(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(self._replacement, _nfc(text))

    def found_in(self, text: str) -> list[str]:
        """The protected forms present in ``text`` (as the decision lists them), in order found."""
        if self._pattern is None or not text:
            return []
        found: list[str] = []
        for match in self._pattern.finditer(_nfc(text)):
            form = self._forms[match.lastindex - 1]
            if form not in found:
                found.append(form)
        return found

    def replacement_for(self, form: str) -> str:
        return self._replacement_of[form.casefold()]
