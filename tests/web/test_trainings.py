"""Integrity education (诚信教育) through the shells on both engines: the API (a department
creates, records, certifies its own session; another department is refused; codes with
labels), the console (list, create, a session's page, attendance, certify; CSRF; another
department's officer refused), the subject's /account/trainings, and ``xinyong trainings``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    cli_json,
    console_sign_in,
    csrf_of,
    csv_bytes,
    error_detail,
    penalty,
    resident_id,
    run_cli,
)
from tests.web.test_subject_repair import _signed_in
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.commitments.tables import training_attendance, trainings
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.web.app import create_app

PURPOSE = {"purpose": "核查参训"}


def _setup(platform: Platform) -> dict[str, dict[str, str]]:
    keys = {
        "scjg": add_department(platform, name="省市场监督管理局"),
        "swj": add_department(platform, "swj", "tax", "省税务局"),
    }
    with platform.engine.begin() as conn:
        keys["office"] = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
        keys["auditor"] = access.issue_key(conn, "审计", "auditor", None, platform.clock.now())
    platform.importer().import_bytes(
        csv_bytes([penalty(), penalty(CF_XDR_SHXYM=ORG2, CF_WSH="陕市监罚〔2026〕8号")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    return {k: {"X-API-Key": v} for k, v in keys.items()}


def _counts(platform: Platform) -> tuple[int, int]:
    with platform.engine.connect() as conn:
        return (
            int(conn.execute(select(func.count()).select_from(trainings)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(training_attendance)).scalar_one()),
        )


def test_api(platform: Platform, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 9, 10, 10, 0, tzinfo=CHINA_TZ))
    h = _setup(platform)
    client = TestClient(create_app(platform))
    body = {"title": "诚信教育专题培训", "held_on": "2026-09-10", "place": "西安市行政中心"}
    resp = client.post("/api/v1/trainings", json=body, headers=h["scjg"])
    assert resp.status_code == 201, resp.text
    t = resp.json()
    assert (t["department"], t["department_label"]) == ("scjg", "省市场监督管理局")
    assert t["free_of_charge"] is True
    assert t["market_entry_condition"] is False
    # Another department may not organise for scjg, nor the auditor at all.
    resp = client.post("/api/v1/trainings", json={**body, "department": "scjg"}, headers=h["swj"])
    assert resp.status_code == 403
    assert "部门只能为本部门组织" in error_detail(resp)["message"]
    assert client.post("/api/v1/trainings", json=body, headers=h["auditor"]).status_code == 403
    # The office names the department.
    resp = client.post("/api/v1/trainings", json=body, headers=h["office"])
    assert resp.status_code == 422
    future = client.post(
        "/api/v1/trainings",
        json={**body, "held_on": "2026-10-20", "department": "swj"},
        headers=h["office"],
    )
    assert future.status_code == 201
    assert future.json()["department_label"] == "省税务局"
    assert _counts(platform) == (2, 0)
    tid = t["id"]
    number = resident_id()
    resp = client.post(
        f"/api/v1/trainings/{tid}/attendance",
        json={"subject": ORG, "representative": "张三", "representative_id": number},
        headers=h["scjg"],
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["attendance"][0]["representative"].startswith("张* 610102")
    assert number not in resp.text
    assert "张三" not in resp.text
    refusals = [
        (tid, {"subject": ORG, "representative": "张三"}, h["scjg"], 409, "不能重复登记"),
        (tid, {"subject": ORG2, "representative": "李四"}, h["swj"], 403, "其他部门"),
        (
            future.json()["id"],
            {"subject": ORG2, "representative": "李四"},
            h["office"],
            409,
            "尚未举办",
        ),
        (tid, {"subject": "91610102MA6T9K9X0A", "representative": "李四"}, h["scjg"], 422, ""),
    ]
    for training, payload, headers, status, why in refusals:
        resp = client.post(
            f"/api/v1/trainings/{training}/attendance", json=payload, headers=headers
        )
        assert resp.status_code == status, (payload, resp.text)
        assert why in resp.text
    assert _counts(platform) == (2, 1)
    cert_url = f"/api/v1/trainings/{tid}/attendance/{ORG}/certificate"
    assert client.post(cert_url, headers=h["swj"]).status_code == 403
    resp = client.post(cert_url, headers=h["scjg"])
    assert resp.status_code == 201, resp.text
    certificate = resp.json()["certificate"]
    assert certificate.startswith("PX2026SCJG")
    again = client.post(cert_url, headers=h["scjg"])
    assert again.status_code == 409
    assert "不能重复发放" in again.text
    resp = client.post(f"/api/v1/trainings/{tid}/attendance/{ORG2}/certificate", headers=h["scjg"])
    assert resp.status_code == 409
    assert "未登记参加" in resp.text
    # Reads: a department sees its own; a session's attendance needs a purpose.
    listed = client.get("/api/v1/trainings", headers=h["scjg"]).json()
    assert [x["id"] for x in listed["items"]] == [tid]
    assert listed["items"][0]["certified"] == 1
    assert client.get("/api/v1/trainings", headers=h["office"]).json()["total"] == 2
    assert (
        client.get("/api/v1/trainings", params={"department": "swj"}, headers=h["scjg"]).status_code
        == 403
    )
    assert client.get(f"/api/v1/trainings/{tid}", headers=h["office"]).status_code == 422
    one = client.get(f"/api/v1/trainings/{tid}", params=PURPOSE, headers=h["auditor"])
    assert one.status_code == 200
    assert one.json()["attendance"][0]["certificate"] == certificate
    assert (
        client.get(f"/api/v1/trainings/{tid}", params=PURPOSE, headers=h["swj"]).status_code == 403
    )
    assert (
        client.get("/api/v1/trainings/999", params=PURPOSE, headers=h["office"]).status_code == 404
    )


def test_console_and_account_pages(platform: Platform, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 9, 10, 10, 0, tzinfo=CHINA_TZ))
    _setup(platform)
    add_user(platform, "off_scjg", "department_officer", "scjg")
    add_user(platform, "off_swj", "department_officer", "swj")
    add_user(platform, "admin", "office_admin")
    app = create_app(platform)
    mine = TestClient(app, base_url="https://testserver")
    assert console_sign_in(mine, "off_scjg").status_code == 303
    page = mine.get("/console/trainings")
    assert page.status_code == 200
    assert 'href="/console/trainings"' in page.text  # the nav link
    assert "不得收费" in page.text
    assert "还没有诚信教育培训" in page.text
    csrf = csrf_of(page.text)
    form = {"title": "诚信教育专题培训", "held_on": "2026-09-10", "place": "西安市行政中心"}
    # No CSRF token: refused, nothing written.
    assert mine.post("/console/trainings", data={**form, "csrf": "0" * 64}).status_code == 403
    assert (
        mine.post("/console/trainings", data={**form, "csrf": csrf, "held_on": "9/10"}).status_code
        == 400
    )
    resp = mine.post("/console/trainings", data={**form, "csrf": csrf, "department": "swj"})
    assert resp.status_code == 403
    assert "部门只能为本部门组织" in resp.text
    assert _counts(platform) == (0, 0)
    resp = mine.post(
        "/console/trainings",
        data={**form, "csrf": csrf, "department": "scjg"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    location = resp.headers["location"]
    tid = int(location.split("/")[-1].split("?")[0])
    page = mine.get(location)
    assert "已创建培训" in page.text
    assert "省市场监督管理局" in page.text
    resp = mine.post(
        f"/console/trainings/{tid}/attendance",
        data={"csrf": csrf, "subject": ORG, "representative": "张三", "representative_id": ""},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    page = mine.get(f"/console/trainings/{tid}")
    assert "张*" in page.text
    assert "张三" not in page.text
    assert "发放证书" in page.text
    resp = mine.post(
        f"/console/trainings/{tid}/attendance",
        data={"csrf": csrf, "subject": ORG, "representative": "张三"},
    )
    assert resp.status_code == 409
    assert "不能重复登记" in resp.text
    resp = mine.post(
        f"/console/trainings/{tid}/certificate",
        data={"csrf": csrf, "subject": ORG},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    page = mine.get(f"/console/trainings/{tid}?done=certified")
    assert "已发放证书" in page.text
    assert "PX2026SCJG" in page.text
    # Another department's officer: not its session.
    theirs = TestClient(app, base_url="https://testserver")
    assert console_sign_in(theirs, "off_swj").status_code == 303
    assert theirs.get(f"/console/trainings/{tid}").status_code == 403
    other = csrf_of(theirs.get("/console/trainings").text)
    resp = theirs.post(
        f"/console/trainings/{tid}/attendance",
        data={"csrf": other, "subject": ORG2, "representative": "李四"},
    )
    assert resp.status_code == 403
    assert "其他部门" in resp.text
    assert _counts(platform) == (1, 1)
    # The office sees every department's sessions.
    office = TestClient(app, base_url="https://testserver")
    assert console_sign_in(office, "admin").status_code == 303
    assert "诚信教育专题培训" in office.get("/console/trainings").text
    # The subject sees its training and certificate; the other subject sees none.
    subject = _signed_in(platform)
    assert "/account/trainings" in subject.get("/account").text
    page = subject.get("/account/trainings")
    assert page.status_code == 200
    assert "PX2026SCJG" in page.text
    assert "诚信教育专题培训" in page.text
    assert "免费" in page.text
    other_subject = _signed_in(platform, ORG2)
    assert "本单位尚无参加诚信教育的记录" in other_subject.get("/account/trainings").text


@pytest.fixture
def env(cli_env: Path) -> Path:
    return cli_env


def test_cli(env: Path, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 9, 10, 10, 0, tzinfo=CHINA_TZ))
    for dept, name, sector in (
        ("scjg", "省市场监督管理局", "market_regulation"),
        ("swj", "省税务局", "tax"),
    ):
        assert run_cli("department", "add", dept, name, "--sector", sector)[0] == 0
    path = env / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    assert run_cli("import", str(path), "--source", "scjg", "--item", "XZCF")[0] == 0
    t = cli_json(
        "trainings",
        "add",
        "--title",
        "诚信教育专题培训",
        "--date",
        "2026-09-10",
        "--place",
        "西安",
        "--organiser",
        "scjg",
    )
    assert t["department_label"] == "省市场监督管理局"
    code, out = run_cli(
        "trainings",
        "add",
        "--title",
        "x",
        "--date",
        "2026-09-10",
        "--place",
        "西安",
        "--organiser",
        "scjg",
        "--department",
        "swj",
    )
    assert code == 2
    assert "部门只能为本部门组织" in out
    tid = str(t["id"])
    code, out = run_cli("trainings", "attend", tid, ORG, "--representative", "张三")
    assert code == 0, out
    assert "张*" in out
    assert "张三" not in out
    code, out = run_cli("trainings", "attend", tid, ORG, "--representative", "张三")
    assert code == 2
    assert "不能重复登记" in out
    code, out = run_cli("trainings", "certify", tid, ORG, "--department", "swj")
    assert code == 2
    assert "其他部门" in out
    code, out = run_cli("trainings", "certify", tid, ORG)
    assert code == 0, out
    assert "已发放诚信教育证书 PX2026SCJG" in out
    code, out = run_cli("trainings", "list")
    assert code == 0
    assert "共 1 次培训" in out
    assert "证书 1" in out
    code, out = run_cli("trainings", "show", tid)
    assert code == 2  # no purpose
    view = cli_json("trainings", "show", tid, "--purpose", "核查")
    assert view["attendance"][0]["certificate"].startswith("PX2026SCJG")
    assert run_cli("trainings", "show", tid, "--purpose", "核查", "--department", "swj")[0] == 2
