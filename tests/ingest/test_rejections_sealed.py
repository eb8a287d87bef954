"""Rejected rows keep no clear ID number: masked in the table, sealed for the submitter's file."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text

from tests.helpers import add_department, csv_bytes, penalty, person_penalty, resident_id
from xinyong.access.repository import audit_rows
from xinyong.bootstrap import Platform
from xinyong.ingest.readers import read_table
from xinyong.ingest.rejections import reseal_rejections
from xinyong.ledger.tables import rejected_rows
from xinyong.web.app import create_app

ID_NUMBER = re.compile(r"\d{17}[\dXx]")


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


def _person(number: str, **overrides: str) -> dict[str, str]:
    return person_penalty(number, **overrides)


def _stored_text(platform: Platform) -> str:
    with platform.engine.connect() as conn:
        rows = conn.execute(text("SELECT cells, problems FROM rejected_rows")).all()
    assert rows
    return "\n".join(c + p for c, p in rows)


def _upload(client: TestClient, key: str, data: bytes) -> dict[str, object]:
    resp = client.post(
        "/api/v1/imports",
        params={"item": "XZCF"},
        files={"file": ("penalties.csv", data, "text/csv")},
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, object] = resp.json()
    return body


def test_rejected_rows_hold_no_clear_id_number_and_the_department_file_does(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    other = add_department(platform, "sthj", "ecology")
    person = resident_id("610103", "19751231", "045")
    rep = resident_id("610104", "19800101", "017")
    bad_check_digit = person[:-1] + ("0" if person[-1] != "0" else "1")
    rows = [
        _person(person, CF_WSH="1号", CF_JDRQ="2026-13-01"),  # bad date: the ID is valid
        _person(bad_check_digit, CF_WSH="2号"),  # the ID itself is refused
        penalty(CF_WSH="3号", CF_FR_ZJHM=rep, CF_JDRQ="not a date"),
    ]
    body = _upload(client, key, csv_bytes(rows))
    assert body["rejected"] == 3
    stored = _stored_text(platform)
    assert not ID_NUMBER.search(stored), stored
    assert "李四" not in stored
    assert person[-4:] in stored  # masked, not dropped: 610103********xxxx

    url = str(body["rejection_file_url"])
    assert client.get(url, headers={"X-API-Key": other}).status_code == 403
    back = client.get(url, params={"purpose": "更正后重新报送"}, headers={"X-API-Key": key})
    assert back.status_code == 200
    table = read_table(back.content, filename="back.csv", max_bytes=10**6, max_rows=10)
    numbers = [r.cells[table.headers.index("CF_XDR_ZJHM")] for r in table.rows]
    assert numbers == [person, bad_check_digit, ""]
    assert table.rows[2].cells[table.headers.index("CF_FR_ZJHM")] == rep
    assert table.rows[0].cells[table.headers.index("CF_XDR_MC")] == "李四"

    with platform.engine.connect() as conn:
        downloads = [r for r in audit_rows(conn) if r["action"] == "download_rejections"]
    assert len(downloads) == 1  # the refused read is not a download
    assert downloads[0]["actor"].startswith("client:")  # the department's API client
    assert downloads[0]["target"] == f"batch:{body['batch_id']}"
    assert downloads[0]["purpose"]
    assert json.loads(downloads[0]["detail"])["clear"] is True


def test_the_office_gets_the_masked_rejection_file(client: TestClient, platform: Platform) -> None:
    from xinyong.access import service as access

    key = add_department(platform)
    person = resident_id("610103", "19751231", "045")
    body = _upload(client, key, csv_bytes([_person(person, CF_JDRQ="2026-13-01")]))
    with platform.engine.begin() as conn:
        office = access.issue_key(conn, "信用办", "office", None, platform.clock.now())
    back = client.get(
        str(body["rejection_file_url"]), params={"purpose": "核查"}, headers={"X-API-Key": office}
    )
    assert back.status_code == 200
    assert person not in back.content.decode("utf-8-sig")


def test_rows_stored_before_sealing_are_masked_and_sealed(platform: Platform) -> None:
    person = resident_id("610103", "19751231", "045")
    problem = {"field": "决定日期", "value": "x", "reason": f"号码 {person} 有误", "reason_en": "x"}
    with platform.engine.begin() as conn:
        conn.execute(
            insert(rejected_rows).values(
                batch_id=1,
                row_number=2,
                cells=json.dumps(["李四", person], ensure_ascii=False),
                problems=json.dumps([problem], ensure_ascii=False),
            )
        )
        assert reseal_rejections(conn, platform.vault) == 1
        assert reseal_rejections(conn, platform.vault) == 0  # once is enough
        row = conn.execute(select(rejected_rows)).one()
    assert not ID_NUMBER.search(row.cells + row.problems)
    clear = json.loads(platform.vault.unseal(bytes(row.sealed)))
    assert clear["cells"] == ["李四", person]
    assert person in clear["problems"][0]["reason"]
