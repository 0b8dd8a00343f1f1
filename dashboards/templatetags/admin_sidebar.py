"""The admin's sidebar (every admin page's list of the apps and models the person may open), rendered once for each
different sidebar and kept in the process.

Rendering it (thirty-odd models' links, each asked whether it is the page open now, and their names translated) was
a tenth of an admin list's time. What it shows is entirely given by the key it is kept under: the language, each
app's and model's links (the list `TownshipAdminSite.get_app_list` gives the person, from what they may do with each
model, asked at every request) and which of them the page's path is under. The store is per process and bounded
(cleared when full)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

MOST = 1_000
_kept: dict[tuple, str] = {}


def _on(url, path: str) -> bool:
    """`url in path` as the template asks it (no link: never)."""
    return bool(url) and url in path


@register.simple_tag(takes_context=True)
def kept_nav_sidebar(context) -> str:
    request, apps = context["request"], context["available_apps"]
    path = urlencode(request.path)  # as app_list.html compares it
    key = (
        get_language(),
        tuple(
            (
                app["app_label"],
                app["app_url"],
                _on(app["app_url"], path),
                tuple(
                    (m["object_name"], m["admin_url"], m["add_url"], _on(m["admin_url"], path)) for m in app["models"]
                ),
            )
            for app in apps
        ),
    )
    html = _kept.get(key)
    if html is None:
        html = render_to_string("admin/_nav_sidebar.html", {"available_apps": apps, "request": request})
        if len(_kept) >= MOST:
            _kept.clear()
        _kept[key] = html
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped what it put in
