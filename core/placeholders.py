"""请选择… instead of Django's "---------" as the empty choice of every drop-down (forms and the admin alike).

Django writes the dash line in two places: `BLANK_CHOICE_DASH` (a model field's choices with a blank entry, also the
admin's list filters) and the `empty_label` default of `ModelChoiceField` (a foreign key). `apply()` (called once from
`core.apps`) changes both defaults; a form that names its own empty label keeps it.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PLEASE_CHOOSE = _("Please choose…")
DASHES = "---------"


def apply() -> None:
    from django.db.models import fields
    from django.forms import models as model_forms

    fields.BLANK_CHOICE_DASH[:] = [("", PLEASE_CHOOSE)]  # the same list object every default argument holds
    defaults = model_forms.ModelChoiceField.__init__.__kwdefaults__
    if defaults.get("empty_label") == DASHES:
        defaults["empty_label"] = PLEASE_CHOOSE
