"""The meetings pages: a branch's year of meetings, recording a meeting with its attendance on one form, a meeting's
record and its votes, members at risk and study hours; the township's and county's compliance tables, the township's
settings and monthly themes.

Every object is fetched through the user's reach (`get_visible_or_404`: another village's answers 404); inside the
reach, reading needs `orglife.read`, recording `orglife.write`, the township's settings and themes `orglife.settings`.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.submissions import Result, repeat_safe, submit_once
from core import clock, periods
from core.figures import kept_rendered
from core.words import day_cn, month_cn
from groups.models import PartyGroup
from orglife.committee.services import committee_on
from orglife.meetings import exporting, rules, selectors, services
from orglife.meetings.forms import (
    NOT_EXPECTED,
    DeleteForm,
    MeetingForm,
    SettingsForm,
    ThemeForm,
    VoteForm,
    mark_of,
)
from orglife.meetings.models import Attendance, Kind, Meeting, MonthlyTheme, Presence
from orglife.templatetags.orglife_tables import compliance_rows
from township.changes import kept_html
from township.models import County, Township, Village
from township.scoping import assignment_of, get_visible_or_404, townships_for, villages_for


def _village(request, pk: int, capability: str = "orglife.read") -> Village:
    village = get_visible_or_404(Village, request.user, pk=pk, shape=lambda qs: qs.select_related("township"))
    if not request.user.has_perm(capability, village):
        raise PermissionDenied
    return village


def _township(request, pk: int, capability: str = "orglife.read") -> Township:
    t = get_visible_or_404(Township, request.user, pk=pk)
    if not request.user.has_perm(capability, t):
        raise PermissionDenied
    return t


# How many years back the year pages link (older years stay open by their address).
YEARS_BACK = 5


def _year(year: int) -> int:
    if not 2000 <= year <= clock.this_year():
        raise Http404
    return year


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def index(request):
    """Where a person's organisational life is: a secretary's own branch, the township's compliance for its staff,
    the county's for a county viewer."""
    if not request.user.has_perm("orglife.read"):
        raise PermissionDenied
    year = clock.this_year()
    a = assignment_of(request.user)
    if a is not None and a.village_id:
        return redirect("orglife:village", a.village_id, year)
    if a is not None and a.township_id:
        return redirect("orglife:township", a.township_id, year)
    if a is not None and a.county_id:
        return redirect("orglife:county", a.county_id, year)
    townships = townships_for(request.user).order_by("name")
    return render(request, "orglife/meetings/index.html", {"townships": townships, "year": year})


@login_required
def village(request, pk: int, year: int):
    v = _village(request, pk)
    year = _year(year)
    months = kept_html(  # the year's meetings by month: ~140 rows at a large branch, kept until the branch changes
        [v.pk],
        f"orglife-months:{v.pk}:{year}",
        "orglife/meetings/_months.html",
        lambda: {"year": year, "meetings": selectors.meetings_of(v, year)},
    )
    groups = PartyGroup.objects.filter(village=v).on(clock.today()).order_by("name")
    return render(
        request,
        "orglife/meetings/village.html",
        {
            "village": v,
            "year": year,
            "months": months,
            "groups": groups,
            "kinds": [(k, label) for k, label in Kind.choices if k != Kind.GROUP],
            "may_write": request.user.has_perm("orglife.write", v),
            "first_year": clock.this_year() - YEARS_BACK,
            "may_see_township": request.user.has_perm("orglife.read", v.township),
        },
    )


def _posted_day(request, default: datetime.date) -> datetime.date:
    """The meeting date the form was sent with, else `default`: a 支委会's attendance follows the committee in office
    that day (other meetings offer the members of the day the form was opened, so a date moved back refuses no one
    the form showed)."""
    raw = request.POST.get("held_on", "") if request.method == "POST" else ""
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return default


def _committee_members(v: Village, day: datetime.date) -> list:
    """The committee in office on `day`, the secretary first, each member once with their posts in `post_label`."""
    members: dict[int, object] = {}
    for seat in committee_on(v, day):
        member = members.setdefault(seat.member_id, seat.member)
        member.post_label = "、".join(filter(None, [getattr(member, "post_label", ""), seat.get_post_display()]))
    return list(members.values())


def _form_options(v: Village, kind: str, group, day: datetime.date, marked=(), people=()) -> dict:
    """Who the attendance offers and expects on `day`: a party group's members for its 党小组会; a 支委会's committee
    in office (all expected, when the branch has recorded its committee); else the branch, all expected. `marked`
    and `people`: the members already marked on a recorded meeting and its host, recorder or the one talked with,
    offered even if they have left since."""
    options: dict = {"kind": kind}
    committee = _committee_members(v, day) if kind == Kind.COMMITTEE else []
    if committee:
        members, expected_ids = committee, {m.pk for m in committee}
        options["fixed"] = True
        options["strangers"] = (
            f"日期改了：{day_cn(day)}在任的支部委员和原来不同，下面已换成当天在任的委员，请核对出席情况后再保存。"
        )
    else:
        expected = services.expected_members(village=v, kind=kind, day=day, party_group=group)
        expected_ids = set(expected.values_list("pk", flat=True))
        members = list(expected if kind == Kind.GROUP else services.members_on(v, day).order_by("name", "pk"))
        if kind == Kind.COMMITTEE:
            expected_ids = set()
    known = {m.pk for m in members}
    members += [m for m in marked if m.pk not in known and not options.get("fixed")]
    everyone = list(services.members_on(v, day).order_by("name", "pk"))
    options["people"] = everyone + [m for m in [*marked, *people] if m.pk not in {p.pk for p in everyone}]
    options["members"] = members
    options["expected_ids"] = expected_ids
    options["away"] = services.away_on(members, day)
    return options


@login_required
@repeat_safe
def meeting_new(request, pk: int, kind: str):
    """One form for a meeting and everyone's attendance: everyone expected is 出席 by default, a member away
    (流动党员) 缺席·外出务工."""
    v = _village(request, pk, "orglife.write")
    if kind not in Kind.values:
        raise Http404
    group = None
    if kind == Kind.GROUP:
        group_id = request.GET.get("group", "")
        if not group_id.isdigit():
            raise Http404
        group = get_visible_or_404(PartyGroup, request.user, pk=int(group_id))
        if group.village_id != v.pk:
            raise Http404
    today = clock.today()
    options = _form_options(v, kind, group, _posted_day(request, today) if kind == Kind.COMMITTEE else today)
    if request.method == "POST":
        form = MeetingForm(request.POST, **options)
        if form.is_valid():
            village_url = reverse("orglife:village", args=[v.pk, form.cleaned_data["held_on"].year])

            def save() -> Result:
                m = services.meeting_record(
                    village=v, kind=kind, party_group=group, acting_user=request.user, **form.service_data()
                )
                text = f"已登记{m.get_kind_display()}（{m.held_on.month}月{m.held_on.day}日）。"
                return Result(reverse("orglife:meeting", args=[m.pk]), text)

            try:
                return submit_once(request, save, check_url=village_url)
            except ValidationError as exc:
                _errors_to_form(form, exc)
    else:
        initial = {"held_on": today, "study_hours": rules.DEFAULT_STUDY_HOURS[kind]}
        theme = MonthlyTheme.objects.filter(township_id=v.township_id, month=periods.month_of(today)).first()
        if kind == Kind.THEME_DAY and theme:
            initial["topic"] = theme.title
        form = MeetingForm(initial=initial, **options)
    return render(
        request,
        "orglife/meetings/meeting_form.html",
        {
            "village": v,
            "form": form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "group": group,
            "this_year": today.year,
            "committee_fixed": options.get("fixed", False),
        },
    )


def _meeting_to_write(request, pk: int) -> Meeting:
    """A meeting the person may correct or delete: in their reach (else 404), with `orglife.write` on its branch;
    a 谈心谈话 only by those who may read its contents (403 otherwise)."""
    m = get_visible_or_404(
        Meeting,
        request.user,
        pk=pk,
        shape=lambda qs: selectors.with_counts(qs).select_related(
            "village__township", "party_group", "host", "recorder", "talk_with", "report"
        ),
    )
    if not request.user.has_perm("orglife.write", m.village):
        raise PermissionDenied
    if m.is_talk and not selectors.talk_visible(request.user, m):
        raise PermissionDenied
    return m


@login_required
@repeat_safe
def meeting_edit(request, pk: int):
    """Correct a recorded meeting and its attendance, on the same form it was recorded with."""
    m = _meeting_to_write(request, pk)
    v, kind = m.village, m.kind
    rows = list(Attendance.objects.filter(meeting=m).select_related("member").order_by("member__name"))
    people = [p for p in (m.host, m.recorder, m.talk_with) if p is not None]
    day = _posted_day(request, m.held_on) if kind == Kind.COMMITTEE else m.held_on
    options = _form_options(v, kind, m.party_group, day, marked=[a.member for a in rows], people=people)
    meeting_url = reverse("orglife:meeting", args=[m.pk])
    if request.method == "POST":
        form = MeetingForm(request.POST, **options)
        if form.is_valid():

            def save() -> Result:
                services.meeting_update(meeting=m, acting_user=request.user, **form.service_data())
                return Result(meeting_url, f"已修改{m.get_kind_display()}的记录。")

            try:
                return submit_once(request, save, check_url=meeting_url)
            except ValidationError as exc:
                _errors_to_form(form, exc)
    else:
        initial = {name: getattr(m, name) for name in MeetingForm.base_fields if hasattr(m, name)}
        marked = {a.member_id: mark_of(a) for a in rows}
        unmarked = Presence.PRESENT if options.get("fixed") else NOT_EXPECTED
        initial |= {f"p_{member.pk}": marked.get(member.pk, unmarked) for member in options["members"]}
        form = MeetingForm(initial=initial, **options)
    closed = services.month_closed(village=v, party_group=m.party_group, day=m.held_on)
    return render(
        request,
        "orglife/meetings/meeting_form.html",
        {
            "village": v,
            "form": form,
            "kind": kind,
            "kind_label": m.get_kind_display(),
            "group": m.party_group,
            "this_year": m.held_on.year,
            "m": m,
            "closed": closed.replace("补记", "修改").replace("再登记", "再修改") if closed else "",
            "committee_fixed": options.get("fixed", False),
        },
    )


@login_required
@repeat_safe
def meeting_delete(request, pk: int):
    """Delete a meeting recorded by mistake: a page asks first and takes the reason (GET), its button deletes
    (POST). A 党小组会 its monthly report counts, or a meeting of a closed month, cannot be deleted: the page says
    why and what to do."""
    m = _meeting_to_write(request, pk)
    blocker = services.meeting_delete_blocker(m)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and not blocker and form.is_valid():
        village_url = reverse("orglife:village", args=[m.village_id, m.held_on.year])

        def delete() -> Result:
            label = f"{m.get_kind_display()}（{m.held_on.month}月{m.held_on.day}日）"
            services.meeting_delete(meeting=m, reason=form.cleaned_data["reason"], acting_user=request.user)
            return Result(village_url, f"已删除{label}，删除理由已留档。")

        try:
            return submit_once(request, delete, check_url=village_url)
        except ValidationError as exc:
            _errors_to_form(form, exc)
    return render(request, "orglife/meetings/meeting_delete.html", {"m": m, "form": form, "blocker": blocker})


def _who(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.username


@login_required
def meeting(request, pk: int):
    m = get_visible_or_404(
        Meeting,
        request.user,
        pk=pk,
        shape=lambda qs: selectors.with_counts(qs).select_related(
            "village__township", "party_group", "host", "recorder", "talk_with", "theme", "report"
        ),
    )
    if not request.user.has_perm("orglife.read", m.village):
        raise PermissionDenied
    rows = list(Attendance.objects.filter(meeting=m).select_related("member").order_by("member__name"))
    may_write = request.user.has_perm("orglife.write", m.village)
    closed = services.month_closed(village=m.village, party_group=m.party_group, day=m.held_on) if may_write else None
    changes = [
        (h.history_date, _who(h.history_user), "登记" if h.history_type == "+" else "修改")
        for h in m.history.select_related("history_user").order_by("-history_date", "-history_id")[:5]
    ]
    return render(
        request,
        "orglife/meetings/meeting.html",
        {
            "m": m,
            "present": [r for r in rows if r.presence == "present"],
            "remote": [r for r in rows if r.presence == "remote"],
            "absent": [r for r in rows if r.presence == "absent"],
            "votes": list(m.votes.all()),
            "show_talk": not m.is_talk or selectors.talk_visible(request.user, m),
            "may_write": may_write,
            "closed": closed.replace("不能再补记这个月的会议", "这次会议不能再修改或删除").replace("再登记", "再修改")
            if closed
            else "",
            "changes": changes,
        },
    )


@login_required
@repeat_safe
def vote_new(request, pk: int):
    m = get_visible_or_404(Meeting, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not request.user.has_perm("orglife.write", m.village):
        raise PermissionDenied
    if m.kind != Kind.ASSEMBLY:
        raise Http404
    entitled, attending = services.vote_counts(m)
    if request.method == "POST":
        form = VoteForm(request.POST)
        if form.is_valid():
            meeting_url = reverse("orglife:meeting", args=[m.pk])

            def save() -> Result:
                vote = services.vote_record(meeting=m, acting_user=request.user, **form.cleaned_data)
                return Result(meeting_url, f"已登记表决：{vote.subject}。")

            try:
                return submit_once(request, save, check_url=meeting_url)
            except ValidationError as exc:
                _errors_to_form(form, exc)
    else:
        form = VoteForm()
    return render(
        request,
        "orglife/meetings/vote_form.html",
        {
            "m": m,
            "form": form,
            "entitled": entitled,
            "attending": attending,
            "valid": rules.vote_valid(entitled=entitled, attending=attending),
            "source": rules.SOURCES["vote"],
        },
    )


@login_required
def members(request, pk: int):
    v = _village(request, pk)
    year = clock.this_year()
    rows = selectors.member_life(v, year=year)
    target = rules.settings_for(v.township).study_hours_target
    return render(
        request,
        "orglife/meetings/members.html",
        {
            "village": v,
            "year": year,
            "rows": rows,
            "talk_due": [r for r in rows if r.talk_due],
            "flagged": [r for r in rows if r.flagged],
            "target": target,
            "risk_source": rules.SOURCES["risk"],
            "hours_source": rules.SOURCES["hours"],
        },
    )


def _period_args(request, year: int) -> tuple[str, int]:
    period = request.GET.get("period", "year")
    if period not in selectors.PERIOD_CHOICES:
        period = "year"
    raw = request.GET.get("n", "")
    today = clock.today()
    default = {"month": today.month, "quarter": periods.quarter_of(today), "year": 1}[period]
    n = int(raw) if raw.isdigit() else (default if year == today.year else 1)
    limit = {"month": 12, "quarter": 4, "year": 1}[period]
    return period, min(max(n, 1), limit)


def _compliance_page(request, *, place, villages, year: int, url_name: str, kept: bool = False):
    """`kept`: a read-only table whose figures may be a minute old for the same reach (core/figures.py)."""
    period, n = _period_args(request, year)

    def count():
        return selectors.compliance(villages, period=period, year=year, n=n)

    show_township = url_name == "orglife:county"
    if kept:  # the rows' HTML is kept with the figures: a county's 180 branches took longer to write than to count
        key = f"{url_name}:{place.pk}:{year}:{period}:{n}:{clock.today()}"
        table, counted, rows_html = kept_rendered(
            key,
            villages.values_list("pk", flat=True),
            count,
            lambda table: compliance_rows(table.rows, year, show_township),
        )
    else:
        table, counted, rows_html = count(), None, None
    choices = {"month": range(1, 13), "quarter": range(1, 5), "year": [1]}
    return render(
        request,
        "orglife/meetings/compliance.html",
        {
            "place": place,
            "url_name": url_name,
            "year": year,
            "period": period,
            "n": n,
            "choices": choices[period],
            "period_names": selectors.PERIOD_CHOICES,
            "table": table,
            "show_township": show_township,
            "rows_html": rows_html,
            "first_year": clock.this_year() - YEARS_BACK,
            "may_settings": request.user.has_perm("orglife.settings", place),
            "counted": counted,
        },
    )


@login_required
def township(request, pk: int, year: int):
    t = _township(request, pk)
    villages = villages_for(request.user).filter(township=t)
    return _compliance_page(request, place=t, villages=villages, year=_year(year), url_name="orglife:township")


@login_required
def county(request, pk: int, year: int):
    c = get_visible_or_404(County, request.user, pk=pk)
    if not request.user.has_perm("county.read", c):
        raise Http404  # the county's page; township staff and branches have their township's
    villages = villages_for(request.user).filter(township__county=c)
    return _compliance_page(
        request, place=c, villages=villages, year=_year(year), url_name="orglife:county", kept=True
    )


@login_required
@repeat_safe
def township_settings(request, pk: int):
    t = _township(request, pk, "orglife.settings")
    current = rules.settings_for(t)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=current)
        if form.is_valid():
            back = reverse("orglife:township", args=[t.pk, clock.this_year()])

            def save() -> Result:
                values = {name: form.cleaned_data[name] for name in SettingsForm.Meta.fields}
                services.settings_save(township=t, acting_user=request.user, **values)
                return Result(back, "已保存组织生活设置。")

            try:
                return submit_once(request, save, check_url=back)
            except ValidationError as exc:
                _errors_to_form(form, exc)
    else:
        form = SettingsForm(instance=current)
    sources = [(form[k], rules.DEFAULT_RULES[k][1], Kind(k).label) for k in rules.DEFAULT_RULES]
    return render(
        request,
        "orglife/meetings/settings.html",
        {"t": t, "form": form, "sources": sources, "hours_source": rules.SOURCES["hours"]},
    )


@login_required
@repeat_safe
def themes(request, pk: int):
    """The township's monthly themes for 主题党日 and, for each, which branches held it."""
    t = _township(request, pk)
    may_publish = request.user.has_perm("orglife.settings", t)
    form = None
    if may_publish:
        if request.method == "POST":
            form = ThemeForm(request.POST)
            if form.is_valid():
                here = reverse("orglife:themes", args=[t.pk])

                def save() -> Result:
                    theme = services.theme_publish(township=t, acting_user=request.user, **form.cleaned_data)
                    return Result(here, f"已发布{month_cn(theme.month)}的主题党日主题。")

                try:
                    return submit_once(request, save, check_url=here)
                except ValidationError as exc:
                    _errors_to_form(form, exc)
        else:
            form = ThemeForm(initial={"month": clock.this_month()})
    elif request.method == "POST":
        raise PermissionDenied
    villages = list(villages_for(request.user).filter(township=t).order_by("name"))
    held = (
        Meeting.objects.filter(village__in=villages, kind=Kind.THEME_DAY, theme__township=t)
        .values("theme_id", "village_id")
        .annotate(n=Count("pk"))
    )
    held_by: dict[int, set[int]] = {}
    for row in held:
        held_by.setdefault(row["theme_id"], set()).add(row["village_id"])
    rows = [
        (
            theme,
            [v for v in villages if v.pk in held_by.get(theme.pk, set())],
            [v for v in villages if v.pk not in held_by.get(theme.pk, set())],
        )
        for theme in MonthlyTheme.objects.filter(township=t).order_by("-month")[:24]
    ]
    return render(request, "orglife/meetings/themes.html", {"t": t, "form": form, "rows": rows})


@login_required
def meeting_book(request, pk: int, year: int):
    """会议记录本: the branch's meetings of the year, one meeting per printed page (Excel)."""
    v = _village(request, pk)
    year = _year(year)
    content = exporting.record_book(v, year, user=request.user)
    return exporting.response(content, f"{v.name}{year}年会议记录本.xlsx", f"meeting-book-{v.pk}-{year}.xlsx")


@login_required
def township_xlsx(request, pk: int, year: int):
    """The year's compliance table of the township's branches (Excel)."""
    t = _township(request, pk)
    villages = villages_for(request.user).filter(township=t)
    table = selectors.compliance(villages, period="year", year=_year(year), n=1)
    content = exporting.compliance_workbook(table, place_name=t.name)
    return exporting.response(content, f"{t.name}{year}年组织生活落实情况表.xlsx", f"orglife-{t.pk}-{year}.xlsx")
