"""A court deletes a natural person's 失信被执行人 entry after performance: by the clear ID
number on the CLI and over the API, looked up by its keyed hash; the next day's check shows no
measure, and no output, response or log line carries the number."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.helpers import add_department, csv_bytes, resident_id
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.identity.ric import mask_resident_id
from xinyong.kernel.clock import FixedClock
from xinyong.ledger.tables import entries
from xinyong.lists.tables import list_memberships
from xinyong.web.app import create_app
from xinyong.web.cli import app

WANG = resident_id("610102", "19750304", "231")  # 王五
ZHAO = resident_id("610113", "19820917", "112")  # 赵六
CASE_WANG = "（2026）陕01执456号"
CASE_ZHAO = "（2026）陕01执789号"
# What must never be printed: the numbers, and the birth dates inside them.
SECRETS = (WANG, ZHAO, "19750304", "19820917", "19801332")

runner = CliRunner()


def _defaulter(name: str, number: str, case: str, **overrides: str) -> dict[str, str]:
    row = {
        "SX_BZXR_MC": name,
        "SX_BZXR_LB": "自然人",
        "SX_ZJLX": "身份证",
        "SX_ZJHM": number,
        "SX_ZXFY": "西安市中级人民法院",
        "SX_AH": case,
        "SX_LXQK": "全部未履行",
        "SX_SXQX": "有履行能力而拒不履行生效法律文书确定义务",
        "SX_FBRQ": "2026-06-01",
    }
    row.update(overrides)
    return row


def _import(platform: Platform, *rows: dict[str, str]) -> Any:
    result = platform.importer().import_bytes(
        csv_bytes(list(rows)), filename="sxbzxr.csv", department_code="gy", item_code="SXBZXR"
    )
    assert result.rejected == 0, result.rejections
    return result


def _check(platform: Platform, number: str) -> dict[str, Any]:
    with platform.engine.begin() as conn:
        return checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=number,
            scenario="consumption",
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="t",
        )


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.fixture
def court(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> str:
    """The court department (its key), two listed persons, and the CLI on this platform."""
    monkeypatch.setattr("xinyong.web.cli._platform", lambda: platform)
    key = add_department(platform, "gy", "court")
    _import(platform, _defaulter("王五", WANG, CASE_WANG), _defaulter("赵六", ZHAO, CASE_ZHAO))
    return key


def test_person_revoked_by_clear_id_on_cli_and_api_has_no_measure_the_next_day(
    platform: Platform, clock: FixedClock, court: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for number in (WANG, ZHAO):
        answer = _check(platform, number)
        assert [m["list_type"] for m in answer["memberships"]] == ["COURT_DEFAULTER"]
        assert "M05" in {m["measure"] for m in answer["measures"]}
    with platform.engine.connect() as conn:
        keys = {r.record_key for r in conn.execute(select(entries.c.record_key))}
    assert keys == {
        f"{platform.vault.subject_key(WANG)}|{CASE_WANG}",
        f"{platform.vault.subject_key(ZHAO)}|{CASE_ZHAO}",
    }

    clock.advance(dt.timedelta(days=2))
    code, out = _run(
        "--operator",
        "张法官",
        "revoke",
        "SXBZXR",
        WANG,
        CASE_WANG,
        "--source",
        "gy",
        "--reason",
        "已履行完毕，删除失信信息",
    )
    assert code == 0, out
    assert "已撤销" in out
    _clean(out)

    client = TestClient(create_app(platform))
    body = {"item": "SXBZXR", "subject": ZHAO, "record": CASE_ZHAO, "reason": "执行和解协议已履行"}
    resp = client.post("/api/v1/revocations", json=body, headers={"X-API-Key": court})
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "revoked"
    _clean(resp.text)
    again = client.post("/api/v1/revocations", json=body, headers={"X-API-Key": court})
    assert again.status_code == 422
    assert "已撤销" in again.json()["detail"]["message"]

    clock.advance(dt.timedelta(days=1))
    for number in (WANG, ZHAO):
        answer = _check(platform, number)
        assert answer["memberships"] == []
        assert answer["measures"] == []
    with platform.engine.connect() as conn:
        exits = conn.execute(select(list_memberships.c.exit_reason)).scalars().all()
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == "revoke")
        ).all()
    assert exits == ["revoked", "revoked"]
    assert [r.actor for r in rows] == ["cli:张法官", "client:1:gy系统"]
    assert json.loads(rows[0].detail)["subject"] == mask_resident_id(WANG)
    for row in rows:
        _clean(row.detail)
    for record in caplog.records:
        _clean(record.getMessage())


def test_mistyped_or_unknown_id_gets_a_chinese_error_without_the_number(
    platform: Platform, court: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = TestClient(create_app(platform))
    wrong_check = WANG[:-1] + ("0" if WANG[-1] != "0" else "1")
    bad_birth = "610102" + "19801332" + "1234"
    for typed, why in ((wrong_check, "校验位"), (bad_birth, "出生日期")):
        code, out = _run(
            "revoke", "SXBZXR", typed, CASE_WANG, "--source", "gy", "--reason", "已履行"
        )
        assert code == 2
        assert why in out
        assert mask_resident_id(typed) in out  # which number, masked
        _clean(out)
        assert typed not in out
        body = {"item": "SXBZXR", "subject": typed, "record": CASE_WANG, "reason": "已履行"}
        resp = client.post("/api/v1/revocations", json=body, headers={"X-API-Key": court})
        assert resp.status_code == 422
        assert why in resp.json()["detail"]["message"]
        assert typed not in resp.text
        _clean(resp.text)
    # A valid number with no such record: 404, shown masked.
    body = {"item": "SXBZXR", "subject": WANG, "record": "（2026）陕01执1号", "reason": "已履行"}
    resp = client.post("/api/v1/revocations", json=body, headers={"X-API-Key": court})
    assert resp.status_code == 404
    assert mask_resident_id(WANG) in resp.json()["detail"]["message"]
    _clean(resp.text)
    for record in caplog.records:
        _clean(record.getMessage())
    assert _check(platform, WANG)["memberships"], "nothing was revoked"


def test_correction_of_a_persons_record_keeps_the_keyed_record(
    platform: Platform, clock: FixedClock, court: str
) -> None:
    clock.advance(dt.timedelta(days=1))
    result = _import(platform, _defaulter("王五", WANG, CASE_WANG, SX_LXQK="部分履行"))
    assert (result.accepted, result.corrections) == (1, 1)
    key = f"{platform.vault.subject_key(WANG)}|{CASE_WANG}"
    with platform.engine.connect() as conn:
        versions = conn.execute(
            select(entries.c.action, entries.c.payload)
            .where(entries.c.record_key == key)
            .order_by(entries.c.id)
        ).all()
        members = conn.execute(select(list_memberships.c.exited_on)).scalars().all()
    assert [v.action for v in versions] == ["assert", "correct"]
    assert json.loads(versions[1].payload)["SX_LXQK"] == "部分履行"
    for v in versions:
        _clean(v.payload)
    assert members == [None, None]  # replaced, not ended: the person is still listed
    answer = _check(platform, WANG)
    assert "M05" in {m["measure"] for m in answer["measures"]}


def test_a_passport_holder_is_revoked_by_type_and_number(
    platform: Platform, clock: FixedClock, court: str
) -> None:
    passport = "E12345678"
    _import(platform, _defaulter("JOHN SMITH", passport, "（2026）陕01执5号", SX_ZJLX="护照"))
    clock.advance(dt.timedelta(days=1))
    args = ("revoke", "SXBZXR", passport.lower(), "（2026）陕01执5号", "--source", "gy")
    code, out = _run(*args, "--reason", "已履行")  # no type: read as a resident ID, refused
    assert code == 2
    assert passport not in out.upper()
    code, out = _run(*args, "--reason", "已履行", "--id-type", "签证")
    assert code == 2
    assert "证件类型“签证”不在代码表中" in out
    code, out = _run(*args, "--reason", "已履行", "--id-type", "护照")
    assert code == 0, out
    assert passport not in out.upper()
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(list_memberships.c.subject_key, list_memberships.c.exit_reason)
        ).all()
    exited = {r.subject_key: r.exit_reason for r in rows}
    assert exited[platform.vault.subject_key(f"02:{passport}")] == "revoked"
    assert exited[platform.vault.subject_key(WANG)] is None
