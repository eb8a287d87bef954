"""Rectification by deadline and interviews end to end on both engines, with a moved clock:
ordered → interview → rectified, ordered → overdue → failed, the department that did not make
the finding refused, bad input naming field and why; the 约谈记录 in the ledger and in the
internal credit file, never in the public one."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.cases import service as cases
from xinyong.creditfile.service import build_credit_file
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.tables import entries
from xinyong.rectifications import service as rect

ATTENDEES = [
    {"side": "subject", "role": "法定代表人", "name": "王经理"},
    {"side": "department", "role": "执法科科长", "name": "李科长"},
]
ACTIONS = [{"action": "补缴罚款并提交整改报告", "due": "2026-07-31"}]


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=CHINA_TZ)


def _finding(platform: Platform) -> int:
    add_department(platform)
    add_department(platform, "hbj", "ecology", "生态环境厅")
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.max(entries.c.id)).where(
                    entries.c.item_code == "XZCF", entries.c.subject_key == ORG
                )
            ).scalar_one()
        )


def _order(platform: Platform, record: int, dept: str = "scjg", **kw: Any) -> int:
    kw.setdefault("obligation", "于整改期限前补缴罚款，停止超范围经营")
    kw.setdefault("deadline", dt.date(2026, 7, 15))
    with platform.transaction() as conn:
        return rect.order(
            conn,
            platform.rectification_deps(),
            record=record,
            actor="department:t",
            role="department",
            department_code=dept,
            now=platform.clock.now(),
            **kw,
        ).id


def _schedule(platform: Platform, case_id: int, dept: str = "scjg", **kw: Any) -> Any:
    kw.setdefault("kind", "PROMPT")
    kw.setdefault("scheduled_on", dt.date(2026, 7, 22))
    kw.setdefault("place", "市场监管局三楼会议室")
    with platform.transaction() as conn:
        return rect.schedule(
            conn,
            platform.rectification_deps(),
            case_id,
            actor="department:t",
            role="department",
            department_code=dept,
            now=platform.clock.now(),
            **kw,
        )


def _hold(platform: Platform, case_id: int, dept: str = "scjg", **kw: Any) -> Any:
    kw.setdefault("held_on", dt.date(2026, 7, 22))
    kw.setdefault("attendees", ATTENDEES)
    kw.setdefault("minutes", "告知整改不到位的后果，当事人承诺补缴罚款")
    kw.setdefault("actions", ACTIONS)
    with platform.transaction() as conn:
        return rect.hold(
            conn,
            platform.rectification_deps(),
            case_id,
            actor="department:t",
            role="department",
            department_code=dept,
            now=platform.clock.now(),
            **kw,
        )


def _close(platform: Platform, case_id: int, outcome: str, note: str = "") -> Any:
    with platform.transaction() as conn:
        return rect.close(
            conn,
            platform.rectification_deps(),
            case_id,
            outcome,
            actor="department:t",
            role="department",
            department_code="scjg",
            now=platform.clock.now(),
            note=note,
        )


def _file(platform: Platform, view: str, department: str | None = None) -> str:
    with platform.engine.connect() as conn:
        cf = build_credit_file(
            conn,
            platform.catalogue,
            ORG,
            as_of=platform.clock.today(),
            view=view,  # type: ignore[arg-type]
            sanctions=platform.sanctions,
            department=department,
        )
    return json.dumps(cf.as_dict(), ensure_ascii=False, default=str)


def _view(platform: Platform, case_id: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return rect.case_view(
            conn,
            platform.rectification_deps(),
            case_id,
            today=platform.clock.today(),
            role="department",
        )


def _interview_entries(platform: Platform) -> list[Any]:
    with platform.engine.connect() as conn:
        ids = conn.execute(
            select(entries.c.id).where(entries.c.item_code == "YTJL").order_by(entries.c.id)
        ).scalars()
        return [ledger.entry(conn, i) for i in ids]


def test_ordered_interview_rectified(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    record = _finding(platform)
    case_id = _order(platform, record)
    v = _view(platform, case_id)
    assert v["state"] == "ordered"
    assert v["deadline"] == "2026-07-15"
    assert v["due"]["date"] == "2026-07-15"
    assert not v["overdue"]
    assert [t["name"] for t in v["transitions"]] == ["schedule", "rectified", "failed"]
    # Deadline passed without rectification: flagged by the kernel.
    clock.set(at(2026, 7, 16))
    with platform.engine.connect() as conn:
        assert case_id in [c.id for c in cases.overdue(conn, clock.today())]
        page = rect.find(
            conn, platform.rectification_deps(), today=clock.today(), overdue_only=True
        )
    assert [r["id"] for r in page["rectifications"]] == [case_id]
    assert page["rectifications"][0]["overdue"] is True
    _schedule(platform, case_id)
    v = _view(platform, case_id)
    assert v["state"] == "interview_scheduled"
    assert v["due"]["date"] == "2026-07-22"
    assert v["interviews"][0]["kind_label"] == "提示约谈"
    assert not v["interviews"][0]["held"]
    assert _interview_entries(platform) == []
    clock.set(at(2026, 7, 22, 15))
    _hold(platform, case_id)
    v = _view(platform, case_id)
    assert v["state"] == "interview_held"
    assert v["due"]["date"] == "2026-07-31"
    iv = v["interviews"][0]
    assert iv["held_on"] == "2026-07-22"
    assert iv["attendees"][0]["name"] == "王经理"
    assert iv["actions"] == ACTIONS
    (e,) = _interview_entries(platform)
    assert iv["entry"] == e.id
    assert e.department_code == "scjg"
    assert not e.public
    assert e.payload["YT_YTLX"] == "提示约谈"
    assert "王经理" in e.payload["YT_CYRY"]
    assert e.decision_date == dt.date(2026, 7, 22)
    internal = _file(platform, "internal")
    assert "约谈记录" in internal
    assert "告知整改不到位的后果" in internal
    assert "约谈记录" not in _file(platform, "public")
    clock.set(at(2026, 7, 30))
    _close(platform, case_id, "rectified")
    v = _view(platform, case_id)
    assert v["state"] == "rectified"
    assert v["terminal"]
    assert v["list_proposal"] is None
    assert [h["transition"] for h in v["history"]] == [
        "open",
        "schedule",
        "hold",
        "rectified",
    ]
    with platform.engine.connect() as conn:
        assert rect.find(conn, platform.rectification_deps(), today=clock.today())["total"] == 0


def test_overdue_then_failed_offers_a_list_proposal(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    record = _finding(platform)
    case_id = _order(platform, record, deadline=None)
    # The catalogue's default period [U]: 30 calendar days.
    assert _view(platform, case_id)["deadline"] == "2026-07-15"
    clock.set(at(2026, 7, 16))
    with platform.transaction() as conn:
        announced = cases.mark_overdue(conn, clock.now())
    assert case_id in [c.id for c in announced]
    with pytest.raises(InputError) as exc:
        _close(platform, case_id, "failed")
    assert "note" in exc.value.message_zh
    _close(platform, case_id, "failed", note="逾期未补缴罚款")
    v = _view(platform, case_id)
    assert v["state"] == "failed"
    assert v["list_proposal"]["offered"] is True
    assert v["list_proposal"]["record"] == record
    # Closed: a new order on the same finding is allowed again.
    clock.set(at(2026, 7, 17))
    assert _order(platform, record, deadline=dt.date(2026, 8, 31)) != case_id


def test_only_the_department_that_made_the_finding(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    record = _finding(platform)
    with pytest.raises(PermissionDenied) as exc:
        _order(platform, record, dept="hbj")
    assert "谁认定、谁约谈" in exc.value.message_zh
    with platform.engine.connect() as conn:
        assert rect.find(conn, platform.rectification_deps(), today=clock.today())["total"] == 0
    case_id = _order(platform, record)
    before = _view(platform, case_id)
    with pytest.raises(PermissionDenied):
        _schedule(platform, case_id, dept="hbj")
    _schedule(platform, case_id)
    clock.set(at(2026, 7, 22, 15))
    with pytest.raises(PermissionDenied):
        _hold(platform, case_id, dept="hbj")
    after = _view(platform, case_id)
    assert after["state"] == "interview_scheduled"
    assert after["version"] == before["version"] + 1
    assert _interview_entries(platform) == []
    with platform.transaction() as conn, pytest.raises(PermissionDenied):
        rect.order(
            conn,
            platform.rectification_deps(),
            record=record,
            obligation="x",
            deadline=None,
            actor="office:t",
            role="office",
            department_code=None,
            now=clock.now(),
        )


def test_bad_input_names_field_and_changes_nothing(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    record = _finding(platform)
    for kw, field in (
        ({"obligation": "  "}, "obligation"),
        ({"deadline": dt.date(2026, 6, 1)}, "deadline"),
        ({"deadline": dt.date(2028, 1, 1)}, "deadline"),
    ):
        with pytest.raises(InputError) as exc:
            _order(platform, record, **kw)
        assert field in exc.value.message_zh
    with pytest.raises(NotFound) as nf:
        _order(platform, 999_999)
    assert "record" in nf.value.message_zh
    case_id = _order(platform, record)
    with pytest.raises(Conflict):
        _order(platform, record)
    for kw, field in (
        ({"kind": "SEVERE"}, "kind"),
        ({"scheduled_on": dt.date(2026, 6, 16)}, "date"),
        ({"place": ""}, "place"),
    ):
        with pytest.raises(InputError) as exc:
            _schedule(platform, case_id, **kw)
        assert field in exc.value.message_zh
    _schedule(platform, case_id)
    clock.set(at(2026, 7, 22, 15))
    id_number = "610102198001011234"
    cases_: tuple[tuple[dict[str, Any], str], ...] = (
        (
            {"attendees": [{"side": "subject", "role": "法定代表人", "name": id_number}]},
            "attendees[1].name",
        ),
        ({"attendees": [{"side": "department", "role": "科长", "name": "李科长"}]}, "attendees"),
        ({"actions": []}, "actions"),
        ({"actions": [{"action": "整改", "due": "2026-07-01"}]}, "actions"),
        ({"held_on": dt.date(2026, 7, 23)}, "held_on"),
        ({"minutes": ""}, "minutes"),
    )
    for kw, field in cases_:
        with pytest.raises(InputError) as exc:
            _hold(platform, case_id, **kw)
        assert field in exc.value.message_zh
        assert id_number not in exc.value.message_zh
        assert id_number not in exc.value.message_en
    assert _view(platform, case_id)["state"] == "interview_scheduled"
    assert _interview_entries(platform) == []


def _records(platform: Platform, view: str, department: str | None) -> dict[int, Any]:
    with platform.engine.connect() as conn:
        cf = build_credit_file(
            conn,
            platform.catalogue,
            ORG,
            as_of=platform.clock.today(),
            view=view,  # type: ignore[arg-type]
            sanctions=platform.sanctions,
            department=department,
        )
    return {r["entry_id"]: r for g in cf.groups for i in g["items"] for r in i["records"]}


def test_the_interview_record_is_shared_with_other_departments_never_published(
    platform: Platform, clock: FixedClock
) -> None:
    """35号文 (九): the record enters the subject's file and is shared. The catalogue says how
    (YTJL: 政务共享, 有条件共享): another department's officer sees it in the internal file,
    marked as shared; the portal never shows it."""
    clock.set(at(2026, 6, 15))
    case_id = _order(platform, _finding(platform))
    _schedule(platform, case_id)
    clock.set(at(2026, 7, 22, 15))
    _hold(platform, case_id)
    (e,) = _interview_entries(platform)
    assert platform.catalogue.item("YTJL").sharing_level.value == "有条件共享"
    other = _records(platform, "internal", "hbj")
    assert e.id in other
    assert other[e.id]["sharing"]["code"] == "有条件共享"
    assert "仅限履行职责使用" in other[e.id]["sharing"]["label"]
    assert other[e.id]["provenance"]["department"]["code"] == "scjg"
    assert "告知整改不到位的后果" in json.dumps(other[e.id], ensure_ascii=False)
    own = _records(platform, "internal", "scjg")
    assert e.id in own
    assert "sharing" not in own[e.id]  # its own record, not a share
    office = _records(platform, "internal", None)
    assert e.id in office
    assert "sharing" not in office[e.id]
    assert e.id not in _records(platform, "public", None)
    # The case's own steps are not shared: the deciding department's and the office's only.
    steps = {i for i, r in own.items() if r["item"].startswith(cases.CASE_ITEM_PREFIX)}
    assert steps
    assert steps <= office.keys()
    assert not steps & other.keys()
