"""The error summary every form in the portal shows at its top (the GOV.UK pattern).

It lists each problem of a form and of its formsets as a link to the control to fix, so on a long
page nobody has to hunt for the message beside a field.
"""

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


def _target_id(bound_field) -> str:
    """The id of the control a summary link moves to. Radio and checkbox groups have no element
    with the field's own id (their label has no ``for``), so the link goes to the first option."""
    auto_id = bound_field.auto_id
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{auto_id}_0"
    return bound_field.id_for_label or auto_id


def _form_items(form) -> list[dict]:
    items = [{"message": error, "target": ""} for error in form.non_field_errors()]
    for bound_field in form:
        if bound_field.is_hidden:
            items.extend({"message": error, "target": ""} for error in bound_field.errors)
            continue
        items.extend({"message": error, "target": _target_id(bound_field)} for error in bound_field.errors)
    return items


@register.simple_tag
def error_summary_items(form=None, formsets=None) -> list[dict]:
    """Every problem as ``{"message", "target"}``, in page order: the form, then each formset
    (a dict or a list of them), its own errors and then each of its forms."""
    items: list[dict] = []
    if form is not None and hasattr(form, "errors") and form.is_bound:
        items.extend(_form_items(form))
    if isinstance(formsets, dict):
        formsets = list(formsets.values())
    elif isinstance(formsets, BaseFormSet):
        formsets = [formsets]
    for formset in formsets or []:
        if not formset.is_bound:
            continue
        items.extend({"message": error, "target": ""} for error in formset.non_form_errors())
        for each in formset.forms:
            items.extend(_form_items(each))
    return items
