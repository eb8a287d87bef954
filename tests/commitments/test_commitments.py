"""Credit commitments end to end on both engines, with a moved clock: signed → fulfilled,
signed → breached (容缺 missed) → barred → repaired, a false 告知承诺 (not repairable early),
asserting the ledger, the public file and the check's 告知承诺 answer; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import ORG, ORG2, add_department, csv_bytes, list_subject, penalty
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.commitments import service as commitments
from xinyong.commitments.tables import commitment_steps
from xinyong.commitments.tables import commitments as commitments_table
from xinyong.creditfile.service import build_credit_file
from xinyong.events.tables import outbox_events as outbox
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger.tables import entries


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=CHINA_TZ)


def _setup(platform: Platform, subject: str = ORG) -> None:
    add_department(platform)  # scjg, market_regulation
    add_department(platform, "wsjk", "health", "省卫生健康委员会")
    add_department(platform, "zjt", "housing", "省住房和城乡建设厅")
    # A plain (一般) penalty registers the subject without barring it from 告知承诺.
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_XDR_SHXYM=subject)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )


def _sign(
    platform: Platform, template: str, dept: str, subject: str = ORG, **kw: Any
) -> dict[str, Any]:
    with platform.transaction() as conn:
        return commitments.sign(
            conn,
            platform.commitment_deps(),
            subject=subject,
            template=template,
            department_code=dept,
            channel="api",
            actor=f"department:{dept}",
            now=platform.clock.now(),
            **kw,
        )


def _step(platform: Platform, cid: int, name: str, dept: str | None, **kw: Any) -> dict[str, Any]:
    with platform.transaction() as conn:
        return commitments.step(
            conn,
            platform.commitment_deps(),
            cid,
            name,
            actor=f"department:{dept}",
            now=platform.clock.now(),
            department_code=dept,
            **kw,
        )


def _answer(platform: Platform, subject: str = ORG) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return dict(
            checks.check(
                conn,
                platform.sanctions,
                platform.vault,
                subject=subject,
                scenario="licensing",
                today=platform.clock.today(),
                now=platform.clock.now(),
                actor="t",
                record=lambda _r: None,
            )
        )


def _xycn(platform: Platform) -> list[tuple[str, str, bool]]:
    """(action, 履约状态, public) of every XYCN entry, oldest first."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(entries.c.action, entries.c.payload, entries.c.public)
            .where(entries.c.item_code == "XYCN")
            .order_by(entries.c.id)
        )
        return [(a, json.loads(p)["CN_LYZT"], bool(pub)) for a, p, pub in rows]


def _public_text(platform: Platform) -> str:
    with platform.engine.connect() as conn:
        cf = build_credit_file(
            conn,
            platform.catalogue,
            ORG,
            as_of=platform.clock.today(),
            view="public",
            sanctions=platform.sanctions,
        )
    return json.dumps(cf.as_dict(), ensure_ascii=False, default=str)


def _counts(platform: Platform) -> tuple[int, int, int]:
    with platform.engine.connect() as conn:
        return (
            int(conn.execute(select(func.count()).select_from(commitments_table)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(commitment_steps)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(entries)).scalar_one()),
        )


def _kinds(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        return [
            k
            for (k,) in conn.execute(select(outbox.c.kind).order_by(outbox.c.id))
            if k.startswith("commitment.")
        ]


def test_signed_then_fulfilled_by_materials(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 9, 28))
    _setup(platform)
    view = _sign(platform, "GGFB_RQSL", "wsjk")
    assert view["status"] == "signed"
    assert view["status_label"] == "履约中"
    assert view["type_label"] == "审批替代型"
    assert view["classification_label"] == "应用场景型"
    # 10 working days from Monday 2026-09-28 across National Day (10-01..10-07 off, Saturday
    # 10-10 made up): 09-29, 09-30, 10-08, 10-09, 10-10, 10-12 … 10-16.
    assert view["due_date"] == "2026-10-16"
    assert view["due_provisional"] is False
    assert _xycn(platform) == [("assert", "1", True)]
    assert "公共场所卫生许可容缺受理承诺书" in _public_text(platform)
    clock.set(at(2026, 10, 12))
    view = _step(platform, view["id"], "deliver", "wsjk", materials=["卫生检测报告"])
    assert view["status"] == "signed"
    assert view["delivered"] == ["卫生检测报告"]
    view = _step(platform, view["id"], "deliver", "wsjk", materials=["从业人员健康合格证明"])
    assert view["status"] == "fulfilled"
    assert [s["step"] for s in view["steps"]] == ["sign", "deliver", "deliver"]
    assert _xycn(platform) == [("assert", "1", True), ("correct", "2", True)]
    # Past the due date nothing changes: fulfilled is final.
    clock.set(at(2026, 11, 2))
    with platform.transaction() as conn:
        assert (
            commitments.sweep_overdue(conn, platform.commitment_deps(), now=clock.now(), actor="t")
            == []
        )
    assert _answer(platform)["commitment_allowed"] is True
    assert _kinds(platform) == ["commitment.signed", "commitment.delivered", "commitment.delivered"]


def test_breached_blocks_then_repaired(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    _setup(platform)
    first = _sign(platform, "JZQY_RQSL", "zjt")
    assert first["due_date"] == "2026-07-07"  # 15 working days (端午 06-19 off)
    clock.set(at(2026, 7, 7, 16))
    with platform.transaction() as conn:
        assert (
            commitments.sweep_overdue(conn, platform.commitment_deps(), now=clock.now(), actor="t")
            == []
        )
    clock.set(at(2026, 7, 8))
    with platform.transaction() as conn:
        assert commitments.sweep_overdue(
            conn, platform.commitment_deps(), now=clock.now(), actor="system:sweep"
        ) == [first["id"]]
    with platform.engine.connect() as conn:
        view = commitments.view(conn, platform.commitment_deps(), first["id"])
    assert view["status"] == "breached"
    assert view["list_proposal_offered"] is True
    assert "技术负责人职称证书" in view["steps"][-1]["note"]
    assert _xycn(platform)[-1] == ("correct", "3", True)
    answer = _answer(platform)
    assert answer["commitment_allowed"] is False
    assert [b["code"] for b in answer["commitment_blocked_by"]] == ["FALSE_COMMITMENT"]
    assert "未履约" in _public_text(platform) or "3" in _public_text(platform)
    # Barred: another 告知承诺 is refused with the reason, nothing written.
    before = _counts(platform)
    with pytest.raises(commitments.SignRefused) as refused:
        _sign(platform, "SPJY_GZCN", "scjg")
    assert [r.code for r in refused.value.refusals] == ["SUBJECT_BARRED"]
    assert "虚假承诺或者违背信用承诺" in refused.value.message_zh
    assert _counts(platform) == before
    # A 主动型 commitment is not 告知承诺: the bar does not apply.
    _sign(platform, "ZD_CXJY", "scjg")
    # Repair without a note is refused; with one, the record stops and the bar ends.
    with pytest.raises(InputError):
        _step(platform, first["id"], "repair", "zjt")
    clock.set(at(2026, 7, 20))
    view = _step(platform, first["id"], "repair", "zjt", note="已补齐材料并参加诚信教育")
    assert view["status"] == "repaired"
    action, status, public = _xycn(platform)[-1]
    assert (action, status, public) == ("repair", "3", False)
    assert _answer(platform)["commitment_allowed"] is True
    assert _sign(platform, "SPJY_GZCN", "scjg")["status"] == "signed"
    assert "commitment.breached" in _kinds(platform)
    assert "commitment.repaired" in _kinds(platform)


def test_false_commitment_not_repairable(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    _setup(platform)
    view = _sign(platform, "SPJY_GZCN", "scjg")
    with pytest.raises(InputError):
        _step(platform, view["id"], "verify", "scjg")
    with pytest.raises(PermissionDenied):
        _step(platform, view["id"], "verify", "wsjk", result=False)
    with pytest.raises(Conflict):
        _step(platform, view["id"], "deliver", "scjg", materials=["x"])
    clock.set(at(2026, 7, 1))
    view = _step(platform, view["id"], "verify", "scjg", result=False, note="现场核查不符合条件")
    assert view["status"] == "false"
    assert view["status_label"] == "虚假承诺"
    assert _xycn(platform)[-1] == ("correct", "4", True)
    answer = _answer(platform)
    assert answer["commitment_allowed"] is False
    [bar] = answer["commitment_blocked_by"]
    assert bar["period"]["from"] == "2026-07-01"
    assert bar["period"]["until"] == "2029-07-01"
    before = _counts(platform)
    with pytest.raises(Conflict) as exc:
        _step(platform, view["id"], "repair", "scjg", note="申请修复")
    assert "不得提前终止" in exc.value.message_zh
    assert _counts(platform) == before
    assert _answer(platform)["commitment_allowed"] is False


def test_verified_true_is_fulfilled_and_sampled(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    _setup(platform)
    ids = []
    for _ in range(3):
        v = _sign(platform, "SPJY_GZCN", "scjg")
        ids.append(_step(platform, v["id"], "verify", "scjg", result=True)["id"])
    clock.set(at(2026, 7, 1))
    with platform.transaction() as conn:
        sample = commitments.draw_sample(
            conn,
            platform.commitment_deps(),
            "2026-06",
            actor="office:t",
            now=clock.now(),
            seed="abc",
        )
    assert sample["population"] == ids
    assert len(sample["drawn"]) == 1
    assert commitments.replay("abc", ids, 1) == sample["drawn"]
    with platform.transaction() as conn, pytest.raises(Conflict):
        commitments.draw_sample(
            conn, platform.commitment_deps(), "2026-06", actor="o", now=clock.now()
        )
    with platform.transaction() as conn, pytest.raises(InputError):
        commitments.draw_sample(
            conn, platform.commitment_deps(), "2026-13", actor="o", now=clock.now()
        )
    with platform.engine.connect() as conn:
        stats = commitments.statistics(conn, platform.commitment_deps())
        public = commitments.find(conn, platform.commitment_deps(), public=True, type_="1")
    by_type = {t["type"]: t for t in stats["by_type"]}
    assert by_type["1"]["total"] == 3
    assert by_type["1"]["by_status"]["fulfilled"] == 3
    assert by_type["4"]["total"] == 0
    assert {i["item"]: i["total"] for i in stats["by_item"]}["SPJY_LOW"] == 3
    assert [d["department"] for d in stats["by_department"]] == ["scjg"]
    assert public["total"] == 3
    assert "materials" not in public["items"][0]


@pytest.mark.parametrize(
    ("template", "dept", "subject", "code"),
    [
        ("WXHX_GZCN", "aqj", ORG, "ITEM_CLOSED"),
        ("ZD_WYJ", "scjg", ORG, "NO_BASIS"),
        ("SPJY_GZCN", "wsjk", ORG, "WRONG_DEPARTMENT"),
    ],
)
def test_refused_writes_nothing(
    platform: Platform, clock: FixedClock, template: str, dept: str, subject: str, code: str
) -> None:
    clock.set(at(2026, 6, 15))
    _setup(platform)
    add_department(platform, "aqj", "safety", "省应急管理厅")
    before = _counts(platform)
    with pytest.raises(commitments.SignRefused) as exc:
        _sign(platform, template, dept, subject)
    assert code in [r.code for r in exc.value.refusals]
    assert _counts(platform) == before


def test_bad_input_named(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    _setup(platform)
    before = _counts(platform)
    with pytest.raises(InputError, match="template"):
        _sign(platform, "NOPE", "scjg")
    with pytest.raises(InputError) as exc:
        _sign(platform, "ZD_CXJY", "scjg", subject="610102198001011234")
    assert "610102198001011234" not in exc.value.message_zh
    assert "subject" in exc.value.message_zh
    with pytest.raises(NotFound):
        _sign(platform, "ZD_CXJY", "scjg", subject=ORG2)  # unknown to the platform
    view = _sign(platform, "GGFB_RQSL", "wsjk")
    after_sign = _counts(platform)
    with pytest.raises(InputError, match="materials"):
        _step(platform, view["id"], "deliver", "wsjk", materials=["营业执照"])
    with pytest.raises(InputError):
        _step(platform, view["id"], "launch", "wsjk")
    assert _counts(platform) == after_sign
    assert before[0] == 0


def test_listed_subject_barred(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 15))
    _setup(platform)
    list_subject(platform, ORG)
    before = _counts(platform)
    with pytest.raises(commitments.SignRefused) as exc:
        _sign(platform, "GGFB_RQSL", "wsjk")
    assert [r.code for r in exc.value.refusals] == ["SUBJECT_BARRED"]
    assert _counts(platform) == before
