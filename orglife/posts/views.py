"""Posts for members without office (无职党员设岗定责): the branch's posts and holders, one post's history and
assigning a member, ending a term, a member's posts and what they did in them, crediting an activity.

Objects come through the person's reach (`get_visible_or_404`: another village's answer 404); inside the reach,
reading needs `posts.read` and writing `posts.write` (403 otherwise).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activity.concerns.forms import add_service_errors
from audit.submissions import Result, repeat_safe, submit_once
from core import clock
from core.words import day_cn
from members.models import PartyMember
from orglife.posts.forms import AssignForm, CreditForm, EndForm, PostForm
from orglife.posts.models import DutyAssignment, DutyCredit, DutyPost
from orglife.posts.services import (
    assignment_end,
    creditable_activities,
    duty_credit,
    offices_of,
    post_assign,
    post_define,
)
from township.models import Village
from township.scoping import get_visible_or_404


def _require(user, capability: str, place) -> None:
    if not user.has_perm(capability, place):
        raise PermissionDenied


@login_required
@repeat_safe
def village_posts(request, pk: int):
    """The branch's posts with their holders today (members holding an office flagged); defining a new post."""
    village = get_visible_or_404(Village, request.user, pk=pk, shape=lambda qs: qs.select_related("township"))
    _require(request.user, "posts.read", village)
    may_write = request.user.has_perm("posts.write", village)
    form = None
    if may_write:
        if request.method == "POST":
            form = PostForm(request.POST, village=village)
            if form.is_valid():

                def save() -> Result:
                    post = post_define(village=village, acting_user=request.user, **form.cleaned_data)
                    return Result(reverse("orglife:post-detail", args=[post.pk]), f"已设岗：{post.title}。")

                try:
                    return submit_once(request, save, check_url=reverse("orglife:post-village", args=[village.pk]))
                except ValidationError as exc:
                    add_service_errors(form, exc)
        else:
            form = PostForm(village=village)
    elif request.method == "POST":
        raise PermissionDenied
    today = clock.today()
    current = DutyAssignment.objects.on(today).select_related("member").order_by("member__name")
    posts = list(
        DutyPost.objects.filter(village=village)
        .select_related("villager_group")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="holders"))
    )
    offices = offices_of({a.member for p in posts for a in p.holders}, today)
    for p in posts:
        for a in p.holders:
            a.offices = offices.get(a.member_id, [])
    return render(
        request,
        "orglife/posts/village.html",
        {"village": village, "posts": posts, "form": form, "may_write": may_write},
    )


def _post_page(request, post: DutyPost, form, end_forms=None):
    today = clock.today()
    assignments = list(post.assignments.select_related("member").order_by("-started_on", "member__name"))
    offices = offices_of({a.member for a in assignments}, today)
    end_forms = end_forms or {}
    rows = [
        (
            a,
            offices.get(a.member_id, []),
            end_forms.get(a.pk) or EndForm(prefix=f"e{a.pk}", initial={"ended_on": today}),
        )
        for a in assignments
    ]
    return render(
        request,
        "orglife/posts/post.html",
        {"post": post, "rows": rows, "form": form, "may_write": request.user.has_perm("posts.write", post.village)},
    )


def _assign_form(post: DutyPost, data=None) -> AssignForm:
    members = PartyMember.objects.filter(village_id=post.village_id).in_party_on().order_by("name", "pk")
    return AssignForm(data, members=members)


@login_required
@repeat_safe
def post_detail(request, pk: int):
    """A post: who held it when; putting a member on it."""
    post = get_visible_or_404(
        DutyPost, request.user, pk=pk, shape=lambda qs: qs.select_related("village", "villager_group")
    )
    _require(request.user, "posts.read", post.village)
    form = None
    if request.user.has_perm("posts.write", post.village):
        if request.method == "POST":
            form = _assign_form(post, request.POST)
            if form.is_valid():

                def save() -> Result:
                    a = post_assign(post=post, acting_user=request.user, **form.cleaned_data)
                    flag = offices_of([a.member], a.started_on)[a.member_id]
                    note = f"（注意：{a.member.name}担任{'、'.join(flag)}，设岗定责一般安排无职党员）" if flag else ""
                    return Result(
                        reverse("orglife:post-detail", args=[post.pk]),
                        f"{a.member.name}自{day_cn(a.started_on)}上岗{note}。",
                    )

                try:
                    return submit_once(request, save, check_url=reverse("orglife:post-detail", args=[post.pk]))
                except ValidationError as exc:
                    add_service_errors(form, exc)
        else:
            form = _assign_form(post)
    elif request.method == "POST":
        raise PermissionDenied
    return _post_page(request, post, form)


@login_required
@require_POST
@repeat_safe
def end(request, pk: int):
    assignment = get_visible_or_404(
        DutyAssignment, request.user, pk=pk, shape=lambda qs: qs.select_related("post__village", "member")
    )
    post = assignment.post
    _require(request.user, "posts.write", post.village)
    form = EndForm(request.POST, prefix=f"e{assignment.pk}")
    if form.is_valid():

        def save() -> Result:
            assignment_end(assignment=assignment, acting_user=request.user, **form.cleaned_data)
            return Result(reverse("orglife:post-detail", args=[post.pk]), f"{assignment.member.name}已离岗。")

        try:
            return submit_once(request, save, check_url=reverse("orglife:post-detail", args=[post.pk]))
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _post_page(request, post, _assign_form(post), {assignment.pk: form})


def _member_page(request, member: PartyMember, bound=None):
    may_write = request.user.has_perm("posts.write", member)
    credits = DutyCredit.objects.select_related("activity__report__party_group").order_by("activity__held_on", "pk")
    assignments = list(
        DutyAssignment.objects.filter(member=member)
        .select_related("post")
        .prefetch_related(Prefetch("credits", queryset=credits, to_attr="done"))
        .order_by("-started_on")
    )
    bound = bound or {}
    rows = []
    for a in assignments:
        form = None
        if may_write:
            form = bound.get(a.pk) or CreditForm(prefix=f"c{a.pk}", activities=creditable_activities(a))
        rows.append((a, form))
    offices = offices_of([member], clock.today())[member.pk]
    return render(
        request,
        "orglife/posts/member.html",
        {"member": member, "rows": rows, "offices": offices, "may_write": may_write},
    )


@login_required
def member_posts(request, pk: int):
    """A member's posts and what they did in each (the activities credited to it)."""
    member = get_visible_or_404(PartyMember, request.user, pk=pk, shape=lambda qs: qs.select_related("village"))
    _require(request.user, "posts.read", member)
    return _member_page(request, member)


@login_required
@require_POST
@repeat_safe
def credit(request, pk: int):
    assignment = get_visible_or_404(
        DutyAssignment, request.user, pk=pk, shape=lambda qs: qs.select_related("post__village", "member__village")
    )
    _require(request.user, "posts.write", assignment.post.village)
    form = CreditForm(request.POST, prefix=f"c{assignment.pk}", activities=creditable_activities(assignment))
    member = assignment.member
    if form.is_valid():

        def save() -> Result:
            duty_credit(assignment=assignment, acting_user=request.user, **form.cleaned_data)
            return Result(reverse("orglife:post-member", args=[member.pk]), "已记入岗位履职。")

        try:
            return submit_once(request, save, check_url=reverse("orglife:post-member", args=[member.pk]))
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _member_page(request, member, {assignment.pk: form})
