"""The office's page for subject accounts: issue a code (shown once), list, disable, enable;
office administrators only; on both engines."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    penalty,
    resident_id,
)
from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app

PATH = "/console/subject-accounts"


@pytest.fixture
def admin(platform: Platform) -> TestClient:
    add_department(platform)
    add_user(platform, "admin", "office_admin")
    add_user(platform, "officer", "department_officer", "scjg")
    result = platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 1
    client = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(client, "admin").status_code == 303
    return client


def test_the_office_issues_a_code_the_subject_can_activate_with(
    platform: Platform, admin: TestClient
) -> None:
    page = admin.get(PATH)
    assert page.status_code == 200
    assert "尚无主体账户" in page.text
    home = admin.get("/console")
    assert 'href="/console/subject-accounts"' in home.text
    # An empty days field takes the default.
    resp = admin.post(PATH, data={"csrf": csrf_of(page.text), "uscc": ORG, "days": ""})
    assert resp.status_code == 200, resp.text
    code = re.search(r"<code>([0-9A-Z-]{24})</code>", resp.text)
    assert code is not None
    assert "只显示这一次" in resp.text
    assert "待激活" in resp.text
    # The code works on the subject's page.
    subject = TestClient(create_app(platform), base_url="https://testserver")
    form = subject.get("/account/activate")
    activated = subject.post(
        "/account/activate",
        data={
            "csrf": csrf_of(form.text),
            "uscc": ORG,
            "code": code.group(1),
            "password": "Subject-Pass-2026",
            "confirm": "Subject-Pass-2026",
        },
        follow_redirects=False,
    )
    assert activated.status_code == 303
    listed = admin.get(PATH)
    assert "已激活" in listed.text
    assert code.group(1) not in listed.text  # shown once only
    # Disable ends the subject's session; enable brings it back.
    out = admin.post(f"{PATH}/{ORG}/disable", data={"csrf": csrf_of(listed.text)})
    assert "已停用" in out.text
    assert subject.get("/account", follow_redirects=False).status_code == 303
    back = admin.post(f"{PATH}/{ORG}/enable", data={"csrf": csrf_of(out.text)})
    assert "已激活" in back.text
    with platform.engine.connect() as conn:
        rows = access_repo.audit_rows(conn)
    issued = [r for r in rows if r["action"] == "subject_code_issue"]
    assert [r["actor"] for r in issued] == ["user:1:admin"]
    assert any(r["action"] == "read_subject_accounts" for r in rows)


def test_bad_input_is_a_chinese_message_without_the_value(admin: TestClient) -> None:
    page = admin.get(PATH)
    number = resident_id(seq="777")
    resp = admin.post(PATH, data={"csrf": csrf_of(page.text), "uscc": number})
    assert resp.status_code == 422
    assert "自然人不开通主体账户" in resp.text
    assert number not in resp.text
    resp = admin.post(PATH, data={"csrf": csrf_of(page.text), "uscc": "91610102MA6T2K9X7Y"})
    assert resp.status_code in (404, 422)
    resp = admin.post(PATH, data={"csrf": csrf_of(page.text), "uscc": ORG, "days": "999"})
    assert resp.status_code == 400
    resp = admin.post(f"{PATH}/{ORG}/disable", data={"csrf": csrf_of(page.text)})
    assert resp.status_code == 404
    assert "没有主体账户" in resp.text
    assert admin.post(PATH, data={"csrf": "0" * 64, "uscc": ORG}).status_code == 403


def test_only_the_office_administrator(platform: Platform, admin: TestClient) -> None:
    officer = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(officer, "officer").status_code == 303
    assert officer.get(PATH).status_code == 403
    assert PATH not in officer.get("/console").text
