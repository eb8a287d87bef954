"""The list-determination API: list types, proposing, steps, visibility and the inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    csv_bytes,
    error_detail,
    listing_details,
    penalty,
    resident_id,
)
from xinyong.access import service as access
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.cases.tables import case_events, cases
from xinyong.catalog.model import Evidence
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.web.app import create_app

REP = resident_id()  # legal representative of ORG in tests.helpers.penalty()
UNKNOWN_ORG = make_uscc("9", "1", "610104", "MA6T3P2Y")  # valid, but nobody reported it
READ = {"purpose": "办件办理"}  # every read of a case states its purpose (audited)


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


@pytest.fixture
def keys(platform: Platform) -> dict[str, str]:
    """scjg reports penalties for ORG (with REP as legal representative) and ORG2."""
    out = {"scjg": add_department(platform), "qxscjg": add_department(platform, "qxscjg")}
    out["sthj"] = add_department(platform, "sthj", "ecology")
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        out["office"] = access.issue_key(conn, "信用办", "office", None, now)
        out["auditor"] = access.issue_key(conn, "审计", "auditor", None, now)
    result = platform.importer().import_bytes(
        csv_bytes([penalty(), penalty(CF_WSH="陕市监罚〔2026〕2号", CF_XDR_SHXYM=ORG2)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert result.accepted == 2
    return out


def _h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def _propose(
    client: TestClient, key: str, subject: str = ORG, list_type: str = "SAMR_SERIOUS"
) -> Any:
    return client.post(
        "/api/v1/list-cases",
        json={"list_type": list_type, "subject": subject, "note": "拟列入严重违法失信名单"},
        headers=_h(key),
    )


def _step(client: TestClient, key: str, case_id: int, name: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/list-cases/{case_id}/transitions",
        json={"name": name, **listing_details(name), **body},
        headers=_h(key),
    )


def _message(resp: Any) -> str:
    return str(error_detail(resp)["message"])


def test_list_types_are_public_catalogue_facts(client: TestClient) -> None:
    resp = client.get("/api/v1/list-types")  # no key
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["as_of"] == "2026-06-15"
    types = {t["code"]: t for t in body["list_types"]}
    samr = types["SAMR_SERIOUS"]
    assert samr["version"] == "2025.1"  # the version in force on 2026-06-15, not 2021.1
    assert samr["kind"] == "black"
    assert samr["sector"] == "market_regulation"
    assert samr["sector_name"] == "市场监管"
    assert "市场监督管理部门" in samr["deciding_authority"]
    assert {b["doc_no"] for b in samr["legal_basis"]} >= {"国家市场监督管理总局令第44号"}
    assert samr["windows"]["publication_deadline_working_days"] == 20
    assert samr["windows"]["unit"] == "工作日"
    assert samr["period"]["months"] == 36
    assert samr["early_exit"]["min_months"] == 12
    assert samr["early_exit"]["decision_deadline_working_days"] == 7
    assert samr["early_exit"]["conditions"]
    for t in body["list_types"]:
        assert t["legal_basis"], f"{t['code']} shown without a legal basis"
        for b in t["legal_basis"]:
            assert b["evidence_label"] == Evidence(b["evidence"]).label
    # Codes with labels beside them: staff read 待核实 where a fact is unconfirmed.
    assert (samr["evidence"], samr["evidence_label"]) == ("P", "已读原文")
    military = types["MILITARY_EVASION"]
    assert military["name"] == "履行国防义务严重失信主体名单"
    assert (military["evidence"], military["evidence_label"]) == ("U", "待核实")
    assert {b["articles"]: b["evidence_label"] for b in military["legal_basis"]}[
        "第五十七条第二款"
    ] == "已读原文"


def test_department_takes_a_case_to_publication(
    client: TestClient, platform: Platform, keys: dict[str, str]
) -> None:
    resp = _propose(client, keys["scjg"])
    assert resp.status_code == 201, resp.text
    case = resp.json()
    assert case["state"] == "proposed"
    assert case["state_label"] == "拟列入"
    assert case["department"] == "scjg"
    assert case["subject"] == {
        "key": ORG,
        "kind": "organisation",
        "kind_label": "法人及非法人组织",
        "name": "西安市碑林区示例科技有限公司",
        "code": ORG,
    }
    assert case["list_type"]["name"] == "市场监督管理严重违法失信名单"
    assert [t["name"] for t in case["transitions"]] == ["notify", "drop"]
    assert case["history"][0]["note"] == "拟列入严重违法失信名单"
    cid = case["id"]
    for name, state in (("notify", "notified"), ("state_case", "statement"), ("list", "listed")):
        resp = _step(client, keys["scjg"], cid, name, note=f"{name} 说明")
        assert resp.status_code == 200, resp.text
        assert resp.json()["state"] == state
    listed = resp.json()
    due = platform.calendar.add_workdays(dt.date(2026, 6, 15), 20)  # publication window
    assert listed["due_on"] == due.isoformat()
    assert listed["overdue"] is False
    # The office sees the case and may publish it; the department could too.
    seen = client.get(f"/api/v1/list-cases/{cid}", params=READ, headers=_h(keys["office"])).json()
    assert [t["name"] for t in seen["transitions"]] == ["publish"]
    resp = _step(client, keys["office"], cid, "publish", version=listed["version"])
    assert resp.status_code == 200, resp.text
    published = resp.json()
    assert published["state"] == "published"
    assert published["membership"]["listed_on"] == "2026-06-15"
    assert published["membership"]["until"] == "2029-06-15"
    assert published["transitions"] == []  # exits are the department's
    history = published["history"]
    assert [(e["transition"], e["role"]) for e in history] == [
        ("open", "department"),
        ("notify", "department"),
        ("state_case", "department"),
        ("list", "department"),
        ("publish", "office"),
    ]
    assert history[1]["note"] == "notify 说明"
    assert all(e["actor"].startswith("client:") for e in history)
    assert all(e["entry"] for e in history)  # every step is in the ledger
    mine = client.get(f"/api/v1/list-cases/{cid}", params=READ, headers=_h(keys["scjg"])).json()
    assert {t["name"] for t in mine["transitions"]} == {"exit_early", "revoke"}
    with platform.engine.connect() as conn:
        reads = conn.execute(
            select(audit_log.c.action, audit_log.c.target, audit_log.c.purpose)
        ).all()
    assert ("read_case", f"case:{cid}", "办件办理") in [tuple(r) for r in reads]


def test_a_person_is_shown_masked_and_never_stored_in_clear(
    client: TestClient, platform: Platform, keys: dict[str, str]
) -> None:
    resp = _propose(client, keys["scjg"], REP, "BAN_FOOD_LIFE")
    assert resp.status_code == 201, resp.text
    assert REP not in resp.text
    subject = resp.json()["subject"]
    assert subject["kind"] == "person"
    assert subject["code"] == REP[:6] + "********" + REP[-4:]
    assert subject["name"] == "张*"
    assert subject["key"].startswith("P")
    with platform.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(cases))]
        stored += [tuple(r) for r in conn.execute(select(case_events))]
    assert REP not in repr(stored)


def test_proposal_errors_name_the_field_value_and_reason(
    client: TestClient, keys: dict[str, str]
) -> None:
    resp = _propose(client, keys["scjg"], list_type="NO_SUCH_LIST")
    assert resp.status_code == 422
    assert "list_type" in _message(resp)
    assert "NO_SUCH_LIST" in _message(resp)
    assert "SAMR_SERIOUS" in _message(resp)  # the choices
    bad = ORG[:-1] + ("B" if ORG[-1] != "B" else "C")
    resp = _propose(client, keys["scjg"], bad)
    assert resp.status_code == 422
    assert f"subject（主体代码）“{bad}”无效" in _message(resp)
    assert "校验位" in _message(resp)
    bad_id = REP[:-1] + ("0" if REP[-1] != "0" else "1")
    resp = _propose(client, keys["scjg"], bad_id)
    assert resp.status_code == 422
    assert bad_id not in resp.text  # a personal number is never echoed, even a wrong one
    assert bad_id[:6] + "********" + bad_id[-4:] in _message(resp)
    resp = _propose(client, keys["scjg"], UNKNOWN_ORG)
    assert resp.status_code == 404
    assert "尚未在平台登记" in _message(resp)
    assert UNKNOWN_ORG in _message(resp)
    resp = _propose(client, keys["scjg"], ORG, "BAN_FOOD_LIFE")
    assert resp.status_code == 422
    assert "适用于自然人" in _message(resp)
    resp = client.post(
        "/api/v1/list-cases", json={"subject": ORG, "note": 1}, headers=_h(keys["scjg"])
    )
    assert resp.status_code == 422
    assert "请求体字段 list_type：必须填写" in _message(resp)
    assert "请求体字段 note：应为文本" in _message(resp)
    fields = resp.json()["detail"]["fields"]
    assert [(f["location"], f["field"], f["type"]) for f in fields] == [
        ("body", "list_type", "missing"),
        ("body", "note", "string_type"),
    ]
    assert all(set(f) == {"location", "field", "reason", "reason_en", "type"} for f in fields)
    resp = client.post(
        "/api/v1/list-cases",
        content=b"{list_type",
        headers={**_h(keys["scjg"]), "content-type": "application/json"},
    )
    assert resp.status_code == 422
    assert _message(resp) == "请求体：不是有效的 JSON"


def test_only_the_competent_department_may_propose_once(
    client: TestClient, keys: dict[str, str]
) -> None:
    assert _propose(client, "", ORG).status_code == 401
    resp = _propose(client, keys["office"])
    assert resp.status_code == 403
    assert "部门业务系统" in _message(resp)
    resp = _propose(client, keys["sthj"])
    assert resp.status_code == 403
    assert "无权提出" in _message(resp)
    first = _propose(client, keys["scjg"])
    assert first.status_code == 201
    again = _propose(client, keys["qxscjg"])
    assert again.status_code == 409
    assert f"办件 {first.json()['id']}" in _message(again)


def test_case_visibility_by_role(client: TestClient, keys: dict[str, str]) -> None:
    cid = _propose(client, keys["scjg"]).json()["id"]
    resp = client.get(f"/api/v1/list-cases/{cid}", params=READ, headers=_h(keys["qxscjg"]))
    assert resp.status_code == 403
    assert "只能查看和办理本部门的办件" in _message(resp)
    for who in ("office", "auditor"):
        resp = client.get(f"/api/v1/list-cases/{cid}", params=READ, headers=_h(keys[who]))
        assert resp.status_code == 200
        assert resp.json()["transitions"] == []  # nothing for them to do in 拟列入
    resp = client.get("/api/v1/list-cases/999999", params=READ, headers=_h(keys["office"]))
    assert resp.status_code == 404
    assert "不存在" in _message(resp)
    resp = client.get("/api/v1/list-cases/abc", params=READ, headers=_h(keys["office"]))
    assert resp.status_code == 422
    assert _message(resp) == "路径参数 case_id：应为整数"


def test_transition_errors(client: TestClient, keys: dict[str, str]) -> None:
    case = _propose(client, keys["scjg"]).json()
    cid = case["id"]
    resp = _step(client, keys["scjg"], cid, "publish")
    assert resp.status_code == 409
    assert "当前状态为“拟列入”，不能执行“公示”" in _message(resp)
    resp = _step(client, keys["scjg"], cid, "approve")
    assert resp.status_code == 422
    assert "name“approve”" in _message(resp)
    assert "notify" in _message(resp)
    resp = _step(client, keys["office"], cid, "notify")
    assert resp.status_code == 403
    assert "该操作由部门执行" in _message(resp)
    assert _step(client, keys["auditor"], cid, "notify").status_code == 403
    resp = _step(client, keys["qxscjg"], cid, "notify")
    assert resp.status_code == 403
    assert "只能查看和办理本部门的办件" in _message(resp)
    resp = _step(client, keys["scjg"], cid, "notify", term_months=24)
    assert resp.status_code == 422
    assert "term_months" in _message(resp)
    # Optimistic lock: a step based on a stale read is refused and changes nothing.
    assert _step(client, keys["scjg"], cid, "notify", version=case["version"]).status_code == 200
    stale = _step(client, keys["scjg"], cid, "drop", version=case["version"])
    assert stale.status_code == 409
    assert "已被更新" in _message(stale)
    assert "已告知" in _message(stale)
    now = client.get(f"/api/v1/list-cases/{cid}", params=READ, headers=_h(keys["scjg"])).json()
    assert now["state"] == "notified"
    assert len(now["history"]) == 2
    resp = _step(client, keys["scjg"], cid, "state_case", version=0)
    assert resp.status_code == 422
    assert _message(resp) == "请求体字段 version：应不小于 1"


def test_inbox_filters_orders_and_flags_overdue(
    client: TestClient, platform: Platform, clock: FixedClock, keys: dict[str, str]
) -> None:
    a = _propose(client, keys["scjg"]).json()["id"]
    for name in ("notify", "list"):
        assert _step(client, keys["scjg"], a, name).status_code == 200
    b = _propose(client, keys["scjg"], REP, "BAN_FOOD_LIFE").json()["id"]  # proposed, no due
    food = _propose(client, keys["scjg"], ORG, "BAN_FOOD").json()["id"]
    clock.set(dt.datetime(2026, 6, 25, 9, 0, tzinfo=CHINA_TZ))
    c = _propose(client, keys["qxscjg"], ORG2).json()["id"]
    for name in ("notify", "list"):
        assert _step(client, keys["qxscjg"], c, name).status_code == 200
    due_a = platform.calendar.add_workdays(dt.date(2026, 6, 15), 20)
    due_c = platform.calendar.add_workdays(dt.date(2026, 6, 25), 20)

    def ids(key: str, **params: Any) -> list[int]:
        resp = client.get("/api/v1/list-cases", params={**READ, **params}, headers=_h(key))
        assert resp.status_code == 200, resp.text
        return [row["id"] for row in resp.json()["cases"]]

    assert ids(keys["scjg"]) == [a, b, food]  # soonest deadline first, none last
    assert ids(keys["qxscjg"]) == [c]
    assert ids(keys["office"]) == [a, c, b, food]
    assert ids(keys["auditor"], department="qxscjg") == [c]
    assert ids(keys["office"], state="listed") == [a, c]
    assert ids(keys["office"], list_type="BAN_FOOD") == [food]  # not BAN_FOOD_LIFE
    assert ids(keys["office"], page_size=2, page=2) == [b, food]
    assert ids(keys["office"], overdue="true") == []
    clock.set(dt.datetime.combine(due_a + dt.timedelta(days=1), dt.time(9), CHINA_TZ))
    assert due_a < clock.today() <= due_c
    resp = client.get(
        "/api/v1/list-cases", params={**READ, "overdue": "true"}, headers=_h(keys["office"])
    )
    body = resp.json()
    assert body["total"] == 1
    row = body["cases"][0]
    assert (row["id"], row["due_on"], row["overdue"]) == (a, due_a.isoformat(), True)
    assert ids(keys["qxscjg"], overdue="true") == []
    flags = {
        r["id"]: r["overdue"]
        for r in client.get("/api/v1/list-cases", params=READ, headers=_h(keys["office"])).json()[
            "cases"
        ]
    }
    assert flags == {a: True, c: False, b: False, food: False}
    # A case leaves the inbox when it is published (no deadline) or closed; state= finds it.
    assert _step(client, keys["scjg"], a, "publish").status_code == 200
    assert ids(keys["office"], overdue="true") == []
    assert ids(keys["office"], state="published") == [a]


def test_inbox_errors(client: TestClient, keys: dict[str, str]) -> None:
    resp = client.get(
        "/api/v1/list-cases", params={**READ, "state": "done"}, headers=_h(keys["office"])
    )
    assert resp.status_code == 422
    assert "state“done”" in _message(resp)
    assert "published" in _message(resp)
    resp = client.get(
        "/api/v1/list-cases", params={**READ, "list_type": "X"}, headers=_h(keys["office"])
    )
    assert resp.status_code == 422
    assert "list_type（名单类型）“X”不存在" in _message(resp)
    resp = client.get(
        "/api/v1/list-cases", params={**READ, "department": "qxscjg"}, headers=_h(keys["scjg"])
    )
    assert resp.status_code == 403
    resp = client.get("/api/v1/list-cases", params={**READ, "page": 0}, headers=_h(keys["office"]))
    assert resp.status_code == 422
    assert _message(resp) == "查询参数 page：应不小于 1"
    assert client.get("/api/v1/list-cases").status_code == 401


def test_case_reads_without_a_purpose_are_refused(
    client: TestClient, platform: Platform, keys: dict[str, str]
) -> None:
    cid = _propose(client, keys["scjg"], ORG).json()["id"]
    with platform.engine.connect() as conn:
        before = conn.execute(select(audit_log.c.id)).all()
    for path in (f"/api/v1/list-cases/{cid}", "/api/v1/list-cases"):
        for params in ({}, {"purpose": "  "}):
            resp = client.get(path, params=params, headers=_h(keys["office"]))
            assert resp.status_code == 422, (path, params)
            assert "查询用途" in _message(resp)
    with platform.engine.connect() as conn:
        assert conn.execute(select(audit_log.c.id)).all() == before  # nothing read, nothing logged


def test_the_listing_decision_states_its_number_and_grounds_and_both_are_published(
    client: TestClient, keys: dict[str, str]
) -> None:
    cid = _propose(client, keys["scjg"]).json()["id"]
    assert _step(client, keys["scjg"], cid, "notify").status_code == 200
    # Either given on another step: refused, naming the field.
    early = _step(client, keys["scjg"], cid, "state_case", decision_number="陕市监信列〔2026〕7号")
    assert early.status_code == 422
    assert "decision_number" in _message(early)
    for missing, body in (
        ("decision_number", {"decision_number": "  "}),
        ("grounds", {"grounds": ""}),
    ):
        resp = _step(client, keys["scjg"], cid, "list", **body)
        assert resp.status_code == 422, resp.text
        assert f"（{missing}）不能为空" in _message(resp)
    # Published text never carries a person's ID number (shown masked in the refusal).
    leaky = _step(
        client, keys["scjg"], cid, "list", grounds="法定代表人110101199003074514提供虚假材料"
    )
    assert leaky.status_code == 422
    assert "110101199003074514" not in leaky.text
    state = client.get(f"/api/v1/list-cases/{cid}", params=READ, headers=_h(keys["scjg"])).json()
    assert state["state"] == "notified"  # nothing of the refused steps was taken
    listed = _step(
        client,
        keys["scjg"],
        cid,
        "list",
        decision_number="陕市监信列〔2026〕7号",
        grounds="以欺骗手段取得食品经营许可，被依法撤销许可",
    )
    assert listed.status_code == 200, listed.text
    assert _step(client, keys["office"], cid, "publish").status_code == 200
    rows = client.get("/api/v1/lists/SAMR_SERIOUS").json()["rows"]
    row = next(r for r in rows if r["subject"]["code"] == ORG)
    assert row["decision_number"] == "陕市监信列〔2026〕7号"
    assert row["reason"] == [
        {
            "name": "列入事由",
            "text": "以欺骗手段取得食品经营许可，被依法撤销许可",
        }
    ]
    assert row["entry_criteria"] == []  # the case's own grounds replace the list's conditions
