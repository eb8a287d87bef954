"""Records one department provided, seen by another as the catalogue shares them: the
约谈记录 (YTJL, 政务共享, 有条件共享) in the internal file through the API, the console page and
the command line, marked and audited; never on the portal, never for an inspector."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ORG, add_user, console_sign_in
from tests.rectifications.test_rectifications import _finding, _hold, _order, _schedule, at
from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import create_app


def _held(platform: Platform, clock: FixedClock) -> str:
    """scjg holds an interview on ORG (hbj is the other department); hbj's API key."""
    clock.set(at(2026, 6, 15))
    case_id = _order(platform, _finding(platform))
    _schedule(platform, case_id)
    clock.set(at(2026, 7, 22, 15))
    _hold(platform, case_id)
    with platform.engine.begin() as conn:
        from xinyong.access import service as access

        return access.issue_key(conn, "hbj系统2", "department", "hbj", platform.clock.now())


def _records(answer: dict[str, object]) -> list[dict[str, object]]:
    return [
        r
        for g in answer["groups"]  # type: ignore[attr-defined]
        for i in g["items"]
        for r in i["records"]
    ]


def test_another_departments_key_sees_the_interview_record_marked_and_audited(
    platform: Platform, clock: FixedClock
) -> None:
    key = _held(platform, clock)
    client = TestClient(create_app(platform))
    resp = client.get(
        f"/api/v1/subjects/{ORG}/file",
        params={"view": "internal", "purpose": "日常监管核查"},
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 200, resp.text
    ytjl = [r for r in _records(resp.json()) if r["item"] == "YTJL"]
    assert len(ytjl) == 1
    assert ytjl[0]["sharing"]["code"] == "有条件共享"  # type: ignore[index]
    # The case's own steps stay with the deciding department.
    assert not [r for r in _records(resp.json()) if str(r["item"]).startswith("case:")]
    with platform.engine.connect() as conn:
        read = [r for r in access_repo.audit_rows(conn) if r["action"] == "read_file"][-1]
    detail = json.loads(read["detail"])
    assert detail["scope"] == "department:hbj"
    assert detail["shared_entries"] == [ytjl[0]["entry_id"]]
    public = client.get(f"/api/v1/subjects/{ORG}/file").json()
    assert not [r for r in _records(public) if r["item"] == "YTJL"]
    portal = client.get(f"/subjects/{ORG}")
    assert portal.status_code == 200
    assert "约谈记录" not in portal.text


def test_the_console_page_shows_it_to_another_departments_officer_not_an_inspector(
    platform: Platform, clock: FixedClock
) -> None:
    _held(platform, clock)
    add_user(platform, "hbj_officer", "department_officer", "hbj")
    add_user(platform, "inspector", "inspector")
    add_user(platform, "admin", "office_admin")
    officer = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(officer, "hbj_officer").status_code == 303
    assert officer.get("/console/subjects/file").status_code == 200
    page = officer.get("/console/subjects/file", params={"code": ORG, "purpose": "日常监管核查"})
    assert page.status_code == 200
    assert "约谈记录" in page.text
    assert "有条件共享" in page.text
    assert "其他部门共享 1 条" in page.text
    assert "告知整改不到位的后果" in page.text
    # No purpose: refused with the field named, nothing read.
    bare = officer.get("/console/subjects/file", params={"code": ORG})
    assert bare.status_code == 400
    assert "用途" in bare.text
    admin = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(admin, "admin").status_code == 303
    whole = admin.get("/console/subjects/file", params={"code": ORG, "purpose": "信用办核查"})
    assert "约谈记录" in whole.text
    assert "其他部门共享" not in whole.text  # the office reads the whole file, nothing "shared"
    inspector = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(inspector, "inspector").status_code == 303
    assert inspector.get("/console/subjects/file").status_code == 403


def test_the_command_line_shows_a_departments_view(
    platform: Platform, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from xinyong.web.cli import app

    _held(platform, clock)
    monkeypatch.setattr("xinyong.web.cli._platform", lambda: platform)
    monkeypatch.setattr("xinyong.web.commands.common._platform", lambda: platform)
    runner = CliRunner()
    args = ["file", ORG, "--view", "internal", "--purpose", "核查"]
    shared = runner.invoke(app, [*args, "--department", "hbj"])
    assert shared.exit_code == 0, shared.output
    assert "约谈记录" in shared.output
    assert "共享：有条件共享" in shared.output
    whole = runner.invoke(app, args)
    assert "约谈记录" in whole.output
    assert "共享：" not in whole.output
    wrong = runner.invoke(app, ["file", ORG, "--department", "hbj"])
    assert wrong.exit_code != 0
    assert "--view internal" in wrong.output
    unknown = runner.invoke(app, [*args, "--department", "nosuch"])
    assert unknown.exit_code != 0
