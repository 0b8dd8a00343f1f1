"""Content-Security-Policy: a strict policy on every page, and no page needs it relaxed.

The policy forbids inline script, style attributes and event handlers, so an injected `<script>` or `onerror=`
does not run even if some text slipped through unescaped. That only holds while the pages themselves use none:
these tests render the pages (every page of the isolation matrix, every admin list and add form) and scan the
templates and Python-built HTML, so a new inline style fails here rather than silently breaking in the browser.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from core import clock, periods
from tests.test_isolation_matrix import LIST_URLS, OBJECT_URLS, YEAR_URLS, a1  # noqa: F401 (a1 is a fixture)

# A script element without src (executable or not), a style element, a style="…" attribute, an on…= handler,
# a javascript: URL. Tags may span lines; attribute values never contain ">" in the app's own HTML.
INLINE = re.compile(
    r"<script\b(?![^>]*\bsrc=)[^>]*>|<style\b|<[a-zA-Z][^>]*\sstyle\s*=|<[a-zA-Z][^>]*\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def inline_code(html: str) -> list[str]:
    """The pieces of `html` a strict Content-Security-Policy would block."""
    return [m.group(0)[:120] for m in INLINE.finditer(html)]


def policy(response) -> dict[str, set[str]]:
    """The Content-Security-Policy header as directive → sources."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = (part.split() for part in header.split(";") if part.strip())
    return {d[0]: set(d[1:]) for d in directives}


def test_inline_code_finds_what_the_policy_blocks():
    """The scanner itself: each kind of inline code is caught, external files and SVG attributes are not."""
    assert inline_code('<p style="color:red">') and inline_code("<script>alert(1)</script>")
    assert inline_code('<img src="x.png"\n  onerror="alert(1)">') and inline_code('<a href="javascript:go()">')
    assert inline_code("<style>p{}</style>")
    assert not inline_code('<script src="/static/a.js" defer></script><link rel="stylesheet" href="/s.css">')
    assert not inline_code('<svg><rect class="bar" fill="#c00" text-anchor="end"></rect></svg><p>onion=3</p>')


def test_the_policy_allows_only_this_site_and_no_inline_code(client, org):
    p = policy(client.get(reverse("login")))
    assert p["default-src"] == {"'self'"}
    for kind in ("script-src", "style-src"):
        sources = p.get(kind, p["default-src"])
        assert sources == {"'self'"}, f"{kind} allows {sources}"  # no 'unsafe-inline', no hosts, no data:
    assert p["img-src"] == {"'self'", "data:"}
    assert p["object-src"] == {"'none'"}
    assert p["frame-ancestors"] == {"'none'"}
    assert p["form-action"] == {"'self'"}
    assert p["base-uri"] == {"'self'"}


def _smoke_pages(org) -> dict[str, str]:
    month = periods.previous_month(clock.this_month())
    return {
        "home": reverse("home"),
        "village dashboard": reverse("village", args=[org.a1.pk]),
        "township dashboard": reverse("township", args=[org.ta.pk]),
        "monthly report": reverse("activity:report", args=[org.a1_g1.pk, month.replace(day=1)]),
        "admin index": reverse("admin:index"),
        "admin changelist": reverse("admin:groups_partygroup_changelist"),
    }


def test_the_main_pages_carry_the_policy_and_no_inline_code(org, township_staff, login):
    client = login(township_staff)
    for name, url in _smoke_pages(org).items():
        response = client.get(url, follow=True)  # home sends each person to their dashboard
        assert response.status_code == 200, f"{name}: {response.status_code}"
        assert policy(response)["script-src"] == {"'self'"}, name
        assert not inline_code(response.content.decode()), f"{name} ({url}) has inline code"


def test_every_page_of_the_app_has_no_inline_code(a1, township_staff, login):  # noqa: F811
    """Every page of the isolation matrix, as the township's staff (who may open them all)."""
    client = login(township_staff)
    urls = [build(a1) for build in (*OBJECT_URLS.values(), *YEAR_URLS.values())] + [reverse(n) for n in LIST_URLS]
    urls += [reverse(n) for n in ("login", "password_change")]
    checked = 0
    for url in urls:
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue  # downloads, redirects
        checked += 1
        assert "Content-Security-Policy" in response, url
        assert not inline_code(response.content.decode()), (
            f"{url} has inline code: {inline_code(response.content.decode())}"
        )
    assert checked > 40


def test_every_admin_list_and_add_form_has_no_inline_code(org, superuser, login):
    """The Django admin's own templates use static JS; the app's admin additions must too."""
    client = login(superuser)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        if model_admin.has_add_permission(type("R", (), {"user": superuser})()):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert not inline_code(response.content.decode()), f"{url} has inline code"
            checked += 1
    assert checked > 20


def project_apps() -> list:
    """The project's own apps (not Django's or a library's), from INSTALLED_APPS: a new app is covered at once."""
    base = Path(settings.BASE_DIR).resolve()
    return [a for a in django_apps.get_app_configs() if Path(a.path).resolve().parent == base]


def _html_sources():
    """Every template of the project and every Python module of its apps (which build HTML with format_html)."""
    base = Path(settings.BASE_DIR)
    for path in sorted(base.glob("templates/**/*.html")):
        yield path
    for app in project_apps():
        for path in sorted(Path(app.path).rglob("*")):
            if path.suffix in (".html", ".py") and "migrations" not in path.parts:
                yield path


def test_no_template_or_python_built_html_has_inline_code():
    """Catches pages no test renders: a style="…" in a rarely used template, a handler in format_html."""
    found = {str(p): inline_code(p.read_text(encoding="utf-8")) for p in _html_sources()}
    assert not {p: code for p, code in found.items() if code}
