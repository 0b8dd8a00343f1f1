"""The dues book's grid cells, rendered in Python: a branch's year is twelve cells for each of its members (a
thousand and more on a large branch), and the same cell written as template tags cost more than the rest of the page
together. Nothing in a cell is typed by a person (a state name, a month, an amount, a member's id and a URL the app
reversed), and the URL is escaped once per row."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.templatetags.humanize_cn import yuan

register = template.Library()


def _content(cell, state: str, member_pk: int, pay_url: str | None) -> str:
    if state == "none":
        return "—"
    if state == "unassessed":
        return "？"
    if state == "paid":
        return yuan(cell.paid) if cell.paid else "免"
    text = yuan(cell.paid) if state == "part" else "未交"
    if pay_url:  # the secretary may record it: the cell links to the payment form for that member and month
        return f'<a href="{pay_url}?member={member_pk}&amp;month={cell.month.isoformat()}">{text}</a>'
    return text


@register.simple_tag
def dues_cells(row, pay_url: str | None = None):
    """The twelve month cells of one member's row; `pay_url` (the payment form) when the viewer may record payments.
    Each cell's class names its state (paid, part, unpaid, unassessed, none) and its title the month."""
    url = escape(pay_url) if pay_url else None
    member_pk = int(row.member.pk)
    cells = []
    for cell in row.cells:
        state = cell.state
        month = cell.month
        content = _content(cell, state, member_pk, url)
        cells.append(f'<td class="num cell-{state}" title="{month.year}年{month.month}月">{content}</td>')
    return mark_safe("".join(cells))  # noqa: S308 (every part above is the app's own: see the module's note)
