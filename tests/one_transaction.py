"""Issue 14 item 12: every write a request makes runs in one transaction (ATOMIC_REQUESTS stays off, see README).

`OneTransactionChecker` watches the SQL of each request served by the test client: every INSERT, UPDATE or DELETE of
business data must run inside an atomic block opened during that request, and all of them inside the same outermost
block — so a request either writes everything or nothing. Security bookkeeping that must survive a failed request
(security events, sessions, lockout counts, the admin's log, two-factor throttling) is exempt by table.

Used by tests/security/test_one_transaction.py, and over any part of the suite with CHECK_ONE_TRANSACTION=1
(tests/conftest.py), e.g. `CHECK_ONE_TRANSACTION=1 .venv/bin/pytest tests/dues`.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.core.signals import request_finished, request_started
from django.db import connection

WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
EXEMPT_PREFIXES = (
    "audit_securityevent",  # security events: kept even when the request fails
    "django_session",
    "accounts_usersession",
    "axes_",
    "django_admin_log",
    "otp_",  # django-otp's throttling counters on a wrong code
)
# Statements of other tables that are bookkeeping of the same kind: the time of a successful login (Django's
# update_last_login, on the user_logged_in signal, beside the session it goes with).
EXEMPT_STATEMENTS = (re.compile(r'^\s*UPDATE\s+"auth_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE', re.IGNORECASE),)


class OneTransactionChecker:
    def __init__(self):
        self.violations: list[str] = []
        self._baseline: int | None = None
        self._outer = None
        self._path = ""

    def started(self, sender, environ=None, **kwargs):
        self._baseline = len(connection.atomic_blocks)
        self._outer = None
        self._path = (environ or {}).get("PATH_INFO", "")

    def finished(self, sender, **kwargs):
        self._baseline = None

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql) if self._baseline is not None else None
        if (
            match
            and not match.group(2).lower().startswith(EXEMPT_PREFIXES)
            and not any(pattern.match(sql) for pattern in EXEMPT_STATEMENTS)
        ):
            blocks = connection.atomic_blocks
            if len(blocks) <= self._baseline:
                self.violations.append(f"{self._path}: outside a transaction: {sql[:100]}")
            else:
                outer = blocks[self._baseline]  # the block itself, held: an id() could be reused by the next one
                if self._outer is None:
                    self._outer = outer
                elif outer is not self._outer:
                    self.violations.append(f"{self._path}: in a second transaction: {sql[:100]}")
        return execute(sql, params, many, context)


@contextmanager
def one_transaction_per_request():
    checker = OneTransactionChecker()
    request_started.connect(checker.started, dispatch_uid="one_transaction_started")
    request_finished.connect(checker.finished, dispatch_uid="one_transaction_finished")
    try:
        with connection.execute_wrapper(checker):
            yield checker
    finally:
        request_started.disconnect(dispatch_uid="one_transaction_started")
        request_finished.disconnect(dispatch_uid="one_transaction_finished")
