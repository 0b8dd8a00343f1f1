"""The main menu of every page, rendered once for each different menu and kept in the process.

The menu is the same on every page a person opens: their name, then the links their role may follow. Rendering it
(a dozen URLs reversed, four permission questions, a dozen translations) was a tenth of a small page. What it shows
is entirely given by the key it is kept under: the language, the person's names, their staff and superuser flags,
their 三员 duty and the answers to the four permission questions, asked afresh on every request. A change to any of
these makes another key, so a kept menu is never out of date; the logout form, with its per-request CSRF token, stays
in base.html. The store is per process and bounded (cleared when full)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# what the menu asks of the person: name in the menu → the permissions any one of which shows the link
QUESTIONS = {
    "orglife": ("orglife.read",),
    "dues": ("dues.read", "dues.collect"),
    "scores": ("scores.read",),
    "awards": ("awards.read",),
}
MOST = 10_000
_kept: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def site_menu(context) -> str:
    request, user = context["request"], context["user"]
    may = {name: any(user.has_perm(p) for p in perms) for name, perms in QUESTIONS.items()}
    duty_role = getattr(request, "duty_role", None)
    key = (
        get_language(),
        user.pk,
        user.get_full_name(),
        user.get_username(),
        user.is_staff,
        user.is_superuser,
        duty_role,
        tuple(may.values()),
    )
    html = _kept.get(key)
    if html is None:
        html = render_to_string("core/_site_menu.html", {"user": user, "duty_role": duty_role, "may": may})
        if len(_kept) >= MOST:
            _kept.clear()
        _kept[key] = html
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped what it put in
