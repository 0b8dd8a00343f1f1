"""帮助: what each role does each month and at year end, in Chinese, printable; linked from every page's menu."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from township.models import Assignment
from township.scoping import role_of

Role = Assignment.Role
ROLE_ORDER = [Role.BRANCH_SECRETARY, Role.GROUP_LEADER, Role.TOWNSHIP_STAFF, Role.COUNTY_VIEWER, Role.AUDITOR,
              Role.ACCOUNT_ADMIN]


@login_required
def help_page(request):
    """The help of one's own role first; `?role=` shows another role's (the work of others is no secret)."""
    own = role_of(request.user)
    asked = request.GET.get("role")
    role = asked if asked in Role.values else (own or Role.BRANCH_SECRETARY)
    return render(
        request,
        "dashboards/help.html",
        {
            "role": role,
            "role_label": Role(role).label,
            "own": own,
            "others": [(r.value, r.label) for r in ROLE_ORDER if r != role],
        },
    )
