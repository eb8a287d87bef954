"""The REST API: department submissions, authorisation, rejection files, credit files."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.helpers import (
    ORG,
    add_department,
    csv_bytes,
    listing_details,
    penalty,
    person_penalty,
    resident_id,
)
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.checks.tables import check_receipts
from xinyong.ingest.readers import read_table
from xinyong.web.app import create_app


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


def _upload(client: TestClient, key: str | None, data: bytes, **params: str):  # type: ignore[no-untyped-def]
    headers = {"X-API-Key": key} if key else {}
    return client.post(
        "/api/v1/imports",
        params={"item": "XZCF", **params},
        files={"file": ("penalties.csv", data, "text/csv")},
        headers=headers,
    )


def test_department_submits_as_itself_and_gets_rejections_back(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    rows = [penalty(), penalty(CF_WSH="2号", CF_JDRQ="2026-13-01")]
    resp = _upload(client, key, csv_bytes(rows))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["accepted"], body["rejected"], body["duplicates"], body["late"]) == (1, 1, 0, 0)
    assert body["rejections"][0]["row"] == 3
    assert set(body["rejections"][0]) >= {"row", "field", "value", "reason"}
    back = client.get(
        body["rejection_file_url"], params={"purpose": "更正后重新报送"}, headers={"X-API-Key": key}
    )
    assert back.status_code == 200
    table = read_table(back.content, filename="back.csv", max_bytes=10**6, max_rows=10)
    assert [r.cells[table.headers.index("CF_WSH")] for r in table.rows] == ["2号"]
    again = _upload(client, key, csv_bytes(rows[:1]))
    assert again.json()["duplicates"] == 1
    assert again.json()["accepted"] == 0


def test_submissions_need_a_department_key_and_cannot_impersonate(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    add_department(platform, "sthj", "ecology")
    assert _upload(client, None, csv_bytes([penalty()])).status_code == 401
    assert _upload(client, "xy_wrong", csv_bytes([penalty()])).status_code == 401
    resp = _upload(client, key, csv_bytes([penalty()]), source="sthj")
    assert resp.status_code == 403
    assert "只能报送本部门的数据" in resp.json()["detail"]["message"]
    with platform.engine.begin() as conn:
        office = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
    assert _upload(client, office, csv_bytes([penalty()])).status_code == 403


def test_department_cannot_read_another_departments_batch(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    other = add_department(platform, "sthj", "ecology")
    batch = _upload(client, key, csv_bytes([penalty()])).json()["batch_id"]
    assert (
        client.get(
            f"/api/v1/batches/{batch}", params={"purpose": "核查"}, headers={"X-API-Key": key}
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/batches/{batch}", params={"purpose": "核查"}, headers={"X-API-Key": other}
        ).status_code
        == 403
    )


def test_bad_file_gets_a_clear_422(client: TestClient, platform: Platform) -> None:
    key = add_department(platform)
    resp = _upload(client, key, "CF_XDR_MC,CF_XDR_MC\n甲,乙\n".encode())
    assert resp.status_code == 422
    assert "重复" in resp.json()["detail"]["message"]


def test_credit_file_public_and_internal(client: TestClient, platform: Platform) -> None:
    key = add_department(platform)
    _upload(client, key, csv_bytes([penalty()]))
    public = client.get(f"/api/v1/subjects/{ORG}/file")
    assert public.status_code == 200
    groups = public.json()["groups"]
    assert groups
    assert groups[0]["items"][0]["item"] == "XZCF"
    record = groups[0]["items"][0]["records"][0]
    assert "source_file" not in record["provenance"]
    assert (
        client.get(f"/api/v1/subjects/{ORG}/file", params={"view": "internal"}).status_code == 401
    )
    internal = client.get(
        f"/api/v1/subjects/{ORG}/file",
        params={"view": "internal", "purpose": "核查"},
        headers={"X-API-Key": key},
    )
    assert internal.status_code == 200
    assert internal.json()["groups"][0]["items"][0]["records"][0]["provenance"]["source_row"] == 2
    assert client.get("/api/v1/subjects/NOTACODE/file").status_code == 422
    from xinyong.access.repository import audit_rows

    with platform.engine.connect() as conn:
        reads = [r for r in audit_rows(conn) if r["action"] == "read_file"]
    assert len(reads) == 1
    assert reads[0]["purpose"] == "核查"


def test_home_and_subject_pages_render(client: TestClient, platform: Platform) -> None:
    key = add_department(platform)
    _upload(client, key, csv_bytes([penalty()]))
    home = client.get("/", params={"q": "碑林"})
    assert home.status_code == 200
    assert ORG in home.text
    page = client.get(f"/subjects/{ORG}")
    assert page.status_code == 200
    assert "行政处罚" in page.text
    assert "陕市监罚〔2026〕1号" in page.text
    assert "6101" not in page.text.split("法定代表人")[0][-5:]  # no ID numbers
    assert client.get("/subjects/91610000ABCDEFGHIJ").status_code == 404
    assert client.get("/healthz").json() == {"status": "ok"}


def test_revocation_endpoint(client: TestClient, platform: Platform) -> None:
    key = add_department(platform)
    other = add_department(platform, "sthj", "ecology")
    _upload(client, key, csv_bytes([penalty()]))
    body = {"item": "XZCF", "subject": ORG, "record": "陕市监罚〔2026〕1号", "reason": "复议撤销"}
    assert (
        client.post("/api/v1/revocations", json=body, headers={"X-API-Key": other}).status_code
        == 403
    )
    ok = client.post("/api/v1/revocations", json=body, headers={"X-API-Key": key})
    assert ok.status_code == 201
    assert (
        client.post("/api/v1/revocations", json=body, headers={"X-API-Key": key}).status_code == 422
    )
    public = client.get(f"/api/v1/subjects/{ORG}/file").json()
    assert public["counts"]["records"] == 0
    missing = {**body, "record": "不存在"}
    assert (
        client.post("/api/v1/revocations", json=missing, headers={"X-API-Key": key}).status_code
        == 404
    )


def test_check_endpoint_with_receipt_and_feedback(client: TestClient, platform: Platform) -> None:
    from xinyong.lists import service as lists

    key = add_department(platform)
    with platform.engine.begin() as conn:
        case = lists.propose(
            conn,
            platform.sanctions,
            platform.calendar,
            list_type="SAMR_SERIOUS",
            subject_key=ORG,
            department_code="scjg",
            actor="t",
            now=platform.clock.now(),
            catalogue_version="v",
        )
        for name in ("notify", "list", "publish"):
            lists.advance(
                conn,
                platform.sanctions,
                platform.catalogue,
                platform.calendar,
                case.id,
                name,
                actor="t",
                role="department",
                now=platform.clock.now(),
                **listing_details(name),
            )
    assert (
        client.post(
            "/api/v1/checks", json={"subject": ORG, "scenario": "government_procurement"}
        ).status_code
        == 401
    )
    resp = client.post(
        "/api/v1/checks",
        json={"subject": ORG, "scenario": "government_procurement"},
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 200
    answer = resp.json()
    assert {m["measure"] for m in answer["measures"]} >= {"M11", "M12"}
    assert answer["commitment_allowed"] is False
    receipt = answer["receipt"]
    ok = client.post(
        f"/api/v1/checks/{receipt}/feedback",
        json={"measure": "M12", "applied": True},
        headers={"X-API-Key": key},
    )
    assert ok.status_code == 201
    # feedback wrote the queued receipts first
    with platform.engine.connect() as conn:
        stored = conn.execute(
            select(check_receipts.c.answer_hash).where(check_receipts.c.receipt == receipt)
        ).scalar_one()
    assert stored == hashlib.sha256(resp.content).hexdigest()  # the receipt is of this text
    no_reason = client.post(
        f"/api/v1/checks/{receipt}/feedback",
        json={"measure": "M11", "applied": False},
        headers={"X-API-Key": key},
    )
    assert no_reason.status_code == 422
    unknown = client.post(
        "/api/v1/checks/nope/feedback",
        json={"measure": "M12", "applied": True},
        headers={"X-API-Key": key},
    )
    assert unknown.status_code == 404
    bad = client.post(
        "/api/v1/checks", json={"subject": ORG, "scenario": "nowhere"}, headers={"X-API-Key": key}
    )
    assert bad.status_code == 404


def test_a_departments_internal_view_holds_the_public_file_and_its_own_records_only(
    client: TestClient, platform: Platform
) -> None:
    """The whole internal file is for the credit office and auditors; a department sees what
    is public plus what it submitted itself (a person's records are never public)."""
    keys = {
        "yjgl": add_department(platform, "yjgl", "safety"),
        "sthj": add_department(platform, "sthj", "ecology_environment"),
    }
    with platform.engine.begin() as conn:
        keys["office"] = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
    number = resident_id("610103", "19751231", "045")
    for dept, wsh in (("yjgl", "陕应急罚〔2026〕1号"), ("sthj", "陕环罚〔2026〕7号")):
        resp = _upload(client, keys[dept], csv_bytes([person_penalty(number, CF_WSH=wsh)]))
        assert resp.status_code == 201, resp.text

    from xinyong.ledger.tables import entries

    with platform.engine.connect() as conn:
        person_key = conn.execute(select(entries.c.subject_key)).scalars().first()
    assert person_key is not None
    assert person_key.startswith("P")

    def numbers(who: str, code: str = person_key) -> list[str]:
        resp = client.get(
            f"/api/v1/subjects/{code}/file",
            params={"view": "internal", "purpose": "办理行政处罚"},
            headers={"X-API-Key": keys[who]},
        )
        assert resp.status_code == 200, resp.text
        assert number not in resp.text
        return sorted(
            r["record_key"] for g in resp.json()["groups"] for i in g["items"] for r in i["records"]
        )

    assert numbers("office") == ["陕应急罚〔2026〕1号", "陕环罚〔2026〕7号"]
    # A person's key is found whatever its case (a key typed or copied in capitals).
    assert numbers("office", person_key.upper()) == numbers("office")
    assert numbers("yjgl") == ["陕应急罚〔2026〕1号"]
    assert numbers("sthj") == ["陕环罚〔2026〕7号"]
    from xinyong.access.repository import audit_rows

    with platform.engine.connect() as conn:
        reads = [r for r in audit_rows(conn) if r["action"] == "read_file"]
    assert len(reads) == 5
    assert all(r["purpose"] == "办理行政处罚" for r in reads)
