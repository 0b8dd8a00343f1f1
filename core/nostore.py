"""`Cache-Control: no-store` on every page a signed-in person is served (issue 14 item 9; 等保 8.1.4.8 剩余信息保护,
ASVS V8.2.1): rosters, ID and phone numbers, ledgers and their Excel downloads must not stay in a shared office
computer's browser cache or a proxy's after logging out. Static files (no personal data) stay cacheable."""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500:
            # An error page is never kept, and its user is not asked for: when the database is out of reach the user
            # could not be loaded, and asking again would wait a second connection timeout for the same answer.
            add_never_cache_headers(response)
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path_info.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private, max-age=0
        return response
