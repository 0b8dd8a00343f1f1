"""CSRF on every POST: no view is exempt, and a form posted without the token changes nothing."""

from __future__ import annotations

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from groups.models import FundEntry


def _callbacks(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _callbacks(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_view_is_exempt_from_csrf():
    exempt = [route for route, view in _callbacks() if getattr(view, "csrf_exempt", False)]
    assert exempt == []


def test_a_ledger_entry_posted_without_the_token_is_refused_and_saves_nothing(org, secretary_a1):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a1)
    vg = org.a1_vgs[0]
    before = FundEntry.objects.count()
    response = client.post(
        reverse("funds:entry-new", args=[vg.pk]),
        {"kind": "income", "amount": "100.00", "entry_date": "2026-01-05", "summary": "集体收入"},
    )
    assert response.status_code == 403
    assert FundEntry.objects.count() == before


def test_the_login_form_needs_the_token_too(org, secretary_a1):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "luozi", "password": "x"})
    assert response.status_code == 403
