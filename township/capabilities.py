"""The one table of who may do what: each capability names the roles that hold it, and every check is made against
a place (a village, a township, a county, a party group) that must also be in the person's reach.

Views, templates, the admin, forms and the services all ask the same question through Django's permission API, which
django-rules answers from this table: `user.has_perm("ledger.write", village)` (in templates `{% has_perm … %}`
from `rules`), or `require(user, "ledger.write", village)` in a service, which raises PermissionDenied. Asked with
no place (`user.has_perm("ledger.write")`), a capability says whether the person's role holds it at all: for menus
and landing pages. A superuser (the system administrator) holds every capability, as Django's permission API gives.

Reach is decided in `township.scoping`; this module only adds who may do what inside it. Outside the reach a view
answers 404 (it fetches the object through the scope first); inside the reach without the capability, 403.

Adding a capability: add a row to CAPABILITIES, check it where the action happens (the service, and the view that
offers the action), and add its row to the expected table in `tests/test_capabilities.py`.
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied

from township.models import Assignment
from township.scoping import assignment_of, in_reach

Role = Assignment.Role
STAFF, SECRETARY, LEADER, COUNTY = Role.TOWNSHIP_STAFF, Role.BRANCH_SECRETARY, Role.GROUP_LEADER, Role.COUNTY_VIEWER
AUDITOR, ACCOUNT_ADMIN = Role.AUDITOR, Role.ACCOUNT_ADMIN

# What a group leader's capability reaches: every place of their village (None), or only their own party group and
# only where the branch lets leaders enter their month ("report"), or their own party group ("own_group").
OWN_GROUP, OWN_GROUP_REPORTING = "own_group", "own_group_reporting"


def _roles(*roles, leader: str | None = None) -> dict:
    return {"roles": frozenset(roles), "leader": leader}


# capability: the roles holding it (inside their reach), and how far a group leader's reaches.
CAPABILITIES: dict[str, dict] = {
    # the dashboards of a village branch, a township, a county (a group leader's home is their group's month)
    "village.read": _roles(STAFF, SECRETARY, COUNTY),
    "township.read": _roles(STAFF, COUNTY),
    "county.read": _roles(COUNTY),
    # party members: the roster (read, download), the import; full ID and phone numbers need the permission below too
    "members.read": _roles(STAFF, SECRETARY, COUNTY),
    "members.write": _roles(STAFF, SECRETARY),
    "members.reveal": _roles(STAFF, SECRETARY, COUNTY),
    # party groups, their posts, coverage and leader elections
    "groups.read": _roles(STAFF, SECRETARY, LEADER, COUNTY, leader=OWN_GROUP),
    "groups.write": _roles(STAFF, SECRETARY),
    # the monthly reports and their activities; closing and reopening a month
    "reports.read": _roles(STAFF, SECRETARY, LEADER, COUNTY, leader=OWN_GROUP),
    "reports.write": _roles(STAFF, SECRETARY, LEADER, leader=OWN_GROUP_REPORTING),
    "reports.close": _roles(STAFF, SECRETARY),
    # 党情民意 — concerns
    "concerns.read": _roles(STAFF, SECRETARY, LEADER, COUNTY),
    "concerns.write": _roles(STAFF, SECRETARY),
    # the villager groups' collective-fund ledgers and meeting decisions
    "ledger.read": _roles(STAFF, SECRETARY, LEADER, COUNTY),
    "ledger.write": _roles(STAFF, SECRETARY),
    # collective projects
    "projects.read": _roles(STAFF, SECRETARY, LEADER, COUNTY),
    "projects.write": _roles(STAFF, SECRETARY),
    # 党费 — dues: the book, assessments and payments, the branch's remittance (read and write); the township's
    # side of a remittance (received)
    "dues.read": _roles(STAFF, SECRETARY, COUNTY),
    "dues.write": _roles(STAFF, SECRETARY),
    "dues.receive": _roles(STAFF),
    # 组织生活: meetings and attendance (read, record); the township's frequencies and monthly theme
    "orglife.read": _roles(STAFF, SECRETARY, COUNTY),
    "orglife.write": _roles(STAFF, SECRETARY),
    "orglife.settings": _roles(STAFF),
    # a party group's 党小组会 with attendance, the same meeting as in its monthly report: whoever enters the group's
    # report (a group leader for their own group, where the branch lets leaders enter their month)
    "orglife.group_meeting": _roles(STAFF, SECRETARY, LEADER, leader=OWN_GROUP_REPORTING),
    # the township committee's contact points and visits (联系点): the committee writes, a branch reads its own
    "visits.read": _roles(STAFF, SECRETARY, COUNTY),
    "visits.write": _roles(STAFF),
    # posts for members without office (无职党员设岗定责), their holders and what they did in them
    "posts.read": _roles(STAFF, SECRETARY, COUNTY),
    "posts.write": _roles(STAFF, SECRETARY),
    # a party-group leader collects the dues of their own group's members (the branch records for every member)
    "dues.collect": _roles(STAFF, SECRETARY, LEADER, leader=OWN_GROUP),
    # the township's dues settings: the farmers' monthly amount, collection frequency, remittance day (dated changes)
    "dues.settings": _roles(STAFF),
    # appraisal: scores, spot checks, branch appraisal (the township); 民主评议 grades (the branch or the township)
    "scores.read": _roles(STAFF, SECRETARY, COUNTY),
    "scores.write": _roles(STAFF),
    "reviews.write": _roles(STAFF, SECRETARY),
    # awards: the ranking and nominations (branch and township), the decision (township), the award report
    "awards.read": _roles(STAFF, SECRETARY, COUNTY),
    "awards.nominate": _roles(STAFF, SECRETARY),
    "awards.decide": _roles(STAFF),
    "awards.report": _roles(STAFF, COUNTY),
    # 三员: accounts and roles (the account administrator), the audit trail (the security auditor)
    "accounts.manage": _roles(ACCOUNT_ADMIN),
    "audit.read": _roles(AUDITOR),
    # the Django admin: who may enter, read its pages, change records there
    "admin.enter": _roles(STAFF, COUNTY, ACCOUNT_ADMIN),
    "admin.view": _roles(STAFF, COUNTY),
    "admin.change": _roles(STAFF),
}

def _label(target) -> str:
    return target._meta.label if hasattr(target, "_meta") else ""


def _leader_may(user, target, scope: str | None) -> bool:
    """How far a group leader's capability reaches: their own party group only (and for reports only where the
    branch lets leaders enter their month)."""
    if scope is None or target is None:
        return True
    if _label(target) != "groups.PartyGroup" or target.pk != assignment_of(user).party_group_id:
        return False
    return scope != OWN_GROUP_REPORTING or target.village.leaders_may_report


def holds(user, capability: str, target=None) -> bool:
    """The table's answer (the superuser is answered by Django before it gets here)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    entry = CAPABILITIES[capability]
    a = assignment_of(user)
    if a is None or a.role not in entry["roles"]:
        return False
    if a.role == LEADER and not _leader_may(user, target, entry["leader"]):
        return False
    if capability == "members.reveal" and not user.has_perm("members.reveal_personal_data"):
        return False
    if target is None:
        return True
    above_villages = _label(target) != "township.Village" and getattr(target, "village_id", None) is None
    if a.role in {SECRETARY, LEADER} and capability in WRITES and above_villages:
        return False  # a branch reads its township's pages (a year, say) but changes only what is its village's
    return in_reach(user, target)


# The capabilities that change business data (county viewers and the 三员 hold none of them).
WRITES = frozenset(
    {
        "members.write",
        "groups.write",
        "reports.write",
        "reports.close",
        "concerns.write",
        "ledger.write",
        "projects.write",
        "dues.write",
        "dues.receive",
        "orglife.write",
        "orglife.settings",
        "orglife.group_meeting",
        "visits.write",
        "posts.write",
        "dues.collect",
        "dues.settings",
        "scores.write",
        "reviews.write",
        "awards.nominate",
        "awards.decide",
        "admin.change",
    }
)


def _predicate(capability: str):
    @rules.predicate(name=capability)
    def check(user, target=None) -> bool:
        return holds(user, capability, target)

    return check


for _name in CAPABILITIES:
    rules.add_perm(_name, _predicate(_name))


def capabilities_of(user, target=None) -> set[str]:
    """Every capability the user holds at a place (or at all): for menus, landing pages and the tests."""
    return {name for name in CAPABILITIES if user.has_perm(name, target)}


def writes_anything(user) -> bool:
    """Whether the user may change any business data at all (not county viewers, the 三员, inactive accounts)."""
    return any(user.has_perm(name) for name in WRITES)


def require(user, capability: str, target=None) -> None:
    """In a service: refuse (PermissionDenied) a person without the capability at this place. `user=None` is a system
    action (a management command, the demo builder), which the operator runs on the server and is allowed."""
    if user is None:
        return
    if not user.has_perm(capability, target):
        raise PermissionDenied


def may_change_account(actor, account) -> bool:
    """The account administrator changes other people's accounts and roles, never their own (which would let them
    give themselves business data) and never a system administrator's; the system administrator changes any."""
    if not actor.has_perm("accounts.manage"):
        return False
    if actor.is_superuser or account is None:
        return True
    return account.pk != actor.pk and not account.is_superuser


# Roles that see personal data of more than one village, or keep the accounts and the audit trail: their login always
# takes the second factor (accounts.otp). Branch secretaries and group leaders take it when their township says so.
SECOND_FACTOR_ROLES = frozenset({STAFF, COUNTY, AUDITOR, ACCOUNT_ADMIN})


def second_factor_required(user) -> bool:
    a = assignment_of(user)
    if a is None:
        return False
    if a.role in SECOND_FACTOR_ROLES:
        return True
    village = a.village if a.role == SECRETARY else (a.party_group.village if a.party_group_id else None)
    return bool(village is not None and village.township.secretaries_need_second_factor)


# Accounts whose credentials (password, recovery codes, phone app) only the system administrator resets: the other
# two of the 三员 keep each other honest, so the account administrator cannot take over the auditor's account (or
# another administrator's) by resetting its password.
PROTECTED_CREDENTIALS = frozenset({AUDITOR, ACCOUNT_ADMIN})


def may_reset_credentials(actor, account) -> bool:
    if not may_change_account(actor, account):
        return False
    if actor.is_superuser:
        return True
    a = assignment_of(account) if account is not None else None
    return a is None or a.role not in PROTECTED_CREDENTIALS
