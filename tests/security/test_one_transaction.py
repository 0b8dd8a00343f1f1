"""Issue 14 item 12: ATOMIC_REQUESTS stays off (security events and lockout counts must survive a request that fails,
and a savepoint per request would blur every query-count pin); instead each write view runs its writes in one
transaction — `submit_once` or an atomic service — and this is checked by watching the SQL of real requests
(tests/one_transaction.py): here for write views of every room, and over any part of the suite with
CHECK_ONE_TRANSACTION=1."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from audit.models import SecurityEvent
from tests.one_transaction import one_transaction_per_request
from township.models import Village


def _view_writing_twice(request):
    Village.objects.filter(pk=request.village_pk).update(branch_name="一")
    Village.objects.filter(pk=request.village_pk).update(branch_name="二")
    return HttpResponse("ok")


def _serve(view, village):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request = RequestFactory().post("/x/")
    request.village_pk = village.pk
    # as the test client does: the test's connection is not closed at the request's edges
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None, environ={"PATH_INFO": "/x/"})
        try:
            return view(request)
        finally:
            request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_checker_catches_writes_outside_one_transaction(org):
    with one_transaction_per_request() as checker:
        _serve(_view_writing_twice, org.a1)
    assert len(checker.violations) == 2 and "outside a transaction" in checker.violations[0]

    def two_transactions(request):
        with transaction.atomic():
            Village.objects.filter(pk=request.village_pk).update(branch_name="一")
        with transaction.atomic():
            Village.objects.filter(pk=request.village_pk).update(branch_name="二")
        return HttpResponse("ok")

    with one_transaction_per_request() as checker:
        _serve(two_transactions, org.a1)
    assert len(checker.violations) == 1 and "second transaction" in checker.violations[0]

    with one_transaction_per_request() as checker:
        _serve(transaction.atomic(_view_writing_twice), org.a1)
        SecurityEvent.objects.create(action=SecurityEvent.Action.LOGIN)  # exempt bookkeeping, and outside a request
    assert checker.violations == []

