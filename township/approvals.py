"""Grants that need a second person (三员, issue 14 item 4).

The account administrator keeps accounts and roles, but cannot make anyone — least of all an account they control —
powerful alone: a role over more than one village (township staff, county viewer) or one of the 三员, and any
permission to reveal full ID and phone numbers, become a pending `RoleRequest`. Another account administrator or the
system administrator approves it, and only then is it given. The system administrator grants directly.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.events import Action, record
from core import clock
from township.models import Assignment, RoleRequest

Role = Assignment.Role
# Roles over more than one village, or with the keys to the accounts or the audit trail.
NEEDS_SECOND_APPROVER = frozenset({Role.TOWNSHIP_STAFF, Role.COUNTY_VIEWER, Role.AUDITOR, Role.ACCOUNT_ADMIN})
REVEAL_PREFIX = "reveal_"


def grants_alone(actor) -> bool:
    return bool(actor.is_superuser)


def role_needs_approval(actor, assignment: Assignment) -> bool:
    return not grants_alone(actor) and assignment.role in NEEDS_SECOND_APPROVER


def request_role(actor, assignment: Assignment) -> RoleRequest:
    pending = RoleRequest.objects.create(
        account=assignment.user,
        kind=RoleRequest.Kind.ROLE,
        role=assignment.role,
        county=assignment.county,
        township=assignment.township,
        requested_by=actor,
    )
    record(Action.ROLE_REQUESTED, obj=assignment.user, request_id=pending.pk, role=assignment.role,
           scope=str(assignment.county or assignment.township or ""))
    return pending


def reveal_permissions(user):
    """The reveal permissions the account holds directly or through its groups."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__startswith=REVEAL_PREFIX).filter(
        pk__in=list(user.user_permissions.values_list("pk", flat=True))
        + list(Permission.objects.filter(group__user=user).values_list("pk", flat=True))
    )


def hold_back_reveal(actor, user, before: set[int]) -> list[RoleRequest]:
    """After the admin saved an account: a reveal permission newly given (directly or through a group) by someone who
    may not grant alone is taken back and becomes a pending request."""
    if grants_alone(actor):
        return []
    new = [perm for perm in reveal_permissions(user) if perm.pk not in before]
    requests = []
    for perm in new:
        user.user_permissions.remove(perm)
        user.groups.remove(*user.groups.filter(permissions=perm))
        pending = RoleRequest.objects.create(
            account=user, kind=RoleRequest.Kind.REVEAL, permission=perm, requested_by=actor
        )
        record(Action.ROLE_REQUESTED, obj=user, request_id=pending.pk, permission=perm.codename)
        requests.append(pending)
    return requests


def may_approve(actor, pending: RoleRequest) -> bool:
    if pending.status != RoleRequest.Status.PENDING:
        return False
    if actor.pk in (pending.requested_by_id, pending.account_id):
        return False
    return actor.is_superuser or actor.has_perm("accounts.manage")


@transaction.atomic
def approve(actor, pending: RoleRequest) -> None:
    pending = RoleRequest.objects.select_for_update().get(pk=pending.pk)
    if not may_approve(actor, pending):
        raise PermissionDenied
    if pending.kind == RoleRequest.Kind.ROLE:
        scope = {"county": pending.county, "township": pending.township, "village": None, "party_group": None}
        Assignment.objects.update_or_create(user=pending.account, defaults={"role": pending.role, **scope})
    else:
        pending.account.user_permissions.add(pending.permission)
    pending.status = RoleRequest.Status.APPROVED
    pending.decided_by = actor
    pending.decided_at = clock.now()
    pending.save(update_fields=["status", "decided_by", "decided_at"])
    record(Action.ROLE_APPROVED, obj=pending.account, request_id=pending.pk, requested_by=pending.requested_by.username,
           grant=str(pending))
