"""A PostgreSQL read replica for the county's read-only pages, used only when REPLICA_DATABASE_URL is set.

Without it (the default, `make run`, the tests) nothing here is installed: every query goes to `default`, as before.
With it, settings add a `replica` database alias, `ReplicaRouter` to DATABASE_ROUTERS and
`ReadOnlyPagesOnReplicaMiddleware` to MIDDLEWARE. While one of REPLICA_VIEWS answers a GET or HEAD, the reads of the
business data (REPLICA_APPS: the org tree, members, groups, reports, appraisal, dues, organisational life) go to the
replica; everything else stays on the primary: every write, every POST, the session, the signed-in user and their
two-factor device, the lock-out counters and the audit trail (a login just made on the primary must not look absent
because the replica lags a second behind). Migrations never run on the replica: it copies the primary.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
# The county's overview pages: read-only, the widest aggregates, a second or two of replication lag harmless.
REPLICA_VIEWS = frozenset({"county", "awards:county", "orglife:county"})
REPLICA_APPS = frozenset({"township", "groups", "members", "activity", "appraisal", "dues", "orglife"})
# Who may see what is read on the primary: a role taken away a moment ago must not be honoured by a lagging copy.
PRIMARY_ONLY_MODELS = frozenset({"township.assignment", "township.rolerequest"})

_on_replica: ContextVar[bool] = ContextVar("reads_on_replica", default=False)


class ReplicaRouter:
    """Reads of the business data go to `replica` while a read-only county page is being served; nothing else."""

    def db_for_read(self, model, **hints):
        meta = model._meta
        if (
            _on_replica.get()
            and meta.app_label in REPLICA_APPS
            and meta.label_lower not in PRIMARY_ONLY_MODELS
            and REPLICA in settings.DATABASES
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None  # the primary (default)

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read there may point at one read from default.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


class ReadOnlyPagesOnReplicaMiddleware:
    """Marks the serving of a GET/HEAD of one of REPLICA_VIEWS, for the router; the mark ends with the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _on_replica.set(False)
        try:
            return self.get_response(request)
        finally:
            _on_replica.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method in ("GET", "HEAD") and match is not None and match.view_name in REPLICA_VIEWS:
            _on_replica.set(True)
        return None
