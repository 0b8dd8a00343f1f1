"""The address a request came from, and the request being served (for history rows written deep in services).

Behind a reverse proxy REMOTE_ADDR is the proxy; set TRUSTED_PROXY_COUNT to the number of proxies in front of the
app (nginx alone: 1) and the client address is read from X-Forwarded-For, counting from the right, so a client
cannot forge it by sending its own header.
"""

from __future__ import annotations

import contextvars

from django.conf import settings

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_current_request", default=None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    """The request this thread is serving, or None in a command or a test without a request."""
    return _current_request.get()


class RequestContextMiddleware:
    """Remembers the request for the audit trail (history rows and security events written by services)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
