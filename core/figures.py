"""The figures of the county's read-only overview pages, computed at most once a minute for the same reach.

A county's overview and its organisational-life table add up a whole county (~5,000 members, ~18,000 meetings a year
at province scale): 70 and 27 ms of SQL each time, for people who only read them. These pages may already be served
from a replica a moment behind the primary (config/replica.py), so a figure a minute old is what they promise; the
page says when its figures were counted ("统计于 10:42，每分钟更新"). Pages where people act (a branch's or a
township's dashboard and to-do list) are never kept: each request counts afresh.

Kept in Django's database cache (the `figures` cache: one table every app server shares, made by
`create_cache_table` after every migrate) under the page, its arguments, the day and the exact set of villages the
reader may see: two readers share figures only when they see the same villages, so nothing counted for one
person's reach is shown to another. COUNTY_FIGURES_SECONDS sets the minute; 0 computes every time (the tests'
default, but for the tests of this)."""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import get_language

from core import clock

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Counted:
    """When a page's figures were counted, and every how many seconds they are counted afresh (0: every request)."""

    at: datetime.datetime
    every: int

    @property
    def note(self) -> str:
        """What the page says: 统计于 10:42，每分钟更新 (the time in Beijing)."""
        text = f"统计于 {clock.local(self.at):%H:%M}"
        if self.every <= 0:
            return text
        if self.every % 60:
            return f"{text}，每{self.every}秒更新"
        minutes = self.every // 60
        return f"{text}，每{'' if minutes == 1 else minutes}分钟更新"


def kept_rendered(
    page: str, village_ids: Iterable[int], compute: Callable[[], T], render: Callable[[T], R]
) -> tuple[T, Counted, R]:
    """`compute()`'s figures, when they were counted, and the page's parts rendered from them (`render(figures)`):
    the ones kept for this page (a name with its arguments and the day), this language and these villages if younger
    than COUNTY_FIGURES_SECONDS, else counted and rendered now and kept, all three in one entry, so they are always of
    one counting. The parts are HTML holding nothing of the person's but what the reach already keys (no form token,
    no rights): a county's table of twenty townships and its twelve-month grids took longer to render than to read."""
    seconds = settings.COUNTY_FIGURES_SECONDS

    def count() -> tuple[T, Counted, R]:
        figures = compute()
        return figures, Counted(timezone.now(), max(seconds, 0)), render(figures)

    if seconds <= 0:
        return count()
    return kept(f"figures:{page}:{get_language()}:{_reach(village_ids)}", seconds, count)


def _reach(village_ids: Iterable[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(village_ids))).encode()).hexdigest()


_MISSING = object()


# What does not change what a page shows: left out of the release's fingerprint.
NOT_RELEASED = frozenset({".git", ".venv", "node_modules", "staticfiles", "media", "tests", "bench", "docs"})


@functools.cache
def release() -> str:
    """A fingerprint of this release: the code, the templates and the compiled translations under BASE_DIR, by content
    (two app servers of one release agree). Every kept key starts with it, so a new release never shows what the last
    one kept (a list drawn with the old template kept until its village changes) and nobody has to remember to say
    so; ~10 ms, once per process."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in NOT_RELEASED and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", ".html", ".mo")):
                path = Path(root, name)
                digest.update(f"{path.relative_to(base).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def kept(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """`compute()`'s result kept `seconds` in the `figures` cache every app server shares, under `key`, which must
    name everything the result depends on (the county's minute above; a village's change count, township/changes.py);
    this release's fingerprint is added to it."""
    key = f"{release()}:{key}"
    store = caches["figures"]
    value = store.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        store.set(key, value, seconds)
    return value


def create_cache_table(sender, using: str = "default", verbosity: int = 1, **kwargs) -> None:
    """After every migrate (each app's post_migrate: the first makes it, before the groups app grants the app's role
    its rights on every table; the rest find it there): the figures' table, if it is not there yet."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)  # every database cache in CACHES: `figures`
