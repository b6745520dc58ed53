"""Form widgets whose HTML is built in Python, for fields with many choices.

Django renders a select's every option through its own template include, which costs tens of
microseconds per option: the audit trail's "person" filter (every account) spent most of the
page's 250 ms there. These widgets produce the same markup with ``format_html``, once.
"""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join


def _attributes(attrs: dict):
    """As Django's ``attrs.html``: in order, ``True`` as a bare name, ``False`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class QuickSelect(forms.Select):
    """A single-choice select rendered without a template per option (same HTML as Django's).

    ``format_html`` and ``format_html_join`` escape every name, value and label, so nothing here
    needs marking safe by hand.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, attrs)
        chosen = False

        def option(option_value, label):
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            is_selected = not chosen and text in selected
            chosen = chosen or is_selected
            return format_html('<option value="{}"{}>{}</option>', text, " selected" if is_selected else "", label)

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                # An option group: the group's name, then its own options.
                inner = format_html_join("\n", "{}", ((option(v, lab),) for v, lab in label))
                parts.append(format_html('<optgroup label="{}">\n{}\n</optgroup>', option_value, inner))
            else:
                parts.append(option(option_value, label))
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            _attributes(final_attrs),
            format_html_join("\n", "{}", ((part,) for part in parts)),
        )


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
    """An ``<input>`` rendered without Django's three template includes (the same markup).

    For forms drawn on every visit of a busy page (the lead's queue filters): each include
    costs more than the few attributes it writes.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            format_html(' value="{}"', str(shown)) if shown is not None else "",
            _attributes(widget["attrs"]),
        )


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickCheckboxInput(QuickInputMixin, forms.CheckboxInput):
    pass


class QuickHiddenInput(QuickInputMixin, forms.HiddenInput):
    pass
