"""A read every request makes, compiled to SQL once per database connection instead of once per request.

Every signed-in request reads the person (with their role and reach: `township.backends`) before anything else. The
ORM builds that statement afresh each time (a five-table join: ~0.5 ms of Python, twice the time the database takes
to answer it) although only the id changes. `PreparedRead` asks the ORM once per connection for the statement and for
how its rows become objects, then only runs it: the same SQL (so PostgreSQL's own prepared statement keeps serving
it), the same objects, filled by Django's own code for each row (`Model.from_db` and the related populators of
`select_related`), through Django's cursor (so query counting and logging see it as before).

Only for a read of one row by a unique field whose query never changes but for that field's value: the queryset is
made once per connection, so nothing in it may depend on the request, the time or the language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models.query import get_related_populators


@dataclass
class _Compiled:
    sql: str
    params: list
    at: int  # where the looked-up value goes in params
    compiler: Any
    converters: list
    init_list: list[str]
    start: int
    end: int
    populators: list


class PreparedRead:
    """`PreparedRead(model, lambda rows: rows.select_related(…), field="pk").get(value)`: the one row whose `field`
    (unique, an integer) equals `value`, as `shape(model.objects.all()).filter(field=value).first()` would give it,
    or None."""

    MARKER = -918_273_645  # stands for the value while the statement is compiled

    def __init__(self, model: type[models.Model], shape: Callable[[models.QuerySet], models.QuerySet], *, field="pk"):
        self.model, self.shape = model, shape
        self.field = model._meta.pk if field == "pk" else model._meta.get_field(field)
        if not (self.field.primary_key or self.field.unique):
            raise ValueError(f"PreparedRead reads one row: {field} must be unique")
        if not isinstance(self.field, models.IntegerField):
            raise ValueError(f"PreparedRead reads by an integer: {field} is not one")
        self.lookup = field

    def get(self, value) -> models.Model | None:
        alias = router.db_for_read(self.model) or "default"
        connection = connections[alias]
        kept = connection.__dict__.setdefault("_prepared_reads", {})  # one per connection, so per thread
        compiled = kept.get(self)
        if compiled is None:
            compiled = kept[self] = self._compile(alias)
        params = list(compiled.params)
        params[compiled.at] = self.field.get_db_prep_value(self.field.to_python(value), connection, prepared=False)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:  # cannot happen on a unique field; refuse rather than pick one
            raise self.model.MultipleObjectsReturned(f"PreparedRead of {self.model._meta.label}: two rows")
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        row = rows[0]
        obj = self.model.from_db(alias, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        rows = self.shape(self.model._default_manager.using(alias).all()).filter(**{self.lookup: self.MARKER})
        compiler = rows.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        marker = self.field.get_db_prep_value(self.MARKER, connection, prepared=False)
        at = [i for i, p in enumerate(params) if p == marker]
        if len(at) != 1:
            raise ValueError(f"PreparedRead of {self.model._meta.label}: the value must appear once in the statement")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Compiled(
            sql=sql,
            params=list(params),
            at=at[0],
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[0 : compiler.col_count]]),
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, alias),
        )
