"""Every model form lists the fields it accepts: a form with `fields = "__all__"` or `exclude` takes any field a
later migration adds (a status, an owner, a village) from whoever posts it, without anyone deciding so."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms
from django.contrib import admin

from tests.deploy.test_csp import project_apps

APPS = tuple(app.name for app in project_apps())


def import_every_module() -> None:
    """Import every module of the apps (migrations aside), so that every form class exists."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" not in info.name:
                importlib.import_module(info.name)


def subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | subclasses(sub)
    return found


def project_model_forms() -> list[type]:
    import_every_module()
    return [f for f in subclasses(forms.ModelForm) if f.__module__.split(".")[0] in APPS]


def test_the_scan_finds_the_apps_model_forms():
    names = {f.__name__ for f in project_model_forms()}
    assert {"PartyMemberForm", "ActivityForm", "ProjectForm"} <= names


def test_no_model_form_accepts_all_fields_or_a_denylist():
    loose = []
    for form in project_model_forms():
        meta = getattr(form, "Meta", None)
        if meta is None:
            continue
        if getattr(meta, "fields", None) == forms.ALL_FIELDS or getattr(meta, "exclude", None) is not None:
            loose.append(f"{form.__module__}.{form.__qualname__}")
    assert not loose, f"list the fields explicitly in: {loose}"


def test_no_admin_declares_a_denylist():
    """An admin's `exclude` likewise lets new fields in unseen; admins list `fields` or `fieldsets` instead."""
    import_every_module()
    loose = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if type(model_admin).__module__.split(".")[0] in APPS
        and (model_admin.exclude is not None or model_admin.fields == forms.ALL_FIELDS)
    ]
    assert not loose, loose
