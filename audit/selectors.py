"""Reading the audit trail: security events, and the data changes kept by simple-history across every model.

The data changes live in one history table per model. A page of them is one UNION ALL over the tables (only the
chosen one when an object type is picked), sorted by time and cut to the page, reading only (id, time, table); then,
for each table on the page, one query loads its rows with the previous version of each (for the old → new values)
and the related rows their names need. So a page costs a fixed number of queries, whatever the size of the tables;
pages are "newer / older" without a total, which would have to count every table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, Model, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject

from audit.masking import shown
from audit.models import SecurityEvent
from core import clock
from core.words import day_cn

CHANGE_TYPES = [("+", _("created")), ("~", _("changed")), ("-", _("deleted"))]
CHANGE_LABELS = dict(CHANGE_TYPES)
VALUE_CHARS = 80  # old and new values are cut to this length on the page


def history_models() -> dict[str, tuple[type[Model], type[Model]]]:
    """label ("members.partymember") → (model, its history model), for every model with a simple-history table."""
    found = {}
    for model in apps.get_models():
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager and not model._meta.label_lower.startswith("simple_history."):
            found[model._meta.label_lower] = (model, getattr(model, manager).model)
    return dict(sorted(found.items()))


def object_type_choices() -> list[tuple[str, str]]:
    """The object types a person can filter on: every model with a history, and accounts."""
    user_model = get_user_model()
    models = [m for m, _h in history_models().values()] + [user_model]
    choices = {m._meta.label_lower: capfirst(m._meta.verbose_name) for m in models}
    return sorted(choices.items(), key=lambda c: str(c[1]))


def day_range(start: datetime.date | None, end: datetime.date | None):
    """From the start of `start` to the end of `end` in local time, as aware datetimes (None where open)."""

    def midnight(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    return (midnight(start) if start else None, midnight(end + datetime.timedelta(days=1)) if end else None)


# --- security events ---------------------------------------------------------------------------------------------


def events_matching(filters: dict) -> QuerySet[SecurityEvent]:
    qs = SecurityEvent.objects.order_by("-at", "-pk")
    if filters.get("person"):
        qs = qs.filter(username__icontains=filters["person"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=filters["object_id"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    start, end = day_range(filters.get("date_from"), filters.get("date_to"))
    if start:
        qs = qs.filter(at__gte=start)
    if end:
        qs = qs.filter(at__lt=end)
    return qs


# --- data changes ------------------------------------------------------------------------------------------------


@dataclass
class Change:
    """One history row as the audit page shows it."""

    at: datetime.datetime
    username: str
    ip: str | None
    model: str
    object_type: str
    object_id: str
    object_repr: str
    kind: str
    reason: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return CHANGE_LABELS.get(self.kind, self.kind)


@dataclass
class ChangePage:
    changes: list[Change]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _matching_history(history, pk_name: str, filters: dict) -> QuerySet | None:
    """The history rows of one model that pass the filters (None: the object number cannot be one of its ids)."""
    qs = history.objects.order_by()
    if filters.get("person"):
        users = get_user_model().objects.filter(username__icontains=filters["person"]).values("pk")
        qs = qs.filter(history_user__in=users)
    if filters.get("object_id"):
        if not str(filters["object_id"]).isdigit():
            return None
        qs = qs.filter(**{pk_name: int(filters["object_id"])})
    if filters.get("change"):
        qs = qs.filter(history_type=filters["change"])
    start, end = day_range(filters.get("date_from"), filters.get("date_to"))
    if start:
        qs = qs.filter(history_date__gte=start)
    if end:
        qs = qs.filter(history_date__lt=end)
    return qs


def changes_page(filters: dict, number: int = 1, per_page: int = 50) -> ChangePage:
    """One page of data changes across every history table, newest first."""
    tables = history_models()
    if filters.get("object_type"):
        tables = {k: v for k, v in tables.items() if k == filters["object_type"]}
    parts = []
    for label, (model, history) in tables.items():
        qs = _matching_history(history, model._meta.pk.attname, filters)
        if qs is not None:
            parts.append(
                qs.annotate(table=Value(label, output_field=CharField())).values_list(
                    "history_id", "history_date", "table"
                )
            )
    if not parts:
        return ChangePage([], number, False)
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    offset = (number - 1) * per_page
    keys = list(combined.order_by("-history_date", "-history_id")[offset : offset + per_page + 1])
    has_next = len(keys) > per_page
    keys = keys[:per_page]
    loaded: dict[tuple[str, int], Change] = {}
    for label in {t for _i, _d, t in keys}:
        model, history = tables[label]
        ids = [i for i, _d, t in keys if t == label]
        loaded.update({(label, c_id): c for c_id, c in _load_changes(label, model, history, ids).items()})
    return ChangePage([loaded[(t, i)] for i, _d, t in keys if (t, i) in loaded], number, has_next)


def _related_paths(history) -> list[str]:
    """Forward foreign keys of the history rows, and theirs one level down: what the names of the rows read."""
    paths = []
    for f in history._meta.fields:
        if f.many_to_one and f.name not in ("history_user", "history_relation"):
            paths.append(f.name)
            paths += [f"{f.name}__{g.name}" for g in f.related_model._meta.fields if g.many_to_one]
    return paths


def _load_changes(label: str, model, history, ids: list[int]) -> dict[int, Change]:
    pk_name = model._meta.pk.attname
    related = _related_paths(history)
    previous = history.objects.filter(**{pk_name: OuterRef(pk_name)}, history_id__lt=OuterRef("history_id"))
    rows = list(
        history.objects.filter(history_id__in=ids)
        .select_related("history_user", *related)
        .annotate(previous_id=Subquery(previous.order_by("-history_id").values("history_id")[:1]))
    )
    prev_ids = [r.previous_id for r in rows if r.previous_id]
    before = history.objects.select_related(*related).in_bulk(prev_ids, field_name="history_id") if prev_ids else {}
    return {r.history_id: _change(label, model, r, before.get(r.previous_id)) for r in rows}


def _change(label: str, model, record, prev) -> Change:
    return Change(
        at=record.history_date,
        username=record.history_user.username if record.history_user_id and record.history_user else "",
        ip=record.history_ip,
        model=capfirst(model._meta.verbose_name),
        object_type=label,
        object_id=str(getattr(record, model._meta.pk.attname)),
        object_repr=_name(model, record),
        kind=record.history_type,
        reason=record.history_change_reason or "",
        fields=_field_changes(model, record, prev),
    )


def _tracked(record) -> list:
    m2m = {f.name for f in record._history_m2m_fields}
    return [f for f in record.tracked_fields if f.editable and f.name not in m2m]


def _field_changes(model, record, prev) -> list[tuple[str, str, str]]:
    """(field, old, new) for each field the change touched; for a creation, the values it was created with."""
    if record.history_type == "-":
        return []
    if prev is None:
        return [
            (_label(model, f.name), "", value_words(model, f.name, _value(record, f)))
            for f in _tracked(record)
            if _value(record, f) not in (None, "")
        ]
    delta = record.diff_against(prev, included_fields=[f.name for f in _tracked(record)], foreign_keys_are_objs=True)
    return [
        (_label(model, c.field), value_words(model, c.field, c.old), value_words(model, c.field, c.new))
        for c in delta.changes
    ]


def _value(record, f):
    return getattr(record, f.name) if f.many_to_one else getattr(record, f.attname)


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def value_words(model, name: str, value) -> str:
    """A value as words: the choice's label, yes/no, masked personal numbers, cut to VALUE_CHARS."""
    if isinstance(value, DeletedObject):  # simple-history's stand-in for an empty foreign key, or a row gone since
        value = None if value.pk is None else f"已删除的{value.model._meta.verbose_name}（{value.pk}号）"
    if value is None or value == "":
        return "—"
    f = model._meta.get_field(name)
    if f.choices:
        value = dict(f.flatchoices).get(value, value)
    elif isinstance(value, bool):
        value = _("yes") if value else _("no")
    elif isinstance(value, datetime.datetime):
        value = f"{day_cn(clock.local(value))} {clock.local(value):%H:%M}"
    elif isinstance(value, datetime.date):
        value = day_cn(value)
    text = str(shown(model, name, value))
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _name(model, record) -> str:
    """The object's own name (its __str__), from the row and the related rows loaded beside it (two levels deep,
    enough for every name in the app, so no query per row)."""
    instance = record.instance
    for f in record._meta.fields:
        if f.many_to_one and f.name not in ("history_user", "history_relation") and f.is_cached(record):
            model._meta.get_field(f.name).set_cached_value(instance, f.get_cached_value(record))
    try:
        return str(instance)[:200]
    except (AttributeError, ObjectDoesNotExist):  # a name reading a row deleted since: the type and number instead
        return f"{capfirst(model._meta.verbose_name)} #{instance.pk}"
