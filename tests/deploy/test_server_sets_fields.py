"""The village, status and author of a record come from the person's scope, never from the request: a POST that
names another village, a status or an author saves nothing there."""

from __future__ import annotations

import datetime

from django.urls import reverse

from activity.models import Concern, Project
from core import clock

TODAY = clock.today()


def test_a_concern_posted_with_another_village_status_and_author_lands_in_the_secretarys_own(
    org, secretary_a1, township_b_staff, login
):
    client = login(secretary_a1)
    response = client.post(
        reverse("concerns:new") + f"?village={org.b1.pk}",
        {
            "villager_group": org.a1_vgs[0].pk,
            "raised_through": org.a1_g1_members[0].pk,
            "raised_on": TODAY.isoformat(),
            "category": Concern.Category.choices[0][0],
            "content": "修路的钱什么时候到",
            "handling": Concern.Handling.ON_SPOT,
            "answer": "已当场解释",
            # what the request has no say in:
            "village": org.b1.pk,
            "resolved_on": "2001-01-01",
            "recorded_by": township_b_staff.pk,
            "party_group": org.b1_g1.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    concern = Concern.objects.get(content="修路的钱什么时候到")
    assert concern.village == org.a1
    assert concern.recorded_by == secretary_a1
    assert concern.party_group_id != org.b1_g1.pk
    assert concern.resolved_on != datetime.date(2001, 1, 1)
    assert not Concern.objects.filter(village=org.b1).exists()


def test_a_project_for_another_villages_villager_group_is_refused_and_nothing_is_saved(org, secretary_a1, login):
    client = login(secretary_a1)
    response = client.post(
        reverse("projects:new"),
        {"villager_group": org.b1_vgs[0].pk, "name": "白石引水工程", "started_on": TODAY.isoformat(), "local_jobs": 0},
    )
    assert response.status_code == 200  # the form again, with the error beside the field
    assert "villager_group" in response.context["form"].errors
    assert not Project.objects.filter(name="白石引水工程").exists()


def test_a_project_posted_with_another_village_is_saved_in_the_villager_groups_own(org, secretary_a1, login):
    client = login(secretary_a1)
    client.post(
        reverse("projects:new"),
        {
            "villager_group": org.a1_vgs[0].pk,
            "name": "罗紫一社水渠",
            "started_on": TODAY.isoformat(),
            "local_jobs": 0,
            "village": org.b1.pk,
        },
    )
    project = Project.objects.get(name="罗紫一社水渠")
    assert project.village == org.a1
