"""Standing pages: a branch's members and their standing (counts on a day, overdue probations, 不合格 handling,
members working away), one member's history with the forms that change it, and the township's overview.

Every object is fetched through the person's reach (404 outside it); reading needs members.read, changing
members.write (403 inside the reach without it); the services check the capability again.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.events import Action, record
from audit.submissions import Result, repeat_safe, submit_once
from core import clock
from core.xlsx import xlsx_response
from groups.models import PartyGroup
from groups.standing import exports
from groups.standing.forms import (
    AwayForm,
    ContactForm,
    CountsOnForm,
    FollowUpForm,
    HandlingForm,
    ReturnForm,
    StandingChangeForm,
)
from groups.standing.selectors import counts_on
from groups.standing.services import due_on, handling_follow_up, handling_record, standing_record
from members.away import rules
from members.away.models import AwaySpell
from members.away.services import away_record, away_return, contact_record, open_spells
from members.models import AnnualReview, PartyMember, numbers_of
from members.standing.models import IN_PARTY, ReviewHandling, StandingChange
from members.standing.selectors import overdue_probations
from township.changes import kept_html
from township.models import Township, Village
from township.scoping import get_visible_or_404, villages_for

UNQUALIFIED = AnnualReview.Grade.UNQUALIFIED


def _read(user, place) -> None:
    if not user.has_perm("members.read", place):
        raise PermissionDenied


def _may_write(user, village) -> bool:
    return user.has_perm("members.write", village)


def _write(user, village) -> None:
    if not _may_write(user, village):
        raise PermissionDenied


def _day(request) -> tuple[CountsOnForm, datetime.date]:
    """The day of the counts (?on=…), today when not given or not a date (the form then says why)."""
    today = clock.today()
    form = CountsOnForm(request.GET if "on" in request.GET else None, initial={"on": today})
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["on"]
        if day <= today:
            return form, day
        form.add_error("on", "统计日期不能晚于今天。")
    return form, today


def _with_rules(spells, today):
    spells = list(spells)
    for s in spells:
        s.rules = rules.rules_for(s, today)
    return spells


def _open_cases(villages):
    """不合格 grades not yet handled, and 限期改正 cases without their result: deadline first."""
    unhandled = (
        AnnualReview.objects.filter(member__village__in=villages, grade=UNQUALIFIED, handling__isnull=True)
        .select_related("member__village")
        .defer(*numbers_of("member"))
        .order_by("-year", "member__name")
    )
    open_ = (
        ReviewHandling.objects.filter(
            review__member__village__in=villages, measure=ReviewHandling.Measure.CORRECT, result=""
        )
        .select_related("review__member__village")
        .defer(*numbers_of("review__member"))
        .order_by("deadline", "pk")
    )
    return list(unhandled), list(open_)


@login_required
def village_standing(request, pk: int):
    """A branch's members and their standing."""
    village = get_visible_or_404(Village, request.user, shape=lambda qs: qs.select_related("township"), pk=pk)
    _read(request.user, village)
    today = clock.today()
    form, day = _day(request)
    one = Village.objects.filter(pk=village.pk)
    counts = counts_on(day, one)
    groups = list(PartyGroup.objects.filter(village=village).order_by("name", "pk"))
    members = PartyMember.objects.filter(village=village).without_numbers()  # listed by name

    def context() -> dict:
        year_ago = datetime.date(today.year - 1, today.month, min(today.day, 28))
        left = (
            StandingChange.objects.filter(
                member__village=village, state_after=PartyMember.Status.LEFT, on__gte=year_ago
            )
            .select_related("member")
            .defer(*numbers_of("member"))
            .order_by("-on", "-pk")
        )
        unhandled, open_cases = _open_cases(one)
        return {
            "current": members.filter(status__in=[*IN_PARTY, PartyMember.Status.SUSPENDED]).order_by("name", "pk"),
            "left": left,
            "unhandled": unhandled,
            "open_cases": open_cases,
            "today": today,
            "away": _with_rules(open_spells(members).order_by("city", "member__name", "pk"), today),
            "RULES": (rules.TRANSFER, rules.LOST),
            "overdue": overdue_probations(members, today),
        }

    # the members' list, the cases and the members away (~300 rows at a large branch), and the overdue probations,
    # kept until the branch changes; the counts on a day asked for are counted each time
    overdue, lists = kept_html(
        [village.pk],
        f"standing:{village.pk}:{today}",
        ("groups/standing/_overdue.html", "groups/standing/_village_lists.html"),
        context,
    )
    return render(
        request,
        "groups/standing/village.html",
        {
            "village": village,
            "form": form,
            "day": day,
            "counts": counts,
            "total": counts.by_village.get(village.pk),
            "group_rows": [(g, counts.by_group.get(g.pk)) for g in groups],
            "no_group": counts.by_group.get(None),
            "overdue": overdue,
            "lists": lists,
        },
    )


def _member(request, pk: int) -> PartyMember:
    member = get_visible_or_404(
        PartyMember, request.user, shape=lambda qs: qs.select_related("village__township"), pk=pk
    )
    _read(request.user, member.village)
    return member


def _member_page(request, member: PartyMember, *, change_form=None, away_form=None, return_form=None, status=200):
    today = clock.today()
    may_write = _may_write(request.user, member.village)
    spells = list(
        AwaySpell.objects.filter(member=member)
        .select_related("contact_person")
        .annotate(last_contact=Max("contacts__on"), n_contacts=Count("contacts"))
        .order_by("-since", "-pk")
    )
    for s in spells:
        s.rules = rules.rules_for(s, today)
    in_party = member.status in IN_PARTY
    has_open = any(s.returned_on is None for s in spells)
    return render(
        request,
        "groups/standing/member.html",
        {
            "member": member,
            "village": member.village,
            "changes": list(
                StandingChange.objects.filter(member=member).select_related("recorded_by").order_by("on", "pk")
            ),
            "due": due_on(member),
            "today": today,
            "spells": spells,
            "reviews": list(
                AnnualReview.objects.filter(member=member, grade=UNQUALIFIED)
                .select_related("handling")
                .order_by("-year")
            ),
            "may_write": may_write,
            "change_form": change_form or (StandingChangeForm() if may_write else None),
            "away_form": away_form or (AwayForm(member=member) if may_write and in_party and not has_open else None),
            "return_form": return_form or (ReturnForm() if may_write and has_open else None),
        },
        status=status,
    )


@login_required
def member_standing(request, pk: int):
    """One member's standing history, spells away and 不合格 grades, with the forms that change them."""
    return _member_page(request, _member(request, pk))


def _submit(request, member: PartyMember, form, write, page_kwarg: str):
    """Run the write once; on a refusal, the member's page again with the typed form and each error by its field."""
    url = reverse("standing:member", args=[member.pk])
    if form.is_valid():
        try:
            return submit_once(request, lambda: write(form.cleaned_data), check_url=url)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]:
                for e in errors:
                    form.add_error(field if field in form.fields else None, e)
    return _member_page(request, member, status=400, **{page_kwarg: form})


@login_required
@require_POST
@repeat_safe
def record_change(request, pk: int):
    member = _member(request, pk)
    _write(request.user, member.village)

    def write(data) -> Result:
        change = standing_record(member=member, acting_user=request.user, **data)
        return Result(reverse("standing:member", args=[member.pk]), f"已登记：{change.get_kind_display()}。")

    return _submit(request, member, StandingChangeForm(request.POST), write, "change_form")


@login_required
@require_POST
@repeat_safe
def away_new(request, pk: int):
    member = _member(request, pk)
    _write(request.user, member.village)

    def write(data) -> Result:
        spell = away_record(member=member, acting_user=request.user, **data)
        return Result(reverse("standing:member", args=[member.pk]), f"已登记外出：{spell.province}{spell.city}。")

    return _submit(request, member, AwayForm(request.POST, member=member), write, "away_form")


@login_required
@require_POST
@repeat_safe
def away_back(request, pk: int):
    spell = get_visible_or_404(AwaySpell, request.user, shape=lambda qs: qs.select_related("member__village"), pk=pk)
    member = spell.member
    _write(request.user, member.village)

    def write(data) -> Result:
        away_return(spell=spell, acting_user=request.user, **data)
        return Result(reverse("standing:member", args=[member.pk]), "已登记返回。")

    return _submit(request, member, ReturnForm(request.POST), write, "return_form")


def _form_page(request, form, write, *, template: str, context: dict, url: str):
    """A page with one form: on POST the write once, or the page again with each error by its field."""
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                return submit_once(request, lambda: write(form.cleaned_data), check_url=url)
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    for e in errors:
                        form.add_error(field if field in form.fields else None, e)
        status = 400
    return render(request, template, {**context, "form": form}, status=status)


@login_required
@repeat_safe
def contact(request, pk: int):
    """A member away: the branch's contact log and the form to add to it."""
    spell = get_visible_or_404(
        AwaySpell,
        request.user,
        shape=lambda qs: qs.select_related("member__village", "contact_person").annotate(
            last_contact=Max("contacts__on")
        ),
        pk=pk,
    )
    member = spell.member
    _read(request.user, member.village)
    may = _may_write(request.user, member.village) and spell.returned_on is None
    if request.method == "POST" and not may:
        raise PermissionDenied
    form = (
        (ContactForm(request.POST) if request.method == "POST" else ContactForm(initial={"on": clock.today()}))
        if may
        else None
    )
    url = reverse("standing:contact", args=[spell.pk])

    def write(data) -> Result:
        contact_record(spell=spell, acting_user=request.user, **data)
        return Result(url, "已记入联系记录。")

    spell.rules = rules.rules_for(spell, clock.today())
    context = {
        "spell": spell,
        "member": member,
        "village": member.village,
        "contacts": list(spell.contacts.select_related("recorded_by").order_by("-on", "-pk")),
    }
    return _form_page(request, form, write, template="groups/standing/contact.html", context=context, url=url)


@login_required
@repeat_safe
def handling(request, pk: int):
    """A 不合格 grade: the branch records its handling, then (for 限期改正) the result."""
    review = get_visible_or_404(
        AnnualReview, request.user, shape=lambda qs: qs.select_related("member__village"), pk=pk, grade=UNQUALIFIED
    )
    member = review.member
    _read(request.user, member.village)
    done = ReviewHandling.objects.filter(review=review).first()
    may = _may_write(request.user, member.village)
    if request.method == "POST" and not may:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    url = reverse("standing:handling", args=[review.pk])
    if done is None:
        form = HandlingForm(data, initial={"decided_on": clock.today()}) if may else None

        def write(d) -> Result:
            h = handling_record(review=review, acting_user=request.user, **d)
            return Result(url, f"已登记处置：{h.get_measure_display()}。")
    else:
        form = FollowUpForm(data, instance=None) if may and done.is_open else None

        def write(d) -> Result:
            handling_follow_up(
                handling=done,
                result=d["result"],
                result_on=d["result_on"],
                notes=d["result_notes"],
                acting_user=request.user,
            )
            return Result(url, "已登记改正结果。")

    context = {"review": review, "member": member, "village": member.village, "done": done, "today": clock.today()}
    return _form_page(request, form, write, template="groups/standing/handling.html", context=context, url=url)


def _township(request, pk: int) -> Township:
    t = get_visible_or_404(Township, request.user, pk=pk)
    if not (request.user.has_perm("township.read", t) and request.user.has_perm("members.read", t)):
        raise Http404  # a branch has its own page; the township's is not in its reach, as its dashboard
    return t


def _by_city(spells) -> list[tuple[str, list]]:
    out: dict[str, list] = {}
    for s in spells:
        out.setdefault(f"{s.province}{s.city}", []).append(s)
    return sorted(out.items())


@login_required
def township_standing(request, pk: int):
    """The township's view: counts on a day by village, overdue probations, open 不合格 cases with their deadlines,
    and every member away by destination city."""
    t = _township(request, pk)
    today = clock.today()
    form, day = _day(request)
    villages = villages_for(request.user).filter(township=t)
    counts = counts_on(day, villages)
    rows = list(villages.order_by("name"))

    def context() -> dict:
        members = PartyMember.objects.filter(village__in=villages).without_numbers()  # listed by name
        unhandled, open_cases = _open_cases(villages)
        spells = _with_rules(
            open_spells(members).order_by("province", "city", "member__village__name", "member__name"), today
        )
        return {
            "township": t,
            "overdue": overdue_probations(members, today),
            "unhandled": unhandled,
            "open_cases": open_cases,
            "by_city": _by_city(spells),
            "RULES": (rules.TRANSFER, rules.LOST),
            "today": today,
        }

    # the overdue probations, the cases and the members away by city, kept until one of these villages changes (the
    # reader's villages are in the key); the counts on a day asked for are counted each time
    name = f"standing-township:{t.pk}:{today}"
    lists = kept_html([v.pk for v in rows], name, "groups/standing/_township_lists.html", context)
    return render(
        request,
        "groups/standing/township.html",
        {
            "township": t,
            "form": form,
            "day": day,
            "rows": [(v, counts.by_village.get(v.pk)) for v in rows],
            "total": counts.total,
            "lists": lists,
        },
    )


@login_required
def township_away_xlsx(request, pk: int):
    """Every member away in the township, by destination city, print-ready (phones masked)."""
    t = _township(request, pk)
    villages = villages_for(request.user).filter(township=t)
    today = clock.today()
    spells = _with_rules(
        open_spells(PartyMember.objects.filter(village__in=villages)).order_by(
            "province", "city", "member__village__name", "member__name", "pk"
        ),
        today,
    )
    content = exports.away_workbook(t, spells, today)
    record(Action.EXPORT, request=request, rows=len(spells), export="away_members", scope=t.name)
    return xlsx_response(content, f"{t.name}流动党员名单.xlsx", "away-members.xlsx")
