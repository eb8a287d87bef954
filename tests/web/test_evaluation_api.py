"""``GET /api/v1/evaluation/models`` and ``GET /api/v1/subjects/{code}/evaluation`` on both
engines: the published model, a subject's result by disclosure (public without entry ids, a key
with them, audited with a purpose), a natural person never public."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.helpers import ORG, add_department, csv_bytes, penalty, person_penalty, resident_id
from xinyong.access import service as access
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.evaluation import service as evaluation
from xinyong.ledger.tables import entries
from xinyong.web.app import create_app


def _scored(platform: Platform) -> None:
    add_department(platform)
    platform.importer().import_bytes(
        csv_bytes(
            [penalty(), person_penalty(resident_id(seq="456"), CF_WSH="陕市监罚〔2026〕5号")]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    evaluation.run(
        platform.engine,
        platform.evaluation_models(),
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="office:测试",
    )


def test_models_are_published_with_indicators_weights_and_grades(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    body = client.get("/api/v1/evaluation/models").json()
    model = next(m for m in body["items"] if m["code"] == "GGXYPJ")
    assert model["version"] == "2026.1"
    assert any(b["doc_no"] == "GB/T 45255-2025" for b in model["legal_basis"])
    penalty_general = next(i for i in model["indicators"] if i["code"] == "PENALTY_GENERAL")
    assert penalty_general["name"]
    assert penalty_general["weight"] == 150
    assert [(g["label"], g["from"], g["to"]) for g in model["grades"]] == [
        ("优", 850, 1000),
        ("良", 700, 850),
        ("中", 500, 700),
        ("差", 0, 500),
    ]


def test_a_subject_result_follows_its_disclosure(platform: Platform) -> None:
    _scored(platform)
    client = TestClient(create_app(platform))
    public = client.get(f"/api/v1/subjects/{ORG}/evaluation")
    assert public.status_code == 200, public.text
    (result,) = public.json()["results"]
    assert (result["score"], result["grade_label"], result["grade_letter"]) == (650.0, "中", "C")
    general = next(i for i in result["indicators"] if i["code"] == "PENALTY_GENERAL")
    assert general["contribution"] == -50.0
    assert "entries" not in general  # the public answer names no ledger entry

    with platform.engine.begin() as conn:
        key = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
        org_entries = [
            int(r[0])
            for r in conn.execute(select(entries.c.id).where(entries.c.subject_key == ORG))
        ]
    headers = {"X-API-Key": key}
    refused = client.get(f"/api/v1/subjects/{ORG}/evaluation", headers=headers)
    assert refused.status_code == 422
    assert "查询用途" in refused.text
    internal = client.get(
        f"/api/v1/subjects/{ORG}/evaluation", params={"purpose": "分级分类监管"}, headers=headers
    ).json()
    general = next(
        i for i in internal["results"][0]["indicators"] if i["code"] == "PENALTY_GENERAL"
    )
    assert general["entries"] == org_entries
    with platform.engine.connect() as conn:
        actions = [r[0] for r in conn.execute(select(audit_log.c.action))]
    assert "read_evaluation" in actions

    person = client.get(f"/api/v1/subjects/{resident_id(seq='456')}/evaluation").json()
    assert person["results"] == []
    assert "自然人" in person["note"]
    bad = client.get("/api/v1/subjects/91610102MA6T1C7D3B/evaluation")
    assert bad.status_code == 422
    assert "subject" in bad.text
