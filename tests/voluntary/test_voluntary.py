"""Voluntary registration end to end on both engines with a moved clock: registered →
verified → in the ledger (self-reported, verified by whom) and the credit file, public per the
kind's disclosure; registered → rejected with the reason; refused without the authorisation,
by a department that does not verify the kind, or with bad fields, changing nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.cases.attachments import Upload
from xinyong.cases.tables import cases as cases_table
from xinyong.catalog.loader import load_catalogue
from xinyong.catalog.voluntary import load_voluntary_catalogue
from xinyong.creditfile.service import build_credit_file
from xinyong.events.tables import outbox_events as outbox
from xinyong.identity.divisions import default_divisions
from xinyong.ingest.rederive import derived_differences
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import Conflict, InputError, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.tables import entries
from xinyong.voluntary import service as voluntary

PDF = b"%PDF-1.7\n% certificate scan\n"
CERT = {
    "certificate_name": "建筑业企业资质证书",
    "certificate_no": "D261000001",
    "issuer": "陕西省住房和城乡建设厅",
    "issued_on": "2026-03-01",
}


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=CHINA_TZ)


def _setup(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)  # scjg, market_regulation
    add_department(platform, "swj", "tax")
    clock.set(at(2026, 11, 2))
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )


def _submit(platform: Platform, **kw: Any) -> int:
    args: dict[str, Any] = {
        "subject_key": ORG,
        "kind": "QUALIFICATION",
        "values": CERT,
        "department_code": "scjg",
        "commitment": True,
        "authorisation": True,
        "materials": [Upload("资质证书.pdf", PDF)],
        "actor": "subject:" + ORG,
        "role": "subject",
    }
    args.update(kw)
    with platform.transaction() as conn:
        return voluntary.submit(
            conn, platform.voluntary_deps(), now=platform.clock.now(), **args
        ).id


def _step(platform: Platform, case_id: int, name: str, role: str = "department", **kw: Any) -> Any:
    kw.setdefault("department_code", "scjg" if role == "department" else None)
    with platform.transaction() as conn:
        return voluntary.step(
            conn,
            platform.voluntary_deps(),
            case_id,
            name,
            actor=f"{role}:t",
            role=role,
            now=platform.clock.now(),
            **kw,
        )


def _file(platform: Platform, view: str) -> str:
    with platform.engine.connect() as conn:
        cf = build_credit_file(
            conn,
            platform.catalogue,
            ORG,
            as_of=platform.clock.today(),
            view=view,  # type: ignore[arg-type]
            sanctions=platform.sanctions,
        )
    return json.dumps(cf.as_dict(), ensure_ascii=False, default=str)


def _refused(cls: type[Exception], text: str, call: Any) -> None:
    with pytest.raises(cls) as exc:
        call()
    assert text in getattr(exc.value, "message_zh", ""), exc.value


def _counts(platform: Platform) -> tuple[int, int, int]:
    with platform.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(cases_table)).scalar_one(),
            conn.execute(select(func.count()).select_from(entries)).scalar_one(),
            conn.execute(select(func.count()).select_from(outbox)).scalar_one(),
        )


def test_catalogue_kinds_agree_with_their_items() -> None:
    cat = load_catalogue()
    vol = load_voluntary_catalogue()
    assert {k.code for k in vol.kinds} >= {"QUALIFICATION", "OPERATIONS", "CONTRACT", "WELFARE"}
    for k in vol.kinds:
        assert cat.item(k.item).disclosure is k.disclosure, k.code
        assert k.legal_basis
    assert vol.target.share == pytest.approx(0.30)
    assert "三（二）2" in vol.target.legal_basis[0].articles


def test_registered_verified_public_and_in_the_file(platform: Platform, clock: FixedClock) -> None:
    _setup(platform, clock)
    case_id = _submit(platform)
    with platform.engine.connect() as conn:
        view = voluntary.case_view(
            conn, platform.voluntary_deps(), case_id, today=clock.today(), role="department"
        )
    assert view["state"] == "submitted"
    # 10 working days [U] from Monday 2026-11-02.
    assert view["due"]["date"] == "2026-11-16"
    assert [t["name"] for t in view["transitions"]] == ["verify", "reject"]
    assert view["attachments"][0]["file_name"] == "资质证书.pdf"
    assert "建筑业企业资质证书" not in _file(platform, "public")
    clock.set(at(2026, 11, 5))
    case = _step(platform, case_id, "verify", note="与发证机关数据核对一致")
    assert case.state == "verified"
    with platform.engine.connect() as conn:
        view = voluntary.case_view(
            conn, platform.voluntary_deps(), case_id, today=clock.today(), role=None
        )
        entry = ledger.entry(conn, view["verified"]["entry"])
        assert (
            list(
                derived_differences(conn, platform.catalogue, platform.sanctions, platform.calendar)
            )
            == []
        )
        kinds = [k for k, _p in conn.execute(select(outbox.c.kind, outbox.c.payload))]
    assert entry.item_code == "ZYGS"
    assert entry.public
    assert entry.payload["ZY_SBFS"] == "自主申报"
    assert entry.payload["ZY_HYDW"] == "部门scjg"
    assert entry.payload["ZY_HYRQ"] == "2026-11-05"
    assert entry.payload["ZY_HYZT"] == "2"
    assert "证书编号：D261000001" in entry.payload["ZY_NR"]
    assert view["verified"]["by"] == "部门scjg"
    public = _file(platform, "public")
    assert "建筑业企业资质证书" in public
    assert "自主申报" in public
    assert "case.voluntary_registration.verify" in kinds
    with platform.engine.connect() as conn:
        report = voluntary.share_report(
            conn, platform.voluntary_deps(), divisions=default_divisions()
        )
    assert report["overall"]["voluntary"] == 1
    assert report["overall"]["total"] == 2
    assert report["overall"]["share_text"] == "50.0%"
    assert report["overall"]["reached"] is True
    [dept] = report["departments"]
    assert dept["department"] == "scjg"
    assert dept["share"] == 0.5
    [region] = report["regions"]
    assert region["region"] == "6101"
    assert region["region_name"] == "西安市"


def test_authorised_only_kind_is_filed_but_not_public(
    platform: Platform, clock: FixedClock
) -> None:
    _setup(platform, clock)
    values = {"period": "2025年度", "main_business": "建筑施工", "employees": "120"}
    case_id = _submit(
        platform, kind="OPERATIONS", values=values, department_code="swj", materials=[]
    )
    _step(platform, case_id, "verify", department_code="swj")
    assert "建筑施工" not in _file(platform, "public")
    assert "建筑施工" in _file(platform, "internal")


def test_office_verifies_welfare(platform: Platform, clock: FixedClock) -> None:
    _setup(platform, clock)
    values = {
        "activity": "乡村振兴助学捐赠",
        "organiser": "西安市慈善会",
        "held_on": "2026-10-20",
        "amount": "5",
    }
    case_id = _submit(platform, kind="WELFARE", values=values, department_code=None)
    with pytest.raises(PermissionDenied):
        _step(platform, case_id, "verify")  # a department may not verify the office's kind
    case = _step(platform, case_id, "verify", role="office")
    assert case.department_code == "xinyongban"
    assert "乡村振兴助学捐赠" in _file(platform, "public")


def test_registered_rejected_with_reason(platform: Platform, clock: FixedClock) -> None:
    _setup(platform, clock)
    case_id = _submit(platform)
    before = _counts(platform)
    _refused(InputError, "理由", lambda: _step(platform, case_id, "reject"))
    assert _counts(platform) == before
    _step(platform, case_id, "reject", note="证书编号与发证机关数据不符")
    with platform.engine.connect() as conn:
        view = voluntary.case_view(
            conn, platform.voluntary_deps(), case_id, today=clock.today(), role="subject"
        )
        mine = voluntary.find(conn, today=clock.today(), subject_key=ORG)
    assert view["state"] == "rejected"
    assert view["rejection_reason"] == "证书编号与发证机关数据不符"
    assert view["verified"] is None
    assert view["transitions"] == []
    assert mine["registrations"][0]["state_label"] == "核验未通过"
    assert "建筑业企业资质证书" not in _file(platform, "internal")


def test_refused_without_authorisation_or_commitment(platform: Platform, clock: FixedClock) -> None:
    _setup(platform, clock)
    before = _counts(platform)
    _refused(
        InputError, "authorisation（授权使用）", lambda: _submit(platform, authorisation=False)
    )
    _refused(InputError, "commitment（真实性承诺）", lambda: _submit(platform, commitment=False))
    assert _counts(platform) == before


def test_bad_fields_named_with_value_and_reason(platform: Platform, clock: FixedClock) -> None:
    _setup(platform, clock)
    before = _counts(platform)
    bad = {**CERT, "issued_on": "2026-13-01", "certificate_no": ""}
    with pytest.raises(InputError) as exc:
        _submit(platform, values=bad)
    assert "issued_on（发证日期）“2026-13-01”：应为日期" in exc.value.message_zh
    assert "certificate_no（证书编号）：必填" in exc.value.message_zh
    _refused(
        InputError, "不负责核验", lambda: _submit(platform, department_code="swj")
    )  # tax does not verify certificates
    assert _counts(platform) == before


def test_wrong_department_refused_and_duplicate(platform: Platform, clock: FixedClock) -> None:
    _setup(platform, clock)
    case_id = _submit(platform)
    before = _counts(platform)
    _refused(
        PermissionDenied,
        "无权核验",
        lambda: _step(platform, case_id, "verify", department_code="swj"),
    )
    with pytest.raises(PermissionDenied):
        _step(platform, case_id, "verify", role="subject")
    _refused(Conflict, "不能重复注册", lambda: _submit(platform))
    assert _counts(platform) == before
