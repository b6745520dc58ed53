"""The widgets built in Python (accounts.widgets) write exactly what Django's templates write."""

import datetime
import re

import pytest
from django import forms

from accounts.widgets import (
    QuickCheckboxInput,
    QuickDateInput,
    QuickHiddenInput,
    QuickSelect,
    QuickTextInput,
    ReadyChoices,
)


def _normalised(html) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    ("quick", "django_widget", "values"),
    [
        (QuickTextInput, forms.TextInput, [None, "", 'Ann <b>"Quoted"</b> & co', 0]),
        (QuickHiddenInput, forms.HiddenInput, [None, "", "desc"]),
        (QuickCheckboxInput, forms.CheckboxInput, [None, False, True, "on", ""]),
    ],
)
def test_quick_inputs_render_what_django_renders(quick, django_widget, values):
    attrs = {"id": "id_q", "class": "form-control", "aria-describedby": "id_q_helptext", "required": True}
    for value in values:
        expected = django_widget(attrs={"autocomplete": "off", "disabled": False}).render("q", value, attrs)
        rendered = quick(attrs={"autocomplete": "off", "disabled": False}).render("q", value, attrs)
        assert _normalised(rendered) == _normalised(expected), value


def test_a_quick_date_input_formats_its_date_as_djangos_does():
    for value in (None, "", datetime.date(2026, 11, 30), "2026-13-40"):
        expected = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d").render("closed_from", value, {"id": "d"})
        rendered = QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d").render("closed_from", value, {"id": "d"})
        assert _normalised(rendered) == _normalised(expected), value


def test_a_search_box_keeps_its_input_type():
    widget = QuickTextInput()
    widget.input_type = "search"
    assert _normalised(widget.render("q", "x")) == '<input type="search" name="q" value="x">'


def test_ready_choices_validate_and_render_like_a_list_every_time():
    """Given as they are (not walked by Django on each form), they must still read as choices:
    more than once (the field validates, the widget renders), groups included."""
    pairs = [("", "Any category"), ("Wales", [("neglect", "Neglect"), ("physical", "Physical abuse")]), ("x", "X")]
    ready = forms.ChoiceField(required=False, widget=QuickSelect)
    ready.choices = ReadyChoices(pairs)
    plain = forms.ChoiceField(required=False)
    plain.choices = pairs
    for _ in range(2):
        assert ready.clean("physical") == "physical" and ready.clean("") == ""
        with pytest.raises(forms.ValidationError):
            ready.clean("sexual")
        assert _normalised(ready.widget.render("category", "physical")) == _normalised(
            plain.widget.render("category", "physical")
        )
    # Each form takes a deep copy of its class's fields: the copy keeps them.
    form_class = type("CategoryForm", (forms.Form,), {"category": ready})
    assert form_class(data={"category": "neglect"}).is_valid()
    assert not form_class(data={"category": "sexual"}).is_valid()
