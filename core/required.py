"""A required field left empty says which field and what to do: "请填写议题。", "请选择村民小组。", not Django's
"这个字段是必填项。" beside every one of them.

Django raises the same "This field is required." for every field. `apply()` (called once from `core.apps`) has every
form (the pages' and the admin's) put the field's own label into that message when it is added to the form's
errors; a field that names its own required message keeps it, and the error's code stays "required".
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy

DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.ModelMultipleChoiceField, forms.FileField)


def message(field: forms.Field, label) -> str:
    """What an empty required `field` labelled `label` says."""
    label = str(label or "").strip().rstrip("：:")
    if not label:
        return DJANGO_REQUIRED
    if isinstance(field, forms.BooleanField):
        return format_lazy("请勾选“{}”。", label)
    if isinstance(field, CHOSEN):
        return format_lazy("请选择{}。", label)
    return format_lazy("请填写{}。", label)


def apply() -> None:
    add_error = forms.BaseForm.add_error
    if getattr(add_error, "names_the_field", False):
        return

    def add_error_naming_the_field(self, field, error):
        if (
            field in self.fields
            and isinstance(error, ValidationError)
            and getattr(error, "code", None) == "required"
            and getattr(error, "message", None) is DJANGO_REQUIRED
        ):
            error = ValidationError(message(self.fields[field], self[field].label), code="required")
        return add_error(self, field, error)

    add_error_naming_the_field.names_the_field = True
    forms.BaseForm.add_error = add_error_naming_the_field
