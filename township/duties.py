"""三员 — separation of duties (等保 8.1.4.2): the security auditor reads the audit trail, the account administrator
keeps accounts and roles, and neither of them sees or changes business data.

`township.scoping` already gives both roles no village and no township; the middleware here closes every other door:
for them any page outside a short allow-list answers 404, so a business page added later is closed by default.
"""

from __future__ import annotations

from django.http import Http404

from township.scoping import Role, role_of

# Pages every signed-in person needs: the landing page and everything under /accounts/ (log in and out, password,
# two-factor set-up).
OPEN_URL_NAMES = frozenset({"home", "help", "login", "logout", "password_change", "password_change_done"})
OPEN_PATH_PREFIXES = ("/accounts/",)
# What each role works in, by URL namespace.
ROLE_NAMESPACES = {Role.AUDITOR: frozenset({"audit"}), Role.ACCOUNT_ADMIN: frozenset({"admin"})}


def duty_role(user) -> str | None:
    """AUDITOR or ACCOUNT_ADMIN for a person in one of the two roles (a superuser never is), else None."""
    if getattr(user, "is_superuser", False):
        return None
    role = role_of(user)
    return role if role in ROLE_NAMESPACES else None


def is_open_to(role: str, request) -> bool:
    match = request.resolver_match
    if request.path_info.startswith(OPEN_PATH_PREFIXES):
        return True
    if match is None:
        return False
    if not match.namespaces and match.url_name in OPEN_URL_NAMES:
        return True
    return bool(set(match.namespaces) & ROLE_NAMESPACES[role])


class SeparationOfDutiesMiddleware:
    """Answers 404 to the auditor and the account administrator on every page that is not theirs, and keeps the
    attempt as an ACCESS_DENIED event. Sits after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        role = duty_role(user)
        request.duty_role = role or ""
        if role is None or is_open_to(role, request):
            return None
        from audit.events import Action, record

        record(Action.ACCESS_DENIED, request=request, reason="separation_of_duties", role=role)
        raise Http404
