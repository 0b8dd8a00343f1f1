"""The township admin: who may enter, what each person sees and may change, and pages that answer errors in words."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import Coverage, GroupPost, LeaderElection, PartyGroup, VillagerGroup
from members.models import PartyMember
from tests.conftest import TOWNSHIP_B_NAMES
from tests.factories import PartyMemberFactory, elect, grow_township
from township.models import Village

Role = GroupPost.Role

# The business models every township staff member works with; all must be in the admin.
STAFF_MODELS = {
    "township.county",
    "township.township",
    "township.village",
    "township.assignment",
    "members.partymember",
    "groups.villagergroup",
    "groups.partygroup",
    "groups.grouppost",
    "groups.leaderelection",
    "orglife.meeting",
    "orglife.visit",
    "orglife.dutypost",
}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def registry():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def page(response) -> str:
    return response.content.decode()


# --- form data as the browser would send it ----------------------------------------------------------------------


def _encode(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        value = _encode(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value


def form_data(response) -> dict:
    """The POST data of an admin add/change page exactly as it was rendered: main form, inlines, management forms."""
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    inlines = response.context.get("inline_admin_formsets", [])
    for inline in inlines:
        formset = inline.formset
        mgmt = formset.management_form
        for name in mgmt.fields:
            data[mgmt.add_prefix(name)] = _encode(mgmt[name].value())
        for form in formset.forms:
            _add_form(data, form)
    return data


def add_inline_row(data: dict, prefix: str, **values) -> None:
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{n}-{name}"] = _encode(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)


def inline_prefix(response, model) -> str:
    """The prefix of the first editable inline of this model on the page (the current posts, for GroupPost)."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model and inline.has_add_permission:
            return inline.formset.prefix
    raise AssertionError(f"no editable inline for {model.__name__}")


def all_errors(response) -> list:
    """Every error the admin shows: main form, inline forms, inline formsets."""
    found = list(response.context["adminform"].form.errors.values())
    for inline in response.context["inline_admin_formsets"]:
        found += [e for e in inline.formset.errors if e] + list(inline.formset.non_form_errors())
    return found


# --- who may enter -----------------------------------------------------------------------------------------------


def test_every_business_model_is_in_the_admin():
    labels = {m._meta.label_lower for m in admin.site._registry}
    assert labels >= STAFF_MODELS


@pytest.mark.parametrize("persona", ["township_staff", "county_viewer", "superuser"])
def test_every_changelist_and_add_page_answers_without_error(persona, request, login):
    user = request.getfixturevalue(persona)
    client = login(user)
    staff_request = as_request(user)
    for model, model_admin in registry():
        label = model._meta.label_lower
        viewable = model_admin.has_view_permission(staff_request)
        if label in STAFF_MODELS:
            assert viewable, f"{persona} cannot see {label}"
        response = client.get(url(model, "changelist"))
        assert response.status_code == (200 if viewable else 403), label

        addable = model_admin.has_add_permission(staff_request)
        response = client.get(url(model, "add"))
        assert response.status_code == (200 if addable else 403), label


def test_township_staff_may_add_the_rows_of_their_villages(township_staff):
    r = as_request(township_staff)
    for model in (Village, PartyMember, VillagerGroup, PartyGroup, GroupPost):
        assert admin.site._registry[model].has_add_permission(r), model


def test_elections_are_only_read_in_the_admin(township_staff, superuser):
    for user in (township_staff, superuser):
        r = as_request(user)
        model_admin = admin.site._registry[LeaderElection]
        assert not model_admin.has_add_permission(r)
        assert not model_admin.has_change_permission(r)
        assert not model_admin.has_delete_permission(r)


def test_every_change_page_of_an_own_object_loads(org, township_staff, login):
    client = login(township_staff)
    own = {
        Village: org.a1,
        PartyGroup: org.a1_g1,
        PartyMember: org.a1_g1_members[0],
        VillagerGroup: org.a1_vgs[0],
        GroupPost: GroupPost.objects.filter(party_group=org.a1_g1).first(),
        LeaderElection: org.a1_election,
    }
    for model, obj in own.items():
        response = client.get(url(model, "change", obj.pk))
        assert response.status_code == 200, model
        response = client.get(url(model, "history", obj.pk))
        assert response.status_code == 200, model


@pytest.mark.parametrize("persona", ["secretary_a1", "secretary_a2"])
def test_a_branch_secretary_cannot_enter_the_admin(persona, request, login):
    user = request.getfixturevalue(persona)
    client = login(user)
    for path in (reverse("admin:index"), url(PartyGroup, "changelist"), url(PartyMember, "add")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_branch_secretary_marked_staff_still_cannot_enter(secretary_a1, login):
    secretary_a1.is_staff = True
    secretary_a1.save()
    response = login(secretary_a1).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_anonymous_visitor_is_sent_to_the_admin_login(org, client):
    response = client.get(url(PartyMember, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- what township staff see -------------------------------------------------------------------------------------

OWN_NAME = {
    Village: "罗紫村",
    PartyGroup: "罗紫一二社党小组",
    PartyMember: "罗紫党员1",
    VillagerGroup: "罗紫村",
    GroupPost: "罗紫党员1",
    LeaderElection: "罗紫一二社党小组",
}


@pytest.mark.parametrize("model", list(OWN_NAME), ids=lambda m: m.__name__)
def test_a_changelist_shows_only_the_staff_members_own_township(model, org, township_staff, township_b_staff, login):
    client = login(township_staff)
    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    text = page(response)
    assert OWN_NAME[model] in text
    for foreign in TOWNSHIP_B_NAMES:  # neither in the rows nor in the filters beside them
        assert foreign not in text, foreign


def test_the_other_townships_staff_see_only_theirs(org, township_b_staff, login):
    client = login(township_b_staff)
    text = page(client.get(url(PartyGroup, "changelist")))
    assert "白石一二社党小组" in text
    assert "罗紫一二社党小组" not in text
    assert "井阳一二社党小组" not in text


def test_the_township_changelist_and_index_stay_in_the_township(org, township_staff, township_b_staff, login):
    client = login(township_staff)
    for path in (reverse("admin:index"), url(type(org.ta), "changelist"), url(type(org.a1), "changelist")):
        text = page(client.get(path))
        for foreign in TOWNSHIP_B_NAMES:
            assert foreign not in text, (path, foreign)
    assignments = page(client.get(reverse("admin:township_assignment_changelist")))
    assert "xiang" in assignments
    assert "xishan" not in assignments


def test_the_admin_index_lists_the_warnings_of_the_staff_members_villages(org, township_staff, login):
    text = page(login(township_staff).get(reverse("admin:index")))
    assert "罗紫外出党员" in text  # a member of 罗紫村 in no party group
    assert "罗紫三四社党小组" in text  # a group without leader


def foreign_objects(org):
    return {
        Village: org.b1,
        PartyGroup: org.b1_g1,
        PartyMember: org.b1_members[0],
        VillagerGroup: org.b1_vgs[0],
        GroupPost: GroupPost.objects.filter(party_group=org.b1_g1).first(),
        LeaderElection: org.b1_election,
    }


@pytest.mark.parametrize(
    "model", [Village, PartyGroup, PartyMember, VillagerGroup, GroupPost, LeaderElection], ids=lambda m: m.__name__
)
def test_a_foreign_object_is_answered_like_a_missing_one(model, org, township_staff, login):
    client = login(township_staff)
    obj = foreign_objects(org)[model]
    may_delete = admin.site._registry[model].has_delete_permission(as_request(township_staff))
    for view in ("change", "delete") if may_delete else ("change",):
        response = client.get(url(model, view, obj.pk))
        assert response.status_code == 302, view
        assert response["Location"] == reverse("admin:index")
        text = page(client.get(response["Location"]))
        for foreign in TOWNSHIP_B_NAMES:
            assert foreign not in text
    assert client.get(url(model, "history", obj.pk)).status_code == 404


def test_a_foreign_objects_history_versions_are_not_shown_or_reverted(org, township_staff, login):
    client = login(township_staff)
    member = org.b1_members[0]
    version = member.history.earliest()
    path = reverse("admin:members_partymember_simple_history", args=[member.pk, version.history_id])
    response = client.get(path)
    assert response.status_code == 404
    assert member.id_number not in page(response)
    data = {
        "village": org.a1.pk,  # a village the staff member may choose
        "name": "改掉",
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "joined_on": member.joined_on.isoformat(),
        "status": member.status,
    }
    response = client.post(path, data)
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.name == "白石党员1"
    assert member.village == org.b1


def test_a_foreign_object_cannot_be_changed_or_deleted_by_post(org, township_staff, login):
    client = login(township_staff)
    client.post(url(Village, "change", org.b1.pk), {"township": org.ta.pk, "name": "改名村", "branch_name": "x"})
    client.post(url(PartyGroup, "delete", org.b1_g1.pk), {"post": "yes"})
    org.b1.refresh_from_db()
    assert org.b1.name == "白石村"
    assert org.b1.township == org.tb
    assert PartyGroup.objects.filter(pk=org.b1_g1.pk).exists()


def test_the_add_form_offers_only_the_staff_members_villages(org, township_staff, login):
    response = login(township_staff).get(url(PartyMember, "add"))
    choices = response.context["adminform"].form.fields["village"].queryset
    assert set(choices.values_list("name", flat=True)) == {"罗紫村", "井阳村"}


def test_a_member_cannot_be_added_to_a_foreign_village(org, township_staff, login):
    client = login(township_staff)
    data = form_data(client.get(url(PartyMember, "add")))
    new = PartyMemberFactory.build(village=org.b1, name="偷加党员")
    data.update(
        village=org.b1.pk,
        name=new.name,
        sex=new.sex,
        birth_date=new.birth_date.isoformat(),
        id_number=new.id_number,
        joined_on=new.joined_on.isoformat(),
        status=new.status,
    )
    response = client.post(url(PartyMember, "add"), data)
    assert response.status_code == 200
    assert "village" in response.context["adminform"].form.errors
    assert not PartyMember.objects.filter(name="偷加党员").exists()


# --- the county viewer only reads --------------------------------------------------------------------------------


def test_the_county_viewer_sees_every_township_of_the_county(org, county_viewer, login):
    text = page(login(county_viewer).get(url(PartyGroup, "changelist")))
    for name in ("罗紫一二社党小组", "井阳一二社党小组", "白石一二社党小组"):
        assert name in text


def test_the_county_viewer_can_open_but_not_change_an_object(org, county_viewer, login):
    client = login(county_viewer)
    response = client.get(url(Village, "change", org.a1.pk))
    assert response.status_code == 200
    assert "罗紫村" in page(response)
    assert client.get(url(Village, "add")).status_code == 403
    response = client.post(
        url(Village, "change", org.a1.pk), {"township": org.ta.pk, "name": "改名村", "branch_name": "x"}
    )
    assert response.status_code == 403
    org.a1.refresh_from_db()
    assert org.a1.name == "罗紫村"
    response = client.post(url(Village, "add"), {"township": org.ta.pk, "name": "新村", "branch_name": "x"})
    assert response.status_code == 403
    response = client.post(url(PartyGroup, "delete", org.a1_g2.pk), {"post": "yes"})
    assert response.status_code == 403
    assert not Village.objects.filter(name__in=["改名村", "新村"]).exists()
    assert PartyGroup.objects.filter(pk=org.a1_g2.pk).exists()


# --- search ------------------------------------------------------------------------------------------------------


def may_reveal(user):
    """Searching by a full number answers whose it is: only those who may reveal (tests/security/test_id_masking.py)."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    return user


def test_staff_find_a_member_by_the_full_id_number(org, township_staff, login):
    member = org.a1_g2_members[1]
    client = login(may_reveal(township_staff))
    for typed in (member.id_number, f" {member.id_number.lower()} "):
        response = client.get(url(PartyMember, "changelist"), {"q": typed})
        assert [m.pk for m in response.context["cl"].result_list] == [member.pk]
    response = client.get(url(PartyMember, "changelist"), {"q": "罗紫党员7"})
    assert [m.pk for m in response.context["cl"].result_list] == [member.pk]


def test_staff_find_a_member_by_phone_number(org, township_staff, login):
    member = org.a1_g2_members[0]
    response = login(may_reveal(township_staff)).get(url(PartyMember, "changelist"), {"q": member.phone})
    assert [m.pk for m in response.context["cl"].result_list] == [member.pk]


def test_searching_a_foreign_members_id_number_finds_nothing(org, township_staff, login):
    response = login(township_staff).get(url(PartyMember, "changelist"), {"q": org.b1_members[0].id_number})
    assert list(response.context["cl"].result_list) == []


def test_the_member_list_shows_masked_numbers_only(org, township_staff, login):
    text = page(login(township_staff).get(url(PartyMember, "changelist")))
    member = org.a1_g1_members[0]
    assert member.id_number not in text
    assert member.phone not in text
    assert member.id_number_masked in text


# --- query counts do not grow with rows --------------------------------------------------------------------------

# Session, user, assignment, the scoped count and rows, filters' choices, prefetches: fixed, whatever the rows.
CHANGELIST_MAX_QUERIES = {
    PartyMember: 10,
    PartyGroup: 12,
    VillagerGroup: 10,
    Village: 9,
    LeaderElection: 13,
    GroupPost: 12,
    Coverage: 12,
}


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx)


def test_changelist_queries_do_not_grow_with_rows(org, township_staff, login, django_assert_max_num_queries):
    client = login(township_staff)
    models = list(CHANGELIST_MAX_QUERIES)
    for model in models:  # warm up (content types, sessions) before counting
        client.get(url(model, "changelist"))
    small = {m: count_queries(client, url(m, "changelist")) for m in models}

    grow_township(org.ta, 6)
    for model in models:
        with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES[model]):
            response = client.get(url(model, "changelist"))
        assert response.context["cl"].result_count > 0
    big = {m: count_queries(client, url(m, "changelist")) for m in models}
    assert big == small


def test_the_admin_index_queries_do_not_grow_with_rows(org, township_staff, login, django_assert_max_num_queries):
    client = login(township_staff)
    client.get(reverse("admin:index"))
    small = count_queries(client, reverse("admin:index"))
    grow_township(org.ta, 6)
    with django_assert_max_num_queries(9):
        client.get(reverse("admin:index"))
    assert count_queries(client, reverse("admin:index")) == small


# --- forms that answer mistakes in words -------------------------------------------------------------------------


def test_adding_a_member_with_a_bad_check_digit_keeps_what_was_typed(org, township_staff, login):
    client = login(township_staff)
    data = form_data(client.get(url(PartyMember, "add")))
    new = PartyMemberFactory.build(village=org.a1)
    wrong = new.id_number[:17] + ("0" if new.id_number[17] != "0" else "1")
    data.update(
        village=org.a1.pk,
        name="王新党员",
        sex=new.sex,
        birth_date=new.birth_date.isoformat(),
        id_number=wrong,
        phone="13912345678",
        joined_on=new.joined_on.isoformat(),
        status=new.status,
    )
    response = client.post(url(PartyMember, "add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [e.code for e in form.errors.as_data()["id_number"]] == ["id_check_digit"]
    assert 'value="王新党员"' in page(response)
    assert wrong in page(response)
    assert not PartyMember.objects.filter(name="王新党员").exists()


def test_adding_a_valid_member_saves_it(org, township_staff, login):
    client = login(township_staff)
    data = form_data(client.get(url(PartyMember, "add")))
    new = PartyMemberFactory.build(village=org.a1)
    data.update(
        village=org.a1.pk,
        name="王新党员",
        sex=new.sex,
        birth_date=new.birth_date.isoformat(),
        id_number=new.id_number,
        phone="139 1234 5678",
        joined_on=new.joined_on.isoformat(),
        status=new.status,
    )
    response = client.post(url(PartyMember, "add"), data)
    assert response.status_code == 302
    saved = PartyMember.objects.get(name="王新党员")
    assert saved.id_number == new.id_number
    assert saved.phone == "13912345678"


def test_adding_a_member_twice_answers_on_the_id_number(org, township_staff, login):
    client = login(township_staff)
    existing = org.a2_members[0]
    data = form_data(client.get(url(PartyMember, "add")))
    data.update(
        village=org.a1.pk,
        name="重复党员",
        sex=existing.sex,
        birth_date=existing.birth_date.isoformat(),
        id_number=existing.id_number,
        joined_on=existing.joined_on.isoformat(),
        status=existing.status,
    )
    response = client.post(url(PartyMember, "add"), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["id_number"]] == ["id_duplicate"]
    assert not PartyMember.objects.filter(name="重复党员").exists()


def test_a_duplicate_village_name_is_answered_in_the_form(org, township_staff, login):
    client = login(township_staff)
    data = form_data(client.get(url(Village, "add")))
    data.update(township=org.ta.pk, name="井阳村", branch_name="中共井阳村支部委员会")
    response = client.post(url(Village, "add"), data)
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Village.objects.filter(name="井阳村").count() == 1


def posts_snapshot(group):
    return sorted(
        GroupPost.objects.filter(party_group=group).values_list("member_id", "role", "started_on", "ended_on")
    )


def open_group(client, group):
    response = client.get(url(PartyGroup, "change", group.pk))
    assert response.status_code == 200
    return response, form_data(response)


def test_the_group_page_adds_a_member_through_the_inline(org, township_staff, login):
    client = login(township_staff)
    response, data = open_group(client, org.a1_g1)
    add_inline_row(
        data,
        inline_prefix(response, GroupPost),
        member=org.a1_loose.pk,
        role=Role.MEMBER,
        started_on=datetime.date(2024, 6, 1),
    )
    response = client.post(url(PartyGroup, "change", org.a1_g1.pk), data)
    assert response.status_code == 302, all_errors(response)
    assert GroupPost.objects.current().get(member=org.a1_loose).party_group == org.a1_g1


def test_the_group_page_refuses_a_second_leader_in_words(org, township_staff, login):
    client = login(township_staff)
    before = posts_snapshot(org.a1_g1)
    response, data = open_group(client, org.a1_g1)
    add_inline_row(
        data,
        inline_prefix(response, GroupPost),
        member=org.a1_loose.pk,
        role=Role.LEADER,
        started_on=datetime.date(2024, 6, 1),
    )
    response = client.post(url(PartyGroup, "change", org.a1_g1.pk), data)
    assert response.status_code == 200
    assert all_errors(response)
    assert posts_snapshot(org.a1_g1) == before


def test_the_group_page_refuses_two_leaders_added_together(org, township_staff, login):
    client = login(township_staff)
    before = posts_snapshot(org.a1_g2)  # a group without leader
    extra = PartyMemberFactory(village=org.a1)
    response, data = open_group(client, org.a1_g2)
    prefix = inline_prefix(response, GroupPost)
    for member in (org.a1_loose, extra):
        add_inline_row(data, prefix, member=member.pk, role=Role.LEADER, started_on=datetime.date(2024, 6, 1))
    response = client.post(url(PartyGroup, "change", org.a1_g2.pk), data)
    assert response.status_code == 200
    assert all_errors(response)
    assert posts_snapshot(org.a1_g2) == before


def test_the_group_page_refuses_a_third_deputy_in_words(org, township_staff, login):
    a, b, c, *_ = org.a1_g1_members
    elect(org.a1_g1, datetime.date(2024, 6, 1), 5, a, [b, c])  # now two deputies
    client = login(township_staff)
    before = posts_snapshot(org.a1_g1)
    response, data = open_group(client, org.a1_g1)
    add_inline_row(
        data,
        inline_prefix(response, GroupPost),
        member=org.a1_loose.pk,
        role=Role.DEPUTY,
        started_on=datetime.date(2024, 7, 1),
    )
    response = client.post(url(PartyGroup, "change", org.a1_g1.pk), data)
    assert response.status_code == 200
    assert all_errors(response)
    assert posts_snapshot(org.a1_g1) == before


def test_the_group_page_refuses_two_new_deputies_beside_the_sitting_one(org, township_staff, login):
    client = login(township_staff)
    extra = PartyMemberFactory(village=org.a1)
    before = posts_snapshot(org.a1_g1)  # one deputy sits already
    response, data = open_group(client, org.a1_g1)
    prefix = inline_prefix(response, GroupPost)
    for member in (org.a1_loose, extra):
        add_inline_row(data, prefix, member=member.pk, role=Role.DEPUTY, started_on=datetime.date(2024, 6, 1))
    response = client.post(url(PartyGroup, "change", org.a1_g1.pk), data)
    assert response.status_code == 200
    assert all_errors(response)
    assert posts_snapshot(org.a1_g1) == before


def test_the_group_page_refuses_a_member_of_another_group(org, township_staff, login):
    client = login(township_staff)
    before = posts_snapshot(org.a1_g1)
    response, data = open_group(client, org.a1_g1)
    add_inline_row(
        data,
        inline_prefix(response, GroupPost),
        member=org.a1_g2_members[0].pk,
        role=Role.MEMBER,
        started_on=datetime.date(2024, 6, 1),
    )
    response = client.post(url(PartyGroup, "change", org.a1_g1.pk), data)
    assert response.status_code == 200
    assert all_errors(response)
    assert posts_snapshot(org.a1_g1) == before


def test_the_post_page_refuses_a_second_leader_in_words(org, township_staff, login):
    client = login(township_staff)
    data = form_data(client.get(url(GroupPost, "add")))
    data.update(party_group=org.a1_g1.pk, member=org.a1_loose.pk, role=Role.LEADER, started_on="2024-06-01")
    response = client.post(url(GroupPost, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not GroupPost.objects.filter(member=org.a1_loose).exists()


def filter_choices(response, field_path: str) -> set[str]:
    """The labels a changelist filter offers (a filter with a single choice is not shown at all)."""
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "field_path", None) == field_path:
            return {label for _pk, label in spec.lookup_choices}
    return set()


def test_the_filters_offer_only_what_the_person_may_see(org, township_staff, county_viewer, login):
    response = login(township_staff).get(url(PartyMember, "changelist"))
    assert filter_choices(response, "village") == {"罗紫村", "井阳村"}
    assert filter_choices(response, "village__township") <= {"东河乡"}
    response = login(county_viewer).get(url(PartyMember, "changelist"))
    assert filter_choices(response, "village") == {"罗紫村", "井阳村", "白石村"}
    assert filter_choices(response, "village__township") == {"东河乡", "西山乡"}


def test_a_filter_on_a_foreign_village_lists_nothing(org, township_staff, login):
    response = login(township_staff).get(url(PartyMember, "changelist"), {"village__id__exact": org.b1.pk})
    assert list(response.context["cl"].result_list) == []


def test_the_superuser_still_reads_the_history_of_a_deleted_row(org, superuser, county_viewer, login):
    from township.models import Township

    township = Township.objects.create(county=org.county, name="撤并乡")
    pk = township.pk
    township.delete()
    assert login(superuser).get(url(Township, "history", pk)).status_code == 200
    assert login(county_viewer).get(url(Township, "history", pk)).status_code == 404


def test_a_tabular_inline_that_scrolls_sideways_on_a_phone_can_be_reached_by_keyboard(org, township_staff, login):
    """The admin's tabular inlines scroll sideways on a narrow screen (Django's responsive.css): each is a labelled
    region a keyboard can focus and scroll (axe-core's scrollable-region-focusable, whether or not the table happens
    to overflow when it looks)."""
    from activity.models import MonthlyReport
    from activity.reports.services import report_for

    report = report_for(party_group=org.a1_g1, month=datetime.date(2027, 3, 1), acting_user=None)
    html = page(login(township_staff).get(url(MonthlyReport, "change", report.pk)))
    start = html.index('id="activities-group"')
    tag = html[html.rindex("<div", 0, start) : html.index(">", start)]
    assert 'tabindex="0"' in tag and 'role="region"' in tag
    assert "（可左右滑动）" in tag


# --- the member list's links and filters (issue 18: written once per page, asked only where they can choose) -------


def test_each_rows_link_brings_back_the_search_it_came_from(org, township_staff, login):
    """As Django's own rows do (its `add_preserved_filters`, the oracle here): the change page's link carries the
    list's search, and saving there returns to it."""
    from urllib.parse import urlencode

    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

    client = login(township_staff)
    text = page(client.get(url(PartyMember, "changelist") + "?" + urlencode({"q": "罗紫党员1"})))
    member = PartyMember.objects.get(name="罗紫党员1")
    preserved = urlencode({"_changelist_filters": urlencode({"q": "罗紫党员1"})})
    change_url = url(PartyMember, "change", member.pk)
    link = add_preserved_filters({"preserved_filters": preserved, "opts": PartyMember._meta}, change_url)
    assert "_changelist_filters=" in link and f'href="{link}"' in text
    change = client.get(link)
    assert change.status_code == 200
    assert preserved.split("=", 1)[1] in page(change)  # the form posts back to the same search


def test_a_row_link_without_a_search_carries_nothing(org, township_staff, login):
    text = page(login(township_staff).get(url(PartyMember, "changelist")))
    member = PartyMember.objects.get(name="罗紫党员1")
    assert f'href="{url(PartyMember, "change", member.pk)}"' in text


def test_the_township_filter_is_offered_only_to_those_who_see_several_townships(
    org, township_staff, county_viewer, login
):
    own = page(login(township_staff).get(url(PartyMember, "changelist")))
    assert "village__township__id__exact" not in own and "village__id__exact" in own
    county = page(login(county_viewer).get(url(PartyMember, "changelist")))
    assert "village__township__id__exact" in county and "东河乡" in county
    filtered = login(county_viewer).get(url(PartyMember, "changelist") + f"?village__township__id__exact={org.ta.pk}")
    assert "罗紫党员1" in page(filtered)
