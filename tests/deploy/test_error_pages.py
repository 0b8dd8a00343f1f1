"""What a person sees when something goes wrong: a Chinese page, no traceback, no internals."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.deploy.test_csp import inline_code


@pytest.mark.urls("tests.deploy.urls_failing")
def test_a_server_error_shows_a_chinese_page_without_internals(client, org, township_staff, caplog):
    client.force_login(township_staff)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/failing/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错了" in page and "您输入的内容没有保存" in page
    for internal in ("Traceback", "DatabaseTrouble", "SELECT id_number", "urls_failing", 'File "'):
        assert internal not in page
    assert "Content-Security-Policy" in response and not inline_code(page)
    # ...while the operator's log has the whole story
    assert any(r.exc_info and r.exc_info[0].__name__ == "DatabaseTrouble" for r in caplog.records)


def test_a_missing_page_is_explained_in_chinese(client, org, secretary_a1):
    client.force_login(secretary_a1)
    response = client.get(reverse("village", args=[org.b1.pk]))  # another township's village: as if missing
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "该页面不存在，或不属于您所在的村或乡" in page
    assert "白石村" not in page


def test_a_forbidden_change_is_explained_in_chinese(client, org, county_viewer):
    client.force_login(county_viewer)
    response = client.get(reverse("groups:election-new", args=[org.a1_g1.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权操作" in page and "您的账号只能查看本页，不能修改" in page
