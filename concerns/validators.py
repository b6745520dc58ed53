"""Input rules shared by the concern models and forms."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

# What a free-text field holds: enough for any account pasted from another record, so nothing a
# clinician types or pastes is ever cut (the browser is given no maxlength; the server says so instead).
FREE_TEXT_LIMIT = 100_000

# C0 controls except tab, newline and carriage return; DEL; C1 controls. NUL is among them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_control_characters(value) -> None:
    """Refuse invisible control characters (often pasted from other systems) with a clear message."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            "This text contains an invisible control character that cannot be stored. "
            "Please retype or paste it again as plain text.",
            code="control_character",
        )


def bounded_text(max_length: int, **kwargs) -> models.TextField:
    """A TextField whose length limit holds on the server too (TextField's max_length alone does not)."""
    kwargs.setdefault("blank", True)
    return models.TextField(
        max_length=max_length,
        validators=[MaxLengthValidator(max_length), no_control_characters],
        **kwargs,
    )


def bounded_char(max_length: int, **kwargs) -> models.CharField:
    kwargs.setdefault("blank", True)
    return models.CharField(max_length=max_length, validators=[no_control_characters], **kwargs)


def guard_text_fields(form) -> None:
    """Refuse control characters in every text field, and never let the browser cut what is typed.

    A ``maxlength`` attribute makes the browser drop the rest of a paste silently (and counts UTF-16
    units, so emoji count twice). Instead the page is told the limit (``data-max-characters``, which
    intake.js counts in characters as the server does) and says so before anything is submitted;
    the server refuses an over-long answer with a message, and the draft keeps the whole text.
    """
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            if no_control_characters not in field.validators:
                field.validators.append(no_control_characters)
            limit = field.widget.attrs.pop("maxlength", None)
            if limit is not None:
                field.widget.attrs["data-max-characters"] = limit
