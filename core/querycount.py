"""The benchmark's view into the server: an `X-Query-Count` header with the number of SQL statements a request ran.

Only for `make bench`. It is switched on by the environment of the server process (BENCH_COUNT_QUERIES=1, read once
into settings at start-up); nothing in a request can switch it on, and when it is off Django drops the middleware
at start-up (MiddlewareNotUsed), so it costs nothing in production.
"""

from __future__ import annotations

from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

HEADER = "X-Query-Count"


class QueryCountMiddleware:
    """Count every statement run on any database connection while the request is handled (sessions and auth
    included, so it sits first in MIDDLEWARE). A streamed download's queries run before its body is sent."""

    def __init__(self, get_response):
        if not getattr(settings, "BENCH_COUNT_QUERIES", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
