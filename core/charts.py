"""Small charts drawn by the app as inline SVG: no JavaScript, no CDN, readable on a phone and printable.

Each is drawn at its own size in CSS pixels (never scaled down, so its 12 px text stays 12 px on a phone) inside a
box that scrolls sideways when the screen is narrower."""
from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def column_chart(points: list[tuple[str, int]], *, title: str, height: int = 160) -> SafeString:
    """Vertical bars with their value on top and the label below (e.g. activities per month)."""
    n = max(len(points), 1)
    width, pad, top, bottom = 40 * n + 20, 10, 18, 34
    peak = max((v for _, v in points), default=0) or 1
    slot = (width - 2 * pad) / n
    plot = height - top - bottom
    bars = []
    for i, (label, value) in enumerate(points):
        h = round(plot * value / peak)
        x = pad + i * slot + slot * 0.15
        y = top + plot - h
        cx = f"{x + slot * 0.35:.1f}"  # format_html escapes its arguments, so numbers are formatted first
        bars.append((f"{x:.1f}", y, f"{slot * 0.7:.1f}", h, cx, y - 4, value, cx, height - bottom + 14, label))
    return format_html(
        '<div class="chart-wrap" tabindex="0"><svg class="chart" width="{}" height="{}" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}"><title>{}</title>{}</svg></div>',
        width,
        height,
        width,
        height,
        title,
        title,
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" class="bar"></rect>'
            '<text x="{}" y="{}" class="value" text-anchor="middle">{}</text>'
            '<text x="{}" y="{}" class="label" text-anchor="middle">{}</text>',
            bars,
        ),
    )


def bar_chart(points: list[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars with the label on the left and the value at the end (e.g. concerns by category)."""
    row, label_w, bar_w = 28, 120, 180
    width, height = label_w + bar_w + 50, row * max(len(points), 1) + 6
    peak = max((v for _, v in points), default=0) or 1
    rows = []
    for i, (label, value) in enumerate(points):
        y = 4 + i * row
        w = round(bar_w * value / peak)
        rows.append((label_w - 6, y + 16, label, label_w, y + 3, w, label_w + w + 4, y + 16, value))
    return format_html(
        '<div class="chart-wrap" tabindex="0"><svg class="chart" width="{}" height="{}" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}"><title>{}</title>{}</svg></div>',
        width,
        height,
        width,
        height,
        title,
        title,
        format_html_join(
            "",
            '<text x="{}" y="{}" class="label" text-anchor="end">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="18" class="bar"></rect>'
            '<text x="{}" y="{}" class="value" text-anchor="start">{}</text>',
            rows,
        ),
    )
