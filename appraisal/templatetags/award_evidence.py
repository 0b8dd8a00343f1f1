"""The evidence beside each ranked party group (先进党小组), written in one step per group: the same words and numbers
`appraisal/awards/_evidence.html` writes, which Django's template engine took a third of the ranking page's time to
render, three translated sentences per group, fifty groups a page."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


def _shown(value) -> str:
    """A value as `{{ value }}` writes it inside a sentence: localised, then escaped."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


@register.simple_tag
def group_evidence(c) -> SafeString:
    """A `GroupCandidate`'s evidence: the regular appraisal's points of its maximum, then its spot checks and how
    many were rated poor."""
    out = ""
    if c.rubric_max:
        out = gettext("regular appraisal %(p)s of %(m)s points (%(pc)s%%)") % {
            "p": _shown(floatformat(c.rubric_points, 1)),
            "m": _shown(floatformat(c.rubric_max, 1)),
            "pc": _shown(c.rubric_percent),
        }
    if c.spot_checks:
        out += "<br>" + ngettext(
            "%(n)s spot check, %(a)s points", "%(n)s spot checks, average %(a)s points", c.spot_checks
        ) % {"n": _shown(c.spot_checks), "a": _shown(c.spot_average)}
        if c.spot_poor:
            poor = ngettext("%(n)s rated poor", "%(n)s rated poor", c.spot_poor) % {"n": _shown(c.spot_poor)}
            out += f' <span class="warn">{poor}</span>'
    return mark_safe(out)  # noqa: S308 (the values escaped above; the sentences are the message catalogue's)
