"""The main menu (core/templatetags/site_menu.py): kept once per different menu, always the menu the person's role,
name and language give right now, word for word the menu base.html wrote before it was kept."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from township.models import Assignment

# base.html's menu as it was written in the page itself: the oracle the kept menu is checked against
BEFORE = """{% load i18n humanize_cn %}<span translate="no">{{ user|who }}</span>
    <a href="{% url 'home' %}">{% translate "Home" %}</a>
    {% if request.duty_role == "auditor" or user.is_superuser %}<a href="{% url 'audit:events' %}">{% translate "Audit trail" %}</a>{% endif %}
    {% if not request.duty_role %}
    <a href="{% url 'concerns:list' %}">{% translate "Concerns" %}</a>
    <a href="{% url 'funds:index' %}">{% translate "Funds" %}</a>
    {% if perms.orglife.read %}<a href="{% url 'orglife:index' %}">组织生活</a>{% endif %}
    {% if perms.dues.read or perms.dues.collect %}<a href="{% url 'dues:index' %}">党费</a>{% endif %}
    <a href="{% url 'projects:list' %}">{% translate "Projects" %}</a>
    {% if perms.scores.read %}<a href="{% url 'appraisal:index' %}">考核</a>{% endif %}
    {% if perms.awards.read %}<a href="{% url 'awards:index' %}">评优表彰</a>{% endif %}
    {% endif %}
    {% if user.is_staff %}<a href="{% url 'admin:index' %}">{% translate "Township admin" %}</a>{% endif %}
    <a href="{% url 'help' %}">帮助</a>
    <a href="{% url 'password_change' %}">{% translate "Change password" %}</a>"""  # noqa: E501

PERSONAS = ["secretary_a1", "township_staff", "county_viewer", "group_leader", "auditor", "account_admin", "superuser"]


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def _menu(page) -> str:
    html = page.content.decode()
    start = html.index('<nav id="site-menu"')
    start = html.index(">", start) + 1
    return _squeezed(html[start : html.index("<form", start)])


def _before(user, duty_role, language="zh-hans") -> str:
    request = RequestFactory().get("/")
    request.user, request.duty_role = user, duty_role
    with translation.override(language):
        return _squeezed(engines["django"].from_string(BEFORE).render({}, request))


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_gets_the_menu_the_page_wrote_before(org, persona, request, login):
    user = request.getfixturevalue(persona)
    page = login(user).get(reverse("password_change"))
    assert page.status_code == 200
    assert _menu(page) == _before(user, page.wsgi_request.duty_role)


def test_a_changed_name_or_role_shows_on_the_next_page(org, secretary_a1, login):
    client = login(secretary_a1)
    first = _menu(client.get(reverse("password_change")))
    assert "党费" in first and "罗新" not in first
    secretary_a1.first_name = "罗新"
    secretary_a1.save()
    Assignment.objects.filter(user=secretary_a1).update(role=Assignment.Role.AUDITOR, village=None)
    page = client.get(reverse("password_change"))
    after = _menu(page)
    assert "罗新" in after and "党费" not in after
    assert after == _before(secretary_a1, page.wsgi_request.duty_role)


def test_the_logout_form_carries_this_requests_token(org, secretary_a1, login):
    client = login(secretary_a1)
    html = client.get(reverse("password_change")).content.decode()
    nav = html[html.index('<nav id="site-menu"') : html.index("</nav>")]
    form = r'<form method="post" action="/accounts/logout/">'
    assert re.search(form + r'<input type="hidden" name="csrfmiddlewaretoken" value="\w{20,}">', nav)
