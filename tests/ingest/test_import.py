"""The import pipeline end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from tests.conftest import shared_data
from tests.creditfile.support import credit_file
from tests.helpers import (
    IBIZ,
    ORG,
    ORG2,
    add_department,
    counts,
    csv_bytes,
    json_bytes,
    penalty,
    person_penalty,
    resident_id,
    revoke,
    xlsx_bytes,
)
from xinyong.bootstrap import Platform
from xinyong.ingest.readers import read_table
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import InputError, PermissionDenied
from xinyong.ledger.tables import entries


def _import(
    platform: Platform,
    data: bytes,
    name: str = "penalties.csv",
    item: str | None = "XZCF",
    dept: str = "scjg",
):  # type: ignore[no-untyped-def]
    return platform.importer().import_bytes(
        data, filename=name, department_code=dept, item_code=item
    )


@pytest.mark.shared
def test_real_1995_registrations_accept_all_valid_codes_and_reject_the_bad_one(
    platform: Platform,
) -> None:
    folder = shared_data() / "registrations-1995"
    add_department(platform)
    total_rows = accepted = 0
    rejections = []
    for path in sorted(folder.glob("*.csv")):
        result = _import(platform, path.read_bytes(), path.name, item=None)
        assert result.item == "DJZC", "the 1995 header set must be recognised as registrations"
        total_rows += result.rows
        accepted += result.accepted
        rejections.extend(result.rejections)
    assert total_rows == 982 + 675 + 1499
    assert accepted == total_rows - 1
    assert len(rejections) == 1
    bad = rejections[0]
    assert bad["value"] == "91510108202229321Y"
    assert "统一社会信用代码" in bad["field"]
    assert "校验位" in bad["reason"]


def test_mixed_batch_keeps_valid_rows_and_explains_each_rejection(platform: Platform) -> None:
    add_department(platform)
    rows = [
        penalty(),
        penalty(CF_WSH="2号", CF_XDR_SHXYM=ORG[:-1] + ("0" if ORG[-1] != "0" else "1")),
        penalty(CF_WSH="3号", CF_JDRQ="2026-02-30"),
        penalty(CF_WSH="4号", CF_NR_FK="-5"),
        penalty(CF_WSH="5号", CF_SY="=cmd|' /C calc'!A0"),
        penalty(CF_WSH="6号", CF_CFLB="打屁股"),
        penalty(CF_WSH="", CF_XDR_SHXYM=ORG2),
        penalty(
            CF_WSH="8号", CF_XDR_SHXYM=IBIZ, CF_XDR_LB="个体工商户", CF_XDR_MC="碑林区某某经营部"
        ),
    ]
    before = counts(platform)
    result = _import(platform, csv_bytes(rows))
    assert (result.accepted, result.rejected) == (2, 6)
    by_row = {r["row"]: r for r in result.rejections}
    assert set(by_row) == {3, 4, 5, 6, 7, 8}  # header is line 1, so data rows start at 2
    assert "校验位" in by_row[3]["reason"]
    assert by_row[3]["field"].endswith("（CF_XDR_SHXYM）")
    assert by_row[4]["value"] == "2026-02-30"
    assert "不存在" in by_row[4]["reason"]
    assert by_row[5]["value"] == "-5"
    assert "负" in by_row[5]["reason"]
    assert "公式" in by_row[6]["reason"]
    assert by_row[7]["value"] == "打屁股"
    assert "代码表" in by_row[7]["reason"]
    assert "CF_WSH" in by_row[8]["field"]
    assert "必填" in by_row[8]["reason"]
    assert counts(platform) == (before[0] + 1, before[1] + 2)
    # The rejected rows come back in the input's format, with the reasons, ready to resend.
    assert result.rejection_file is not None
    assert result.rejection_suffix is not None
    back = read_table(
        result.rejection_file,
        filename="back" + result.rejection_suffix,
        max_bytes=10**7,
        max_rows=100,
    )
    assert back.format == "csv"
    assert len(back.rows) == 6
    assert "错误原因" in back.headers
    wsh = back.headers.index("CF_WSH")
    assert [r.cells[wsh] for r in back.rows] == ["2号", "3号", "4号", "5号", "6号", ""]
    # The formula cell is neutralised in the file we hand back.
    sy = back.headers.index("CF_SY")
    assert back.rows[3].cells[sy].startswith("'=")


def test_reimport_adds_nothing_and_a_changed_row_is_a_correction(platform: Platform) -> None:
    add_department(platform)
    data = csv_bytes([penalty(), penalty(CF_WSH="2号")])
    first = _import(platform, data)
    assert first.accepted == 2
    before = counts(platform)
    again = _import(platform, data)
    assert (again.accepted, again.duplicates, again.batch_id) == (0, 2, None)
    assert counts(platform) == before
    changed = _import(platform, csv_bytes([penalty(CF_NR_FK="0.5"), penalty(CF_WSH="2号")]))
    assert (changed.accepted, changed.corrections, changed.duplicates) == (1, 1, 1)
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(entries.c.id, entries.c.action, entries.c.supersedes_id).order_by(entries.c.id)
        ).all()
    assert rows[-1].action == "correct"
    assert rows[-1].supersedes_id == rows[0].id


def test_same_record_twice_in_one_file_with_different_content_is_refused(
    platform: Platform,
) -> None:
    add_department(platform)
    result = _import(platform, csv_bytes([penalty(), penalty(), penalty(CF_NR_FK="9")]))
    assert (result.accepted, result.duplicates, result.rejected) == (1, 1, 1)
    assert result.rejections[0]["row"] == 4
    assert "第2行" in result.rejections[0]["reason"]


@pytest.mark.parametrize("fmt", ["gb18030", "utf-8", "xlsx", "json"])
def test_every_accepted_format_imports(platform: Platform, fmt: str) -> None:
    add_department(platform)
    rows = [penalty(), penalty(CF_WSH="2号", CF_JDRQ="2026/6/9")]
    if fmt == "xlsx":
        data, name = xlsx_bytes(rows), "p.xlsx"
    elif fmt == "json":
        data, name = json_bytes(rows), "p.json"
    else:
        data, name = csv_bytes(rows, encoding=fmt), "p.csv"
    result = _import(platform, data, name)
    assert (result.accepted, result.rejected) == (2, 0)


def test_older_chinese_header_set_is_understood(platform: Platform) -> None:
    add_department(platform)
    row = {
        "行政相对人名称": "西安市碑林区示例科技有限公司",
        "统一社会信用代码": ORG,
        "行政处罚决定书文号": "陕市监罚〔2026〕9号",
        "违法行为类型": "虚假宣传",
        "违法事实": "经查属实",
        "处罚依据": "《反不正当竞争法》",
        "处罚类别": "警告",
        "处罚内容": "警告",
        "处罚决定日期": "2026年6月12日",
        "处罚机关": "省市场监督管理局",
    }
    result = _import(platform, csv_bytes([row]), item=None)
    assert result.item == "XZCF"
    assert (result.accepted, result.rejected) == (1, 0), result.rejections


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "空"),
        (b"\xff\xfe\x00\x00garbage\x81\x82\xff", "编码"),
        ("CF_XDR_MC,CF_XDR_MC\n甲,乙\n".encode(), "重复"),
        (csv_bytes([{k: v for k, v in penalty().items() if k != "CF_WSH"}]), "CF_WSH"),
        (csv_bytes([{**penalty(), "行政处罚决定书文号": "x"}]), "都对应字段"),
    ],
)
def test_whole_file_errors_write_nothing(platform: Platform, data: bytes, needle: str) -> None:
    add_department(platform)
    before = counts(platform)
    with pytest.raises(InputError) as exc:
        _import(platform, data)
    assert needle in exc.value.message_zh
    assert counts(platform) == before


def test_oversized_file_is_refused_with_its_size(platform: Platform) -> None:
    add_department(platform)
    platform.settings.max_import_bytes = 100
    with pytest.raises(InputError) as exc:
        _import(platform, csv_bytes([penalty()]))
    assert "100" in exc.value.message_zh


def test_crash_in_the_middle_leaves_the_database_as_before(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_department(platform)
    _import(platform, csv_bytes([penalty()]))
    before = counts(platform)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash after the entries were written")

    # Fault injection: identity bookkeeping runs after the ledger append in the same
    # transaction; failing there must roll the batch back too.
    monkeypatch.setattr("xinyong.ingest.service.record_sightings", explode)
    with pytest.raises(RuntimeError):
        _import(platform, csv_bytes([penalty(CF_WSH="2号"), penalty(CF_WSH="3号")]))
    assert counts(platform) == before
    monkeypatch.undo()
    result = _import(platform, csv_bytes([penalty(CF_WSH="2号"), penalty(CF_WSH="3号")]))
    assert result.accepted == 2


def test_publication_deadline_uses_the_official_calendar_and_flags_late_rows(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    # Decision on Friday 2026-06-12; 7 working days later is Wednesday 2026-06-24 because
    # 2026-06-19 (端午) is a statutory holiday.
    clock.set(dt.datetime(2026, 6, 24, 17, 0, tzinfo=CHINA_TZ))
    on_time = _import(platform, csv_bytes([penalty(CF_JDRQ="2026-06-12")]))
    assert on_time.late == 0
    clock.set(dt.datetime(2026, 6, 25, 9, 0, tzinfo=CHINA_TZ))
    late = _import(platform, csv_bytes([penalty(CF_WSH="2号", CF_JDRQ="2026-06-12")]))
    assert late.late == 1
    with platform.engine.connect() as conn:
        dues = conn.execute(select(entries.c.due_date, entries.c.late).order_by(entries.c.id)).all()
    assert dues == [(dt.date(2026, 6, 24), False), (dt.date(2026, 6, 24), True)]


def test_deadline_in_an_unloaded_year_is_a_warning_not_a_guess(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    # 2027 ships provisional; 2028 has neither an official nor a provisional file.
    clock.set(dt.datetime(2027, 12, 30, 9, 0, tzinfo=CHINA_TZ))
    result = _import(platform, csv_bytes([penalty(CF_JDRQ="2027-12-28")]))
    assert result.accepted == 1
    assert result.late == 0
    assert any("2028" in w["reason"] for w in result.warnings)
    with platform.engine.connect() as conn:
        assert conn.execute(select(entries.c.due_date)).scalar_one() is None


def test_publication_deadline_on_the_provisional_year_carries_its_bounds(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    # 7 working days from 2026-12-28 end in January 2027: provisional, no warning.
    clock.set(dt.datetime(2027, 1, 7, 9, 0, tzinfo=CHINA_TZ))
    result = _import(
        platform,
        csv_bytes([penalty(CF_JDRQ="2026-12-28"), penalty(CF_WSH="2号", CF_JDRQ="2026-12-24")]),
    )
    assert result.accepted == 2
    assert result.warnings == []
    due = platform.calendar.deadline(dt.date(2026, 12, 28), 7)
    assert due.provisional
    assert due.earliest < due.date < due.latest
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(
                entries.c.decision_date,
                entries.c.due_date,
                entries.c.due_provisional,
                entries.c.due_earliest,
                entries.c.due_latest,
                entries.c.late,
            ).order_by(entries.c.decision_date)
        ).all()
    early = platform.calendar.deadline(dt.date(2026, 12, 24), 7)
    assert [tuple(r) for r in rows] == [
        (dt.date(2026, 12, 24), early.date, True, early.earliest, early.latest, True),
        (dt.date(2026, 12, 28), due.date, True, due.earliest, due.latest, False),
    ]
    # Received 2027-01-07: after the latest bound of the first (certainly late), within the
    # bounds of the second (late only on some calendars: not counted until the notice decides).
    assert early.latest < dt.date(2027, 1, 7) <= due.latest
    assert result.late == 1


def test_natural_person_records_are_keyed_by_hash_masked_and_not_public(platform: Platform) -> None:
    add_department(platform, "yjgl", "safety")
    number = resident_id("610103", "19751231", "045")
    row = person_penalty(number)
    result = _import(platform, csv_bytes([row]), dept="yjgl")
    assert result.accepted == 1, result.rejections
    with platform.engine.connect() as conn:
        e = conn.execute(select(entries)).one()
    assert e.subject_key.startswith("P")
    assert number not in e.subject_key
    assert number not in e.payload
    assert "李四" not in e.payload
    assert json.loads(e.payload)["CF_XDR_ZJHM"] == "610103********" + number[-4:]
    assert e.public is False
    assert "自然人" in e.window_reason
    assert e.sealed is None  # the clear number is sealed once, on the subject
    from xinyong.identity import repository as identity_repo

    with platform.engine.connect() as conn:
        subject = identity_repo.get_subject(conn, e.subject_key)
    assert subject is not None
    assert subject["name"] == "李*"
    assert subject["id_masked"] == "610103********" + number[-4:]
    assert json.loads(platform.vault.unseal(subject["id_sealed"])) == {"id": number, "name": "李四"}


def test_one_code_under_two_names_is_flagged_to_the_department(platform: Platform) -> None:
    add_department(platform)
    result = _import(
        platform,
        csv_bytes([penalty(), penalty(CF_WSH="2号", CF_XDR_MC="另一家完全不同的公司")]),
    )
    assert result.accepted == 2
    assert [f["kind"] for f in result.flags] == ["code_conflict"]
    assert ORG in result.flags[0]["detail"]
    other = _import(platform, csv_bytes([penalty(CF_WSH="3号", CF_XDR_SHXYM=ORG2)]))
    assert [f["kind"] for f in other.flags] == ["name_conflict"]
    from xinyong.ingest.quality import quality_report

    with platform.engine.connect() as conn:
        report = quality_report(conn)
    dept = report["departments"][0]
    assert dept["flagged_rows"] == 2
    assert dept["rows"] == 3
    assert dept["meets_target"] is False
    assert report["target_permille"] == 1


def test_legal_representative_is_linked_to_the_organisation(platform: Platform) -> None:
    from xinyong.identity import repository as identity_repo

    add_department(platform)
    _import(platform, csv_bytes([penalty()]))
    with platform.engine.connect() as conn:
        rels = identity_repo.relations_of(conn, ORG)
        person_key = platform.vault.subject_key(resident_id())
        orgs = identity_repo.organisations_of_person(conn, person_key)
    assert [(r["person_name"], r["role"]) for r in rels] == [("张三", "legal_representative")]
    assert [r["org_key"] for r in orgs] == [ORG]


def test_unknown_department_is_refused(platform: Platform) -> None:
    from xinyong.kernel.errors import NotFound

    with pytest.raises(NotFound):
        _import(platform, csv_bytes([penalty()]), dept="nobody")


def test_registration_links_principal_and_actual_controller(platform: Platform) -> None:
    from xinyong.identity import repository as identity_repo

    add_department(platform)
    controller = resident_id("610104", "19700515", "031")
    row = {
        "企业名称": "西安市碑林区示例科技有限公司",
        "统一社会信用代码": ORG,
        "注册日期": "2015/3/2",
        "法人代表": "张三",
        "法定代表人证件号码": resident_id(),
        "主要负责人": "王五",
        "实际控制人": "赵六",
        "实际控制人证件类型": "身份证",
        "实际控制人证件号码": controller,
        "注册资金": "6,000(万元人民币)",
    }
    result = _import(platform, csv_bytes([row]), "reg.csv", item=None)
    assert result.item == "DJZC"
    assert (result.accepted, result.rejected) == (1, 0), result.rejections
    with platform.engine.connect() as conn:
        roles = {(r["role"], r["person_name"]) for r in identity_repo.relations_of(conn, ORG)}
        person = identity_repo.get_subject(conn, platform.vault.subject_key(controller))
        subject = identity_repo.get_subject(conn, ORG)
    assert roles == {
        ("legal_representative", "张三"),
        ("principal", "王五"),
        ("actual_controller", "赵六"),
    }
    assert person is not None
    assert person["kind"] == "person"
    assert person["name"] == "赵*"
    assert subject is not None
    assert subject["registered_on"] == dt.date(2015, 3, 2)


def test_resending_a_file_with_rejected_rows_adds_nothing(platform: Platform) -> None:
    add_department(platform)
    data = csv_bytes([penalty(), penalty(CF_WSH="2号", CF_JDRQ="2026-02-30")])
    first = _import(platform, data)
    assert (first.accepted, first.rejected) == (1, 1)
    before = counts(platform)
    again = _import(platform, data)
    assert (again.accepted, again.duplicates, again.rejected, again.batch_id) == (0, 1, 1, None)
    assert again.rejections == first.rejections  # still told what is wrong
    assert counts(platform) == before


def test_another_departments_row_with_the_same_decision_number_is_its_own_record(
    platform: Platform,
) -> None:
    """A record belongs to its submitting department: the same subject and decision number
    from another department neither corrects nor revokes the first department's record."""
    add_department(platform, "scjg")
    add_department(platform, "sthj", sector="ecology_environment")
    first = _import(platform, csv_bytes([penalty()]), dept="scjg")
    assert first.accepted == 1
    other = penalty(CF_NR_FK="9", CF_CFJG="省生态环境厅")
    second = _import(platform, csv_bytes([other]), name="sthj.csv", dept="sthj")
    assert (second.accepted, second.corrections) == (1, 0)
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(entries.c.department_code, entries.c.action, entries.c.supersedes_id)
            .where(entries.c.item_code == "XZCF")
            .order_by(entries.c.id)
        ).all()
    assert [(r.department_code, r.action, r.supersedes_id) for r in rows] == [
        ("scjg", "assert", None),
        ("sthj", "assert", None),
    ]
    add_department(platform, "zjt", sector="housing_construction")
    with pytest.raises(PermissionDenied):
        revoke(platform, "zjt", "XZCF", ORG, "陕市监罚〔2026〕1号", "报送错误")
    # sthj revokes its own record; scjg's stays in the public file.
    revoke(platform, "sthj", "XZCF", ORG, "陕市监罚〔2026〕1号", "报送错误")
    cf = credit_file(platform, ORG, on=dt.date(2026, 7, 1))
    records = [r for g in cf.groups for i in g["items"] for r in i["records"]]
    penalties = [r for r in records if r["item"] == "XZCF"]
    assert len(penalties) == 1, penalties
    assert "scjg" in json.dumps(penalties[0]["provenance"], ensure_ascii=False), penalties[0]
