"""Announcements (通知公告): the office publishes and withdraws, the portal shows the published
ones (API, pages, home page), the console and the command line do the same; both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import TEST_KEY
from tests.helpers import add_department, add_user, console_sign_in, csrf_of, resident_id
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.settings import get_settings
from xinyong.web.app import create_app
from xinyong.web.cli import app as cli

BODY = "为规范信用修复工作，现将有关事项通知如下。\n一、申请条件。\n二、办理时限。"


@pytest.fixture
def office(platform: Platform) -> dict[str, str]:
    with platform.engine.begin() as conn:
        key = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
    return {"X-API-Key": key}


def _publish(client: TestClient, office: dict[str, str], **fields: str) -> dict:  # type: ignore[type-arg]
    body = {"category": "通知公告", "title": "关于开展信用修复工作的通知", "body": BODY} | fields
    resp = client.post("/api/v1/announcements", json=body, headers=office)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_published_announcements_show_on_the_portal_until_withdrawn(
    platform: Platform, office: dict[str, str]
) -> None:
    client = TestClient(create_app(platform))
    first = _publish(client, office)
    second = _publish(client, office, category="news", title="全省信用监管工作动态")
    assert first["category"] == {"code": "notice", "name": "通知公告"}
    assert first["state"] == "published"
    listed = client.get("/api/v1/announcements").json()
    assert [a["id"] for a in listed["announcements"]] == [second["id"], first["id"]]
    assert "published_by" not in listed["announcements"][0]  # the public view
    only = client.get("/api/v1/announcements", params={"category": "news"}).json()
    assert [a["title"] for a in only["announcements"]] == ["全省信用监管工作动态"]
    home = client.get("/").text
    assert "关于开展信用修复工作的通知" in home
    assert f"/announcements/{first['id']}" in home
    page = client.get(f"/announcements/{first['id']}").text
    assert "一、申请条件。" in page
    assert "二、办理时限。" in page
    assert "工作动态" in client.get("/announcements").text

    withdrawn = client.post(
        f"/api/v1/announcements/{first['id']}/withdraw",
        json={"reason": "内容有误，重新发布"},
        headers=office,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state_name"] == "已撤回"
    assert client.get(f"/api/v1/announcements/{first['id']}").status_code == 404
    assert client.get(f"/announcements/{first['id']}").status_code == 404
    assert "关于开展信用修复工作的通知" not in client.get("/").text
    again = client.post(
        f"/api/v1/announcements/{first['id']}/withdraw", json={"reason": "再撤"}, headers=office
    )
    assert again.status_code == 409


def test_bad_announcements_are_refused_and_nothing_is_written(
    platform: Platform, office: dict[str, str]
) -> None:
    client = TestClient(create_app(platform))
    number = resident_id()
    cases = [
        ({"category": "公示", "title": "t", "body": "b"}, "公告栏目"),
        ({"category": "notice", "title": "  ", "body": "b"}, "标题（title）不能为空"),
        (
            {"category": "notice", "title": "t", "body": f"张三，身份证号{number}"},
            "疑似居民身份证号码",
        ),
    ]
    for body, says in cases:
        resp = client.post("/api/v1/announcements", json=body, headers=office)
        assert resp.status_code == 422, resp.text
        assert says in resp.json()["detail"]["message"]
        assert number not in resp.text
    assert client.get("/api/v1/announcements").json()["total"] == 0
    assert client.get("/api/v1/announcements", params={"category": "x"}).status_code == 422


def test_only_the_office_publishes(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    dept = add_department(platform)
    body = {"category": "notice", "title": "t", "body": "b"}
    assert client.post("/api/v1/announcements", json=body).status_code == 401
    resp = client.post("/api/v1/announcements", json=body, headers={"X-API-Key": dept})
    assert resp.status_code == 403


def test_the_console_publishes_and_withdraws(platform: Platform) -> None:
    app = create_app(platform)
    client = TestClient(app, base_url="https://testserver")
    add_user(platform, "admin", "office_admin")
    add_user(platform, "officer", "department_officer", add_department(platform) and "scjg")
    assert console_sign_in(client, "admin").status_code == 303
    page = client.get("/console/announcements")
    assert page.status_code == 200
    sent = client.post(
        "/console/announcements",
        data={
            "csrf": csrf_of(page.text),
            "category": "policy",
            "title": "陕西省信用修复管理办法",
            "body": BODY,
        },
    )
    assert sent.status_code == 200
    assert "已发布" in sent.text
    public = TestClient(app).get("/api/v1/announcements").json()["announcements"]
    assert [(a["category"]["name"], a["title"]) for a in public] == [
        ("政策文件", "陕西省信用修复管理办法")
    ]
    refused = client.post(
        "/console/announcements",
        data={"csrf": "0" * 64, "category": "policy", "title": "x", "body": "y"},
    )
    assert refused.status_code == 403
    gone = client.post(
        f"/console/announcements/{public[0]['id']}/withdraw",
        data={"csrf": csrf_of(sent.text), "reason": "已废止"},
    )
    assert "已撤回" in gone.text
    assert TestClient(app).get("/api/v1/announcements").json()["total"] == 0
    officer = TestClient(app, base_url="https://testserver")
    assert console_sign_in(officer, "officer").status_code == 303
    assert officer.get("/console/announcements").status_code == 403


@pytest.fixture
def env(platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", platform.engine.url.render_as_string(False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", TEST_KEY)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_command_line(env: Path) -> None:
    runner = CliRunner()
    body = env / "body.txt"
    body.write_text(BODY, encoding="utf-8")
    out = runner.invoke(
        cli,
        [
            "announcements",
            "add",
            "--category",
            "通知公告",
            "--title",
            "通知",
            "--body-file",
            str(body),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "#1 [已发布] 通知公告｜通知" in out.output
    listed = runner.invoke(cli, ["announcements", "list"])
    assert "#1 通知公告｜通知" in listed.output
    gone = runner.invoke(cli, ["announcements", "withdraw", "1", "--reason", "有误"])
    assert gone.exit_code == 0, gone.output
    assert "[已撤回]" in runner.invoke(cli, ["announcements", "list", "--all"]).output
    bad = runner.invoke(
        cli, ["announcements", "add", "--category", "x", "--title", "t", "--body-file", str(body)]
    )
    assert bad.exit_code != 0
    assert "公告栏目" in bad.output
