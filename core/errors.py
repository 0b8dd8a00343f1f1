"""Chinese 403, 404 and 500 pages with DEBUG on too (`make run`), not Django's English technical pages.

With DEBUG off Django already answers with templates/403.html, 404.html and 500.html. With DEBUG on it answers a
missing page, a refusal or an error with its technical page, in English, for developers; but `make run` is also where
township staff try the demo. This middleware, outermost but for the security headers, swaps a technical page for the
Chinese one. Developers lose nothing: Django has already logged the 404 ("Not Found: /path") and the error with its
traceback on the console before the response reaches here.
"""
from __future__ import annotations

from django.conf import settings
from django.views import defaults

TECHNICAL_MARK = b'<html lang="en">'  # Django's technical pages; the app's own pages are lang="zh-Hans"
PAGES = {
    403: lambda request: defaults.permission_denied(request, None),
    404: lambda request: defaults.page_not_found(request, None),
    500: lambda request: defaults.server_error(request),
}


class ChineseErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code in PAGES
            and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and TECHNICAL_MARK in response.content[:400]
        ):
            return PAGES[response.status_code](request)
        return response
