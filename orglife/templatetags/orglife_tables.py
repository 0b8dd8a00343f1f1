"""The compliance table's rows, rendered in one step per branch rather than node by node: a county's table is 180
branches × 8 cells, and Django's template engine spent most of the page's time resolving and localising the 3,600
numbers in them one variable at a time. The markup is the same as a template would write."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _cell(done: int, due: int, missing: int, pending: int) -> str:
    if missing:
        return f'<td class="num missing">{done}/{due}<br><strong>缺{missing}</strong></td>'
    if pending:
        return f'<td class="num">{done}/{due}<br><span class="small muted">待开{pending}</span></td>'
    return f'<td class="num">{done}/{due}</td>'


@register.simple_tag
def compliance_rows(rows, year: int, show_township: bool):
    """Every branch row of a compliance table (`orglife.meetings.selectors.Compliance.rows`)."""
    out = []
    township_links: dict[int, str] = {}
    for row in rows:
        v = row.village
        head = ""
        if show_township:
            if v.township_id not in township_links:
                url = reverse("orglife:township", args=[v.township_id, year])
                township_links[v.township_id] = f'<a href="{url}">{conditional_escape(v.township.name)}</a> '
            head = township_links[v.township_id]
        url = reverse("orglife:village", args=[v.pk, year])
        cells = "".join(_cell(c.done, c.due, c.missing, c.pending) for c in row.cells.values())
        missing = row.missing
        out.append(
            f'<tr><td class="nowrap">{head}<a href="{url}">{conditional_escape(v.name)}</a></td>\n{cells}\n'
            f'<td class="num{" missing" if missing else ""}">{missing}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 (names escaped above; the rest are numbers and reversed URLs)
