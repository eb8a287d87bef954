"""The objections API: filing on the subject's behalf, the steps, the inbox, who may do what,
and bad input (422 naming the field, 403 for another department, 409 out of order)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import add_department, error_detail
from tests.objections.helpers import penalty_entry, public_file, records
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.objections.tables import objections
from xinyong.web.app import create_app

READ = {"purpose": "异议办理"}


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


@pytest.fixture
def keys(platform: Platform) -> dict[str, str]:
    out = {"scjg": add_department(platform), "sthj": add_department(platform, "sthj", "ecology")}
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        out["office"] = access.issue_key(conn, "信用办", "office", None, now)
        out["auditor"] = access.issue_key(conn, "审计", "auditor", None, now)
    return out


def _h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def _file(client: TestClient, key: str, entry: int, **body: Any) -> Any:
    payload = {"entry": entry, "grounds": "wrong_content", "statement": "处罚金额有误", **body}
    return client.post("/api/v1/objections", json=payload, headers=_h(key))


def _step(client: TestClient, key: str, objection: int, name: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/objections/{objection}/steps", json={"name": name, **body}, headers=_h(key)
    )


def _count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(objections)).scalar_one())


def test_filed_pushed_accepted_corrected(
    platform: Platform, client: TestClient, keys: dict[str, str]
) -> None:
    entry = penalty_entry(platform)
    resp = _file(client, keys["office"], entry)
    assert resp.status_code == 201, resp.text
    o = resp.json()
    assert (o["state"], o["state_label"]) == ("submitted", "已提交，待推送/受理")
    assert o["mark"] == "异议处理中"
    assert o["regime"]["code"] == "LING36"
    assert o["regime"]["name"]
    assert o["applicant_kind"] == "on_behalf"
    assert o["applicant_kind_label"] == "部门或信用办代为提出"
    assert o["grounds_label"] == "信息内容有误"
    assert o["filed_at"].endswith("+08:00")
    assert o["due"]["date"] == "2026-06-16"
    assert o["due"]["provisional"] is False
    assert [s["name"] for s in o["steps"]] == ["push"]
    # Marked at once on the public file.
    assert records(public_file(platform))[0]["objection"]["label"] == "异议处理中"

    oid = o["id"]
    assert _step(client, keys["office"], oid, "push").json()["state"] == "pushed"
    resp = _step(client, keys["scjg"], oid, "accept")
    assert resp.status_code == 200, resp.text
    assert resp.json()["due"]["date"] == "2026-06-25"
    resp = _step(
        client,
        keys["scjg"],
        oid,
        "decide",
        outcome="correct",
        reason="经核查，罚款金额录入错误",
        corrections={"CF_NR": "罚款人民币1000元"},
    )
    assert resp.status_code == 200, resp.text
    v = resp.json()
    assert (v["state"], v["outcome"], v["outcome_label"]) == ("closed", "correct", "更正")
    assert v["reason"] == "经核查，罚款金额录入错误"
    assert v["mark"] is None
    assert [h["step"] for h in v["history"]] == ["open", "push", "accept", "decide"]
    cf = public_file(platform)
    (rec,) = records(cf)
    assert any(f["code"] == "CF_NR" and f["text"] == "罚款人民币1000元" for f in rec["fields"])
    assert "更正公告" in cf["correction_notices"][0]["text"]

    got = client.get(f"/api/v1/objections/{oid}", params=READ, headers=_h(keys["auditor"]))
    assert got.status_code == 200
    assert got.json()["steps"] == []


def test_inbox_scoped_filtered_and_overdue(
    platform: Platform, client: TestClient, keys: dict[str, str], clock: FixedClock
) -> None:
    first = penalty_entry(platform)
    second = penalty_entry(platform, CF_WSH="陕市监罚〔2026〕9号")
    a = _file(client, keys["scjg"], first).json()["id"]
    b = _file(client, keys["scjg"], second).json()["id"]
    _step(client, keys["scjg"], b, "accept")

    def inbox(key: str, **params: Any) -> Any:
        return client.get("/api/v1/objections", params={**READ, **params}, headers=_h(key))

    mine = inbox(keys["scjg"]).json()
    assert mine["total"] == 2
    # Open ones, soonest deadline first: a is due 2026-06-16, b 2026-06-25.
    assert [o["id"] for o in mine["objections"]] == [a, b]
    assert inbox(keys["sthj"]).json()["total"] == 0
    refused = inbox(keys["sthj"], department="scjg")
    assert refused.status_code == 403
    assert error_detail(refused)["code"] == "permission_denied"
    assert inbox(keys["office"]).json()["total"] == 2
    accepted = inbox(keys["auditor"], state="accepted").json()
    assert [o["id"] for o in accepted["objections"]] == [b]
    assert inbox(keys["office"], page_size=1, page=2).json()["objections"][0]["id"] == b
    assert inbox(keys["office"], overdue="true").json()["total"] == 0
    clock.set(dt.datetime(2026, 6, 17, 9, 0, tzinfo=CHINA_TZ))
    overdue = inbox(keys["office"], overdue="true").json()
    assert [(o["id"], o["overdue"]) for o in overdue["objections"]] == [(a, True)]
    bad = inbox(keys["office"], state="done")
    assert bad.status_code == 422
    assert "state" in error_detail(bad)["message"]
    assert inbox(keys["office"], page_size=0).status_code == 422
    assert client.get("/api/v1/objections", headers=_h(keys["office"])).status_code == 422


def test_wrong_department_is_refused(
    platform: Platform, client: TestClient, keys: dict[str, str]
) -> None:
    entry = penalty_entry(platform)
    before = _count(platform)
    resp = _file(client, keys["sthj"], entry)
    assert resp.status_code == 403
    assert "本部门" in error_detail(resp)["message"]
    assert _count(platform) == before  # nothing half-written
    oid = _file(client, keys["scjg"], entry).json()["id"]
    resp = client.get(f"/api/v1/objections/{oid}", params=READ, headers=_h(keys["sthj"]))
    assert resp.status_code == 403
    resp = _step(client, keys["sthj"], oid, "accept")
    assert resp.status_code == 403
    resp = _step(client, keys["auditor"], oid, "accept")
    assert resp.status_code == 403
    # The office pushes, only the department accepts.
    resp = _step(client, keys["office"], oid, "accept")
    assert resp.status_code == 403
    got = client.get(f"/api/v1/objections/{oid}", params=READ, headers=_h(keys["scjg"]))
    assert got.json()["state"] == "submitted"


def test_bad_input_names_the_field(
    platform: Platform, client: TestClient, keys: dict[str, str]
) -> None:
    entry = penalty_entry(platform)
    resp = _file(client, keys["office"], entry, statement="")
    assert resp.status_code == 422
    assert [f["field"] for f in error_detail(resp)["fields"]] == ["statement"]
    resp = client.post(
        "/api/v1/objections",
        json={"grounds": "other", "statement": "x"},
        headers=_h(keys["office"]),
    )
    assert [f["field"] for f in error_detail(resp)["fields"]] == ["entry"]
    resp = _file(client, keys["office"], entry, grounds="bad")
    assert resp.status_code == 422
    assert "grounds" in error_detail(resp)["message"]
    resp = _file(client, keys["office"], 999999)
    assert resp.status_code == 404
    assert _count(platform) == 0

    oid = _file(client, keys["office"], entry).json()["id"]
    dup = _file(client, keys["office"], entry)
    assert dup.status_code == 409
    assert error_detail(dup)["code"] == "duplicate_objection"
    # Out of order: a decision before acceptance.
    resp = _step(client, keys["scjg"], oid, "decide", outcome="keep", reason="无误")
    assert resp.status_code == 409
    resp = _step(client, keys["scjg"], oid, "fly")
    assert resp.status_code == 422
    assert "step" in error_detail(resp)["message"]
    _step(client, keys["scjg"], oid, "accept")
    resp = _step(client, keys["scjg"], oid, "decide", outcome="erase", reason="x")
    assert resp.status_code == 422
    assert "outcome" in error_detail(resp)["message"]
    resp = _step(client, keys["scjg"], oid, "decide", outcome="correct", reason="有误")
    assert resp.status_code == 422
    assert "corrections" in error_detail(resp)["message"]
    resp = _step(client, keys["scjg"], oid, "decide", outcome="keep", reason=" ")
    assert resp.status_code == 422
    assert "reason" in error_detail(resp)["message"]
    resp = _step(client, keys["scjg"], oid, "notify_extension", reason="需要调取档案")
    assert resp.status_code == 422
    assert "extended_until" in error_detail(resp)["message"]
    resp = _step(client, keys["scjg"], oid, "accept", version=1)
    assert resp.status_code == 409
    resp = _step(
        client,
        keys["scjg"],
        oid,
        "notify_extension",
        reason="需要调取原始档案",
        extended_until="2026-07-10",
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["state"] == "extended"
    assert resp.json()["due"]["date"] == "2026-07-10"
    done = _step(client, keys["scjg"], oid, "decide", outcome="keep", reason="记录与决定书一致")
    assert done.json()["outcome_label"] == "维持"
    again = _step(client, keys["scjg"], oid, "accept")
    assert again.status_code == 409
