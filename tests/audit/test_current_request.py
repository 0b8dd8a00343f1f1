"""The request the audit trail reads its address from is the one django-simple-history's middleware keeps: seen by
the code serving it, in that thread or async task only, and by nothing once it is answered or outside a request."""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import sync_to_async
from django.http import HttpResponse
from django.test import RequestFactory
from simple_history.middleware import HistoryRequestMiddleware

from audit.addresses import current_request


def test_the_request_is_seen_while_it_is_served_and_not_in_another_thread():
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")
    seen = {}

    def view(req):
        seen["here"] = current_request()
        other = threading.Thread(target=lambda: seen.__setitem__("other thread", current_request()))
        other.start()
        other.join()
        return HttpResponse()

    HistoryRequestMiddleware(view)(request)
    assert seen == {"here": request, "other thread": None}
    assert current_request() is None  # answered: forgotten


def test_outside_a_request_there_is_none():
    assert current_request() is None


def test_concurrent_async_requests_each_see_their_own():
    factory = RequestFactory()

    async def view(req):
        await asyncio.sleep(0.01)  # let the other request start meanwhile
        # a sync service called from the async view (as Django runs sync code) sees the same request
        return HttpResponse(req is await sync_to_async(current_request)() and req is current_request())

    middleware = HistoryRequestMiddleware(view)

    async def both():
        return await asyncio.gather(*(middleware(factory.get(f"/{n}")) for n in range(2)))

    # A fresh thread has no event loop of its own: the browser tests' Playwright may leave one running in this one.
    answers = []
    runner = threading.Thread(target=lambda: answers.extend(asyncio.run(both())))
    runner.start()
    runner.join()
    assert [r.content for r in answers] == [b"True", b"True"]
    assert current_request() is None
