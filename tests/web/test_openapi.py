"""The OpenAPI document a department's developer reads: security scheme, Chinese summaries and
tags, a response model for every operation, errors declared; and the models are true of the
answers the API really gives."""

from __future__ import annotations

import json
import re
import types
import typing
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from tests.alerts.support import REP, org2_penalty
from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    api_routes,
    csv_bytes,
    listing_details,
    penalty,
    wait_for_job,
)
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.web.app import TAGS, create_app
from xinyong.web.schemas.checks import CheckResponse
from xinyong.web.schemas.common import ErrorResponse

CJK = re.compile(r"[\u4e00-\u9fff]")
DOWNLOADS = {
    ("get", "/api/v1/batches/{batch_id}/rejections"),
    ("get", "/api/v1/reports/monthly.xlsx"),
    ("get", "/api/v1/ledger/anchors.jsonl"),
    ("get", "/api/v1/inspections/draws/{draw_id}/record.json"),
    ("get", "/api/v1/inspections/draws/{draw_id}/full-record.json"),
}
NO_KEY = {
    ("get", "/api/v1/list-types"),
    ("get", "/api/v1/catalogue/items"),
    ("get", "/api/v1/scenarios"),
    ("get", "/api/v1/ledger/anchors"),
    ("get", "/api/v1/ledger/anchors.jsonl"),
    ("get", "/api/v1/search"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/api/v1/publicity/licences"),
    ("get", "/api/v1/publicity/penalties"),
    ("get", "/api/v1/lists"),
    ("get", "/api/v1/lists/{code}"),
    ("get", "/api/v1/catalogue/code-tables"),
    ("get", "/api/v1/catalogue/measures"),
    ("get", "/api/v1/calendar/{year}"),
    ("get", "/api/v1/announcements"),
    ("get", "/api/v1/announcements/{announcement_id}"),
    ("get", "/api/v1/evaluation/models"),
    ("get", "/api/v1/inspections/published"),
    ("get", "/api/v1/inspections/draws/{draw_id}"),
    ("get", "/api/v1/inspections/draws/{draw_id}/record.json"),
}
OPTIONAL_KEY = {
    ("get", "/api/v1/subjects/{code}/file"),
    ("get", "/api/v1/typical-cases"),
    ("get", "/api/v1/subjects/{code}/evaluation"),
}
# Operations that answer either at once or "accepted, poll here" (202), each with its model.
TWO_ANSWERS = {("post", "/api/v1/imports"): {"201", "202"}}


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


def test_the_document_declares_security_summaries_models_and_errors(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"] == {
        "ApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": doc["components"]["securitySchemes"]["ApiKey"]["description"],
        }
    }
    assert CJK.search(doc["components"]["securitySchemes"]["ApiKey"]["description"])
    assert CJK.search(doc["info"]["description"])
    tag_names = {t["name"] for t in doc["tags"]}
    assert tag_names == {t["name"] for t in TAGS}
    assert all(CJK.search(t["name"]) and CJK.search(t["description"]) for t in doc["tags"])
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # not our shape
    ops = [(m, p, op) for p, item in doc["paths"].items() for m, op in item.items()]
    assert len(ops) >= 24
    problems = []
    for method, path, op in ops:
        where = (method, path)
        if not CJK.search(op.get("summary", "")):
            problems.append((where, "summary"))
        if not CJK.search(op.get("description", "")):
            problems.append((where, "description"))
        if not op.get("tags") or not set(op["tags"]) <= tag_names:
            problems.append((where, "tags"))
        successes = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        if set(successes) != TWO_ANSWERS.get(where, set(successes)) or (
            where not in TWO_ANSWERS and len(successes) != 1
        ):
            problems.append((where, f"success responses {sorted(successes)}"))
            continue
        schemas = [next(iter(r["content"].values()))["schema"] for r in successes.values()]
        for schema in schemas[1:]:
            if "$ref" not in schema:
                problems.append((where, f"response model: {schema}"))
        schema = schemas[0]
        if where in DOWNLOADS:
            if schema != {"type": "string", "format": "binary"}:
                problems.append((where, "binary download"))
        elif "$ref" not in schema and not all("$ref" in s for s in schema.get("anyOf", [])):
            problems.append((where, f"response model: {schema}"))
        security = op.get("security")
        if where in NO_KEY:
            if security is not None:
                problems.append((where, "public, no key"))
            continue
        expected = [{"ApiKey": []}, {}] if where in OPTIONAL_KEY else [{"ApiKey": []}]
        if security != expected:
            problems.append((where, f"security {security}"))
        declared = {code for code in op["responses"] if code[0] in "45"}
        needed = {"401", "422"} if where not in OPTIONAL_KEY else {"422"}
        if not needed <= declared:
            problems.append((where, f"errors {sorted(declared)}"))
        for code in declared:
            ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            if ref != "#/components/schemas/ErrorResponse":
                problems.append((where, f"error model {code}"))
    assert problems == []
    check = doc["paths"]["/api/v1/checks"]["post"]["responses"]["200"]["content"]
    refs = {s["$ref"] for s in check["application/json"]["schema"]["anyOf"]}
    assert refs == {"#/components/schemas/CheckAnswer", "#/components/schemas/NameCandidates"}
    # The published models list their fields only (no "additionalProp" noise in the UI).
    assert not [n for n, s in doc["components"]["schemas"].items() if "additionalProperties" in s]


# -- the models are true of real answers ----------------------------------------------------


def _undeclared(tp: Any, value: Any, path: str = "$") -> list[str] | None:
    """Paths in ``value`` that ``tp`` does not declare; None when ``value`` is not a ``tp``."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _undeclared(typing.get_args(tp)[0], value, path)
    if origin in (typing.Union, types.UnionType):
        found = [_undeclared(a, value, path) for a in typing.get_args(tp)]
        fitting = [f for f in found if f is not None]
        return min(fitting, key=len) if fitting else None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if not isinstance(value, dict):
            return None
        try:
            tp.model_validate(value)
        except ValueError:
            return None
        fields = {(f.alias or name): f for name, f in tp.model_fields.items()}
        out = [f"{path}.{k}" for k in value if k not in fields]
        for key, field in fields.items():
            if key in value:
                out += _undeclared(field.annotation, value[key], f"{path}.{key}") or []
        return out
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(tp)
        out = []
        for i, v in enumerate(value):
            sub = _undeclared(item, v, f"{path}[{i}]")
            if sub is None:
                return None
            out += sub
        return out
    if origin is dict and isinstance(value, dict):
        _, item = typing.get_args(tp)
        out = []
        for k, v in value.items():
            out += _undeclared(item, v, f"{path}.{k}") or []
        return out
    return []  # a scalar, JsonValue or Any: nothing more to declare


def _models(app: Any) -> dict[tuple[str, str, int], Any]:
    """The model of each (method, path, status) a route declares: its ``response_model`` for
    its own status, the ``model`` of any other success it declares (a 202)."""
    out = {}
    for route in api_routes(app.routes):
        for method in route.methods:
            out[(method, route.path, route.status_code or 200)] = route.response_model
            for status, declared in route.responses.items():
                if 200 <= int(status) < 300 and "model" in declared:
                    out[(method, route.path, int(status))] = declared["model"]
    # documented, not applied (pre-serialised)
    out[("POST", "/api/v1/checks", 200)] = CheckResponse
    return out


def test_real_answers_declare_every_field(client: TestClient, platform: Platform) -> None:
    scjg = {"X-API-Key": add_department(platform)}
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        office = {"X-API-Key": access.issue_key(conn, "信用办", "office", None, now)}
    answers: list[tuple[str, str, int, Any]] = []

    def call(method: str, template: str, *args: Any, **kwargs: Any) -> Any:
        # ``template`` is the route's path; ``args`` fill its parameters in order.
        names = re.findall(r"{(\w+)}", template)
        resp = client.request(
            method, template.format(**dict(zip(names, args, strict=True))), **kwargs
        )
        assert resp.status_code < 300, (template, resp.text)
        if resp.headers["content-type"].startswith("application/json"):
            answers.append((method, template, resp.status_code, resp.json()))
        return resp.json() if resp.headers["content-type"].startswith("application/json") else None

    rows = [penalty(), penalty(CF_WSH="2号", CF_JDRQ="2026-13-01")]
    files = {"file": ("p.csv", csv_bytes(rows), "text/csv")}
    batch = call("POST", "/api/v1/imports", params={"item": "XZCF"}, files=files, headers=scjg)
    # The same upload asked to be answered at once and imported as a job (202), then polled:
    # its model is the 202's, and the job's once done (the department's poll, the office's).
    later = {"file": ("later.csv", csv_bytes([penalty(CF_WSH="3号")]), "text/csv")}
    accepted = call(
        "POST",
        "/api/v1/imports",
        params={"item": "XZCF"},
        files=later,
        headers={**scjg, "Prefer": "respond-async"},
    )
    job = wait_for_job(client, accepted["poll_url"], scjg)
    assert job["state"] == "done", job
    call("GET", "/api/v1/imports/{job_id}", accepted["job_id"], headers=scjg)
    call(
        "GET",
        "/api/v1/imports/{job_id}",
        accepted["job_id"],
        params={"purpose": "核查"},
        headers=office,
    )
    call(
        "GET",
        "/api/v1/batches/{batch_id}",
        batch["batch_id"],
        params={"purpose": "核查"},
        headers=scjg,
    )
    call("GET", "/api/v1/list-types")
    call("GET", "/api/v1/catalogue/items")
    call("GET", "/api/v1/catalogue/code-tables")
    call("GET", "/api/v1/catalogue/measures")
    call("GET", "/api/v1/calendar/{year}", 2027)  # provisional: windows and compensation
    call("GET", "/api/v1/calendar/{year}", 2026)  # official: make-up working days
    call("GET", "/api/v1/scenarios")
    call("GET", "/api/v1/subjects/{code}/file", ORG)
    call(
        "GET",
        "/api/v1/subjects/{code}/file",
        ORG,
        params={"view": "internal", "purpose": "审查"},
        headers=office,
    )
    case = call(
        "POST",
        "/api/v1/list-cases",
        json={"list_type": "SAMR_SERIOUS", "subject": ORG, "note": "拟列入"},
        headers=scjg,
    )
    for step, who in (("notify", scjg), ("state_case", scjg), ("list", scjg), ("publish", office)):
        call(
            "POST",
            "/api/v1/list-cases/{case_id}/transitions",
            case["id"],
            json={"name": step, "note": "依法办理", **listing_details(step)},
            headers=who,
        )
    call(
        "GET",
        "/api/v1/list-cases/{case_id}",
        case["id"],
        params={"purpose": "办理"},
        headers=office,
    )
    call(
        "GET", "/api/v1/list-cases", params={"state": "published", "purpose": "办理"}, headers=scjg
    )
    # An objection to the penalty, from filing to a correction (every answer of the API).
    from sqlalchemy import select

    from xinyong.ledger.tables import entries

    with platform.engine.connect() as conn:
        penalty_entry = (
            conn.execute(
                select(entries.c.id).where(entries.c.item_code == "XZCF").order_by(entries.c.id)
            )
            .scalars()
            .first()
        )
    objection = call(
        "POST",
        "/api/v1/objections",
        json={"entry": penalty_entry, "grounds": "wrong_content", "statement": "金额有误"},
        headers=office,
    )
    for body, who in (
        ({"name": "push"}, office),
        ({"name": "accept"}, scjg),
        (
            {
                "name": "decide",
                "outcome": "correct",
                "reason": "录入错误",
                "corrections": {"CF_NR": "罚款1000元"},
            },
            scjg,
        ),
    ):
        call(
            "POST",
            "/api/v1/objections/{objection_id}/steps",
            objection["id"],
            json=body,
            headers=who,
        )
    call(
        "GET",
        "/api/v1/objections/{objection_id}",
        objection["id"],
        params={"purpose": "办理"},
        headers=scjg,
    )
    call("GET", "/api/v1/objections", params={"purpose": "办理"}, headers=office)
    # A notice to the case's department (the calendar's recomputation writes them).
    from xinyong.cases import repository as cases_repo

    with platform.engine.begin() as conn:
        notice = cases_repo.insert_notice(
            conn,
            {
                "case_id": case["id"],
                "department_code": "scjg",
                "kind": "deadline_moved",
                "summary": "办理期限变更",
                "detail": "{}",
                "created_at": platform.clock.now(),
            },
        )
    call("POST", "/api/v1/case-notices/{notice_id}/read", notice, headers=scjg)
    # The same legal representative now represents ORG2: a re-establishment alert.
    more = {"file": ("p2.csv", csv_bytes([org2_penalty()]), "text/csv")}
    call("POST", "/api/v1/imports", params={"item": "XZCF"}, files=more, headers=scjg)
    alerts = call("GET", "/api/v1/alerts", params={"purpose": "核查"}, headers=office)
    assert alerts["total"] == 1
    call(
        "GET",
        "/api/v1/alerts/{alert_id}",
        alerts["alerts"][0]["id"],
        params={"purpose": "核查"},
        headers=office,
    )
    call(
        "POST",
        "/api/v1/alerts/{alert_id}/acknowledge",
        alerts["alerts"][0]["id"],
        json={},
        headers=office,
    )
    call(
        "POST",
        "/api/v1/alerts/{alert_id}/dismiss",
        alerts["alerts"][0]["id"],
        json={"note": "经核实不属于易地开张"},
        headers=office,
    )
    scenario = "government_procurement"
    checked = call(
        "POST", "/api/v1/checks", json={"subject": ORG, "scenario": scenario}, headers=scjg
    )
    assert checked["measures"], checked  # a listed company: the model is tried on measures
    call("POST", "/api/v1/checks", json={"subject": REP, "scenario": scenario}, headers=scjg)
    call(
        "POST",
        "/api/v1/checks",
        json={"name": "西安市碑林区示例科技有限公司", "scenario": scenario},
        headers=scjg,
    )
    fuzzy = call(
        "POST",
        "/api/v1/checks",
        json={"name": "西安市碑林区示列科技有限公司", "scenario": scenario},
        headers=scjg,
    )
    assert fuzzy["match"] == "fuzzy", fuzzy
    assert fuzzy["candidates"], fuzzy
    call(
        "POST",
        "/api/v1/checks/{receipt}/feedback",
        checked["receipt"],
        json={"measure": checked["measures"][0]["measure"], "applied": True},
        headers=scjg,
    )
    call(
        "GET",
        "/api/v1/reports/monthly",
        params={"month": "2026-06", "purpose": "核查"},
        headers=office,
    )
    call("GET", "/api/v1/reports/dashboard", params={"purpose": "工作台"}, headers=office)
    call("GET", "/api/v1/reports/dashboard", params={"purpose": "工作台"}, headers=scjg)
    typical = call(
        "POST",
        "/api/v1/typical-cases",
        json={
            "title": "典型案例",
            "summary": "某公司销售不合格食品，被列入严重违法失信名单。",
            "category": "惩戒",
            "measures": [checked["measures"][0]["measure"]],
            "department": "scjg",
            "subject": ORG,
            "receipt": checked["receipt"],
            "case_id": case["id"],
        },
        headers=office,
    )
    call("POST", "/api/v1/typical-cases/{case_id}/publish", typical["id"], headers=office)
    call("GET", "/api/v1/typical-cases")
    notice = call(
        "POST",
        "/api/v1/announcements",
        json={"category": "通知公告", "title": "关于开展信用修复的通知", "body": "正文。"},
        headers=office,
    )
    call("GET", "/api/v1/announcements")
    call("GET", "/api/v1/announcements/{announcement_id}", notice["id"])
    call(
        "POST",
        "/api/v1/announcements/{announcement_id}/withdraw",
        notice["id"],
        json={"reason": "内容有误"},
        headers=office,
    )
    call("GET", "/api/v1/typical-cases", params={"purpose": "核查"}, headers=office)
    call("POST", "/api/v1/typical-cases/{case_id}/withdraw", typical["id"], json={}, headers=office)
    call(
        "POST",
        "/api/v1/revocations",
        json={
            "item": "XZCF",
            "subject": ORG2,
            "record": org2_penalty()["CF_WSH"],
            "reason": "报送有误",
        },
        headers=scjg,
    )
    call("GET", "/api/v1/search", params={"q": "示例"})
    call("GET", "/healthz")
    call("GET", "/readyz")
    penalties = call("GET", "/api/v1/publicity/penalties")
    assert penalties["rows"], penalties  # the model is tried on real rows
    call("GET", "/api/v1/publicity/licences", params={"region": "610100"})
    call("GET", "/api/v1/lists")
    members = call("GET", "/api/v1/lists/{code}", "SAMR_SERIOUS")
    assert members["rows"], members
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from xinyong.access.service import audit_head
    from xinyong.ledger.service import anchor_head

    with platform.engine.begin() as conn:
        anchor_head(conn, Ed25519PrivateKey.generate(), platform.clock.now(), audit_head=audit_head)
    assert call("GET", "/api/v1/ledger/anchors")["anchors"]
    feed = call("GET", "/api/v1/events", params={"limit": 500}, headers=office)
    assert {e["type"] for e in feed["events"]} >= {"batch.imported", "case.list_determination.open"}
    call("GET", "/api/v1/events", headers=scjg)
    assert call("GET", "/api/v1/messages", headers=scjg)["messages"]  # the new case's
    call("GET", "/api/v1/messages", headers=office)

    # Credit repair: once the minimum period of ORG's penalty has passed.
    import datetime as dt

    from xinyong.kernel.clock import CHINA_TZ

    assert isinstance(platform.clock, FixedClock)
    platform.clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    purpose = {"purpose": "核查"}
    eligible = call(
        "GET", "/api/v1/subjects/{code}/repair-eligibility", ORG, params=purpose, headers=office
    )
    record = next(r for r in eligible["records"] if r["eligible"])["record"]["entry"]
    applied = call(
        "POST",
        "/api/v1/repairs",
        data={
            "subject": ORG,
            "record": str(record),
            "signatory": "王经理",
            "commitment_signed": "true",
        },
        files=[("materials", ("凭证.pdf", b"%PDF-1.7 proof", "application/pdf"))],
        headers=office,
    )
    call("GET", "/api/v1/repairs", params=purpose, headers=scjg)
    call("GET", "/api/v1/repairs/{repair_id}", applied["id"], params=purpose, headers=office)
    call(
        "POST",
        "/api/v1/repairs/{repair_id}/steps",
        applied["id"],
        data={"name": "accept"},
        headers=scjg,
    )
    call("POST", "/api/v1/repairs/recheck-samples", json={"month": "2026-08"}, headers=office)

    # Rectification and interviews, by the department that made the finding.
    body = {"record": record, "obligation": "补缴罚款", "deadline": "2026-10-30"}
    ordered = call("POST", "/api/v1/rectifications", json=body, headers=scjg)
    rid = ordered["id"]
    meeting = {"kind": "PROMPT", "date": "2026-10-20", "place": "三楼会议室"}
    call(
        "POST",
        "/api/v1/rectifications/{rectification_id}/interviews",
        rid,
        json=meeting,
        headers=scjg,
    )
    platform.clock.set(dt.datetime(2026, 10, 20, 15, 0, tzinfo=CHINA_TZ))
    listed = call(
        "GET",
        "/api/v1/rectifications/{rectification_id}/interviews",
        rid,
        params=purpose,
        headers=office,
    )
    held = {
        "held_on": "2026-10-20",
        "attendees": [{"side": "subject", "role": "法定代表人", "name": "王经理"}],
        "minutes": "告知整改要求",
        "actions": [{"action": "补缴罚款", "due": "2026-10-30"}],
    }
    call(
        "POST",
        "/api/v1/rectifications/{rectification_id}/interviews/{interview_id}/record",
        rid,
        listed["interviews"][0]["id"],
        json=held,
        headers=scjg,
    )
    call("GET", "/api/v1/rectifications", params=purpose, headers=office)
    call("GET", "/api/v1/rectifications/{rectification_id}", rid, params=purpose, headers=scjg)
    call(
        "POST",
        "/api/v1/rectifications/{rectification_id}/steps",
        rid,
        json={"name": "rectified"},
        headers=scjg,
    )
    # Voluntary registration: entered by the department on ORG's behalf, then verified.
    registered = call(
        "POST",
        "/api/v1/voluntary-registrations",
        data={
            "subject": ORG,
            "kind": "QUALIFICATION",
            "values": json.dumps(
                {
                    "certificate_name": "资质证书",
                    "certificate_no": "D1",
                    "issuer": "住建厅",
                    "issued_on": "2026-01-05",
                }
            ),
            "commitment": "true",
            "authorisation": "true",
        },
        headers=scjg,
    )
    call("GET", "/api/v1/voluntary-registrations", params=purpose, headers=office)
    call(
        "GET",
        "/api/v1/voluntary-registrations/{registration_id}",
        registered["id"],
        params=purpose,
        headers=scjg,
    )
    call(
        "POST",
        "/api/v1/voluntary-registrations/{registration_id}/steps",
        registered["id"],
        data={"name": "verify"},
        headers=scjg,
    )
    call("GET", "/api/v1/voluntary-registrations/share", headers=office)
    # Credit commitments: ORG2 (a plain penalty) signs by its department's system.
    call("GET", "/api/v1/commitments/catalogue", headers=scjg)
    signed = call(
        "POST", "/api/v1/commitments", json={"subject": ORG2, "template": "SPJY_GZCN"}, headers=scjg
    )
    call("GET", "/api/v1/commitments", params=purpose, headers=scjg)
    call("GET", "/api/v1/commitments/{commitment_id}", signed["id"], params=purpose, headers=office)
    call(
        "POST",
        "/api/v1/commitments/{commitment_id}/steps",
        signed["id"],
        json={"step": "verify", "result": False, "note": "核查不实"},
        headers=scjg,
    )
    call("GET", "/api/v1/commitments/statistics", headers=office)
    call(
        "POST",
        "/api/v1/commitments/{commitment_id}/list-proposal",
        signed["id"],
        json={"list_type": "SAMR_SERIOUS"},
        headers=scjg,
    )
    call("POST", "/api/v1/commitments/recheck-samples", json={"month": "2026-08"}, headers=office)
    # Integrity education: a session held today, ORG2 attends and is certified.
    session = call(
        "POST",
        "/api/v1/trainings",
        json={"title": "诚信教育", "held_on": platform.clock.today().isoformat(), "place": "西安"},
        headers=scjg,
    )
    call(
        "POST",
        "/api/v1/trainings/{training_id}/attendance",
        session["id"],
        json={"subject": ORG2, "representative": "王建国"},
        headers=scjg,
    )
    call(
        "POST",
        "/api/v1/trainings/{training_id}/attendance/{code}/certificate",
        session["id"],
        ORG2,
        headers=office,
    )
    call("GET", "/api/v1/trainings", headers=scjg)
    call("GET", "/api/v1/trainings/{training_id}", session["id"], params=purpose, headers=office)

    # Credit evaluation: the published models, a subject's result (public, and with a key).
    from xinyong.evaluation import service as evaluation

    evaluation.run(
        platform.engine,
        platform.evaluation_models(),
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="office:测试",
    )
    call("GET", "/api/v1/evaluation/models")
    call("GET", "/api/v1/subjects/{code}/evaluation", ORG)
    call("GET", "/api/v1/subjects/{code}/evaluation", ORG, params=purpose, headers=office)
    # 双随机、一公开: two inspectors, a plan, its commitment published, the draw, a result.
    for n in ("SJ001", "SJ002", "SJ003"):
        call(
            "POST",
            "/api/v1/inspections/inspectors",
            json={
                "id": n,
                "name": "检查员",
                "region": "610100",
                "qualifications": ["执法证件"],
                "certificate": f"6101{n}99",
            },
            headers=scjg,
        )
    call("GET", "/api/v1/inspections/inspectors", headers=office)
    call(
        "POST",
        "/api/v1/inspections/recusals",
        json={"kind": "request", "inspector": "SJ001", "subject": ORG2, "reason": "曾提供咨询"},
        headers=scjg,
    )
    call("GET", "/api/v1/inspections/recusals", headers=office)
    withdrawn = call(
        "POST",
        "/api/v1/inspections/recusals",
        json={"kind": "relationship", "inspector": "SJ003", "subject": ORG, "reason": "亲属"},
        headers=scjg,
    )
    call(
        "POST", "/api/v1/inspections/recusals/{recusal_id}/withdraw", withdrawn["id"], headers=scjg
    )
    call(
        "POST",
        "/api/v1/inspections/inspectors/{inspector_id}/active",
        "SJ003",
        json={"active": True},
        headers=scjg,
    )
    add_user(platform, "jcy.openapi", "inspector")
    call(
        "POST",
        "/api/v1/inspections/inspectors/{inspector_id}/account",
        "SJ002",
        json={"account": "jcy.openapi"},
        headers=scjg,
    )
    plan = call(
        "POST",
        "/api/v1/inspections/plans",
        json={
            "name": "企业公示信息抽查",
            "kind": "annual",
            "year": 2026,
            "items": [{"item": "GSXX_CC"}],
            "policy": "SAMR_GRADED",
        },
        headers=scjg,
    )
    call("GET", "/api/v1/inspections/plans", headers=scjg)
    prepared = call(
        "POST", "/api/v1/inspections/plans/{plan_id}/draws", plan["id"], json={}, headers=scjg
    )
    call("POST", "/api/v1/inspections/draws/{draw_id}/publish", prepared["id"], headers=scjg)
    clock = platform.clock
    assert isinstance(clock, FixedClock)
    clock.advance(dt.timedelta(minutes=5))
    call("POST", "/api/v1/inspections/draws/{draw_id}/run", prepared["id"], json={}, headers=scjg)
    call("GET", "/api/v1/inspections/draws/{draw_id}", prepared["id"])
    inbox = call("GET", "/api/v1/inspections/tasks", headers=scjg)
    task = inbox["items"][0]
    call(
        "POST",
        "/api/v1/inspections/tasks/{task_id}/results",
        task["id"],
        json={
            "inspector": task["inspectors"][0],
            "item": "GSXX_CC",
            "result": "01",
            "inspected_on": platform.clock.today().isoformat(),
        },
        headers=scjg,
    )
    call("GET", "/api/v1/inspections/published")
    call("GET", "/api/v1/inspections/coverage", headers=office)
    call("GET", "/api/v1/inspections/coverage", params={"year": 2026}, headers=scjg)

    models = _models(client.app)
    covered = {(m, t, s) for m, t, s, _ in answers}
    json_ops = {op for op, model in models.items() if model is not None}
    assert json_ops - covered == set()  # every JSON operation was tried, every answer of it
    found = {}
    for method, template, status, body in answers:
        extra = _undeclared(models[(method, template, status)], body)
        if extra != []:
            found[(method, template, status)] = extra
    assert found == {}, "fields the API returns but its schema does not declare (or no fit)"

    # Errors, whichever operation gives them, fit the error model exactly.
    errors = [
        client.get("/api/v1/alerts", params={"purpose": "核查"}),
        client.get("/api/v1/alerts", params={"purpose": "核查"}, headers=scjg),
        client.get("/api/v1/list-cases/abc", headers=office),
        client.post(
            "/api/v1/list-cases", json={"list_type": "SAMR_SERIOUS", "subject": ORG}, headers=scjg
        ),
        client.get("/api/v1/batches/999999", params={"purpose": "核查"}, headers=office),
    ]
    assert [e.status_code for e in errors] == [401, 403, 422, 409, 404]
    assert [_undeclared(ErrorResponse, e.json()) for e in errors] == [[]] * len(errors)
    TypeAdapter(CheckResponse).validate_python(checked)
