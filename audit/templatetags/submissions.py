"""`{% submission_key %}`: the hidden one-time key of a form that writes (see `audit.submissions`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from audit.submissions import KEY_FIELD, new_key

register = template.Library()


@register.simple_tag
def submission_key() -> str:
    """A fresh key each time the form is shown: a form shown again after an error gets a new one (nothing was saved
    under the old), and two forms on one page never share one."""
    return format_html('<input type="hidden" name="{}" value="{}">', KEY_FIELD, new_key())
