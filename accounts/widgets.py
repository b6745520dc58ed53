"""Form widgets whose HTML is built in Python, for fields with many choices and forms drawn
on every visit of a busy page.

Django renders a select's every option, and every input, through its own template includes,
which cost tens of microseconds each: the audit trail's "person" filter (every account) spent
most of the page's 250 ms there. These widgets produce the same markup in one pass; every name,
value and label goes through ``_escaped`` (what Django's autoescape does, without its per-call
overhead) before it is placed.
"""

from __future__ import annotations

import html

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeData, SafeString, mark_safe


def _escaped(text) -> str:
    """As Django's ``conditional_escape``, for plain text at a fraction of its cost."""
    return str(text) if isinstance(text, SafeData) else html.escape(str(text))


def _attributes(attrs: dict) -> str:
    """As Django's ``attrs.html``: in order, ``True`` as a bare name, ``False`` left out."""
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _placed(markup: str) -> SafeString:
    # Every name, value and label in ``markup`` went through _escaped.
    return mark_safe(markup)  # noqa: S308  # nosec B308 B703


class QuickSelect(forms.Select):
    """A single-choice select, option groups included, rendered without a template per option
    (the same HTML as Django's)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, attrs)
        chosen = False

        def option(option_value, label) -> str:
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            is_selected = not chosen and text in selected
            chosen = chosen or is_selected
            return f'<option value="{_escaped(text)}"{" selected" if is_selected else ""}>{_escaped(label)}</option>'

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                # An option group: the group's name, then its own options.
                inner = "\n".join(option(v, group_label) for v, group_label in label)
                parts.append(f'<optgroup label="{_escaped(option_value)}">\n{inner}\n</optgroup>')
            else:
                parts.append(option(option_value, label))
        return _placed(
            f'<select name="{_escaped(name)}"{_attributes(final_attrs)}>\n' + "\n".join(parts) + "\n</select>"
        )


class ReadyChoices(BaseChoiceIterator):
    """Choices already in the shape Django's fields use: ``(value, label)`` pairs, a group as
    ``(name, [pairs])``. Given to a field per form (a person's teams, the categories), they are
    taken as they are: a plain list is walked, every option, by the field and again by its
    widget, which was half the cost of building the queue's filter form on each visit."""

    def __init__(self, choices: list) -> None:
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


class ValuesModelChoiceIterator(forms.models.ModelChoiceIterator):
    """Choices from ``values_list`` rows rather than model instances (hundreds of accounts).

    The field's ``label_from_values`` makes each label from the row.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        fields = self.field.label_fields
        for row in self.queryset.values_list("pk", *fields):
            yield (row[0], self.field.label_from_values(*row[1:]))

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class QuickInputMixin:
    """An ``<input>`` rendered without Django's three template includes (the same markup)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = widget["value"]
        value_attribute = f' value="{_escaped(shown)}"' if shown is not None else ""
        return _placed(
            f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"'
            f"{value_attribute}{_attributes(widget['attrs'])}>"
        )


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickCheckboxInput(QuickInputMixin, forms.CheckboxInput):
    pass


class QuickHiddenInput(QuickInputMixin, forms.HiddenInput):
    pass
