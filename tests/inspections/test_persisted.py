"""双随机、一公开 persisted, on both engines: the pool built from the platform's organisations
(never natural persons), the commitment published before the draw, the draw with one task per
drawn subject, a result by an assigned inspector written to the ledger and shown in the public
credit file, the public record verified with ``xinyong verify-draw``; bad input refused with
field and why (a plan without an item, a draw before its commitment, a result by an inspector
not drawn), a late result flagged."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.helpers import add_department, csv_bytes, resident_id, revoke
from xinyong.bootstrap import Platform
from xinyong.creditfile.service import build_credit_file
from xinyong.events.tables import outbox_events
from xinyong.identity import repository as identity_repo
from xinyong.identity.uscc import make_uscc
from xinyong.ingest.rederive import derived_differences
from xinyong.inspections import registry
from xinyong.inspections import repository as repo
from xinyong.inspections import service as insp
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.errors import (
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
    XinyongError,
)
from xinyong.ledger import service as ledger
from xinyong.ledger.tables import batches, entries
from xinyong.web.cli import app

N_ORGS = 40


@contextlib.contextmanager
def refused(kind: type[XinyongError], zh: str) -> Iterator[None]:
    """The error's Chinese message (the one people read) names the field or the reason."""
    with pytest.raises(kind) as exc:
        yield
    assert zh in exc.value.message_zh, exc.value.message_zh


SEED = "5e" * 32


def advance(platform: Platform, delta: dt.timedelta) -> None:
    clock = platform.clock
    assert isinstance(clock, FixedClock)
    clock.advance(delta)


def orgs(n: int = N_ORGS) -> list[str]:
    return [make_uscc("9", "1", "610102", f"MA6T{i:04d}") for i in range(n)]


def seed_platform(platform: Platform) -> None:
    add_department(platform)
    now = platform.clock.now()
    with platform.transaction() as conn:
        rows: list[dict[str, Any]] = [
            {
                "key": k,
                "kind": "organisation",
                "name": f"示例{i}号有限公司",
                "name_key": f"示例{i}号有限公司",
                "division_code": "610102" if i % 2 else "610103",
                "first_seen_at": now,
                "updated_at": now,
            }
            for i, k in enumerate(orgs())
        ]
        rows.append(
            {
                "key": "P" + "0" * 32,
                "kind": "person",
                "name": "张某",
                "name_key": "张某",
                "division_code": "610102",
                "first_seen_at": now,
                "updated_at": now,
            }
        )
        identity_repo.insert_subjects(conn, rows)
        for i in range(4):
            registry.register_inspector(
                conn,
                ident=f"SJ{i:03d}",
                name=f"检查员{i}",
                department_code="scjg",
                region="610100",
                qualifications=["执法证件"],
                certificate=f"61010020260{i:04d}",
                now=now,
            )


def plan(platform: Platform, **kw: Any) -> dict[str, Any]:
    kw.setdefault("items", [{"item": "GSXX_CC"}])
    kw.setdefault("pool_filter", {})
    with platform.transaction() as conn:
        return insp.create_plan(
            conn,
            platform.inspection_deps(),
            name="2026年企业公示信息抽查",
            kind="annual",
            year=2026,
            department_code="scjg",
            policy_ref="SAMR_GRADED",
            actor="office:t",
            now=platform.clock.now(),
            **kw,
        )


def drawn(platform: Platform) -> dict[str, Any]:
    p = plan(platform)
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, p["id"], department_code="scjg", actor="office:t",
            now=platform.clock.now(), seed_hex=SEED,
        )  # fmt: skip
        insp.publish_commitment(
            conn, deps, d["id"], department_code="scjg", now=platform.clock.now()
        )
    advance(platform, dt.timedelta(hours=1))
    with platform.transaction() as conn:
        return insp.run_planned_draw(
            conn, deps, d["id"], department_code="scjg", actor="office:t", now=platform.clock.now()
        )


@pytest.fixture
def ready(platform: Platform) -> Platform:
    seed_platform(platform)
    return platform


def test_commit_draw_tasks_result_ledger_file(ready: Platform, tmp_path: Path) -> None:
    platform = ready
    d = drawn(platform)
    assert d["status"] == "drawn"
    assert d["seed"] == SEED
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        record = insp.draw_record(conn, d["id"], public=False)
        public = insp.draw_record(conn, d["id"], public=True)
        tasks = insp.list_tasks(conn, deps, draw_id=d["id"])
    keys = {s["key"] for s in record["pool"]["subjects"]}
    assert keys == set(orgs()), "organisations only: the natural person never enters the pool"
    assert all(s["grade"] is None for s in record["pool"]["subjects"])  # no evaluation yet
    # ungraded stratum of SAMR_GRADED: 10 % of 40, rounded up
    assert len(tasks) == 4 == d["drawn_subjects"]
    assert all(len(t["inspectors"]) == 2 for t in tasks)
    assert record["draw_commitment"] == d["draw_commitment"]
    assert insp.verify(deps.inspections, public, d["draw_commitment"]) == []
    # the portal's copy verifies with the command anyone can run
    path = tmp_path / "record.json"
    path.write_text(json.dumps(public, ensure_ascii=False), "utf-8")
    out = CliRunner().invoke(app, ["verify-draw", str(path), "--commitment", d["draw_commitment"]])
    assert out.exit_code == 0, out.output
    # an inspector's inbox holds the task; the result goes to the ledger and the file
    task = tasks[0]
    inspector = task["inspectors"][0]
    with platform.engine.connect() as conn:
        inbox = insp.list_tasks(conn, deps, inspector_id=inspector)
    assert task["id"] in {t["id"] for t in inbox}
    with platform.transaction() as conn:
        done = insp.enter_result(
            conn, deps, task["id"], inspector_id=inspector, item_code="GSXX_CC",
            result_code="04", result_text="", inspected_on=platform.clock.today(),
            now=platform.clock.now(),
        )  # fmt: skip
    assert done["status"] == "done"
    r = done["results"][0]
    assert r["result_label"] == "未按规定公示应当公示的信息"
    assert r["overdue"] is False
    with platform.engine.connect() as conn:
        e = conn.execute(select(entries).where(entries.c.id == r["entry"])).one()
        assert e.item_code == "XZJC"
        assert e.subject_key == task["subject"]
        assert e.public
        file = build_credit_file(
            conn, platform.catalogue, task["subject"], as_of=platform.clock.today(),
            view="public", sanctions=platform.sanctions,
        )  # fmt: skip
    assert "未按规定公示应当公示的信息" in json.dumps(file.as_dict(), ensure_ascii=False)
    with platform.engine.connect() as conn:  # the audit recomputes the record's window alike
        assert (
            list(
                derived_differences(conn, platform.catalogue, platform.sanctions, platform.calendar)
            )
            == []
        )
        assert ledger.verify(conn)[2] == []


def test_a_second_draw_counts_this_years_inspections_and_pairings(ready: Platform) -> None:
    platform = ready
    drawn(platform)
    p = plan(platform)
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, p["id"], department_code="scjg", actor="o", now=platform.clock.now()
        )
    with platform.engine.connect() as conn:
        row = repo.draw(conn, d["id"])
    assert row is not None
    frozen = json.loads(str(row["pool"]))
    counted = {s["key"]: s["inspections_this_year"] for s in frozen["subjects"]}
    assert sum(counted.values()) == 4
    assert len(frozen["pairings"]) == 8


def test_recusals_enter_the_pool(ready: Platform) -> None:
    platform = ready
    subject = orgs()[3]
    now = platform.clock.now()
    with platform.transaction() as conn:
        registry.record_recusal(
            conn, kind="request", inspector_id="SJ001", subject_key=subject,
            reason="该检查人员曾为本企业提供咨询服务", actor="subject", now=now,
        )  # fmt: skip
        registry.record_recusal(
            conn, kind="relationship", inspector_id="SJ002", subject_key=subject,
            reason="近亲属在该企业任职", actor="office", now=now,
        )  # fmt: skip
        with refused(InputError, "回避理由"):
            registry.record_recusal(
                conn, kind="request", inspector_id="SJ001", subject_key=subject,
                reason=" ", actor="subject", now=now,
            )  # fmt: skip
        with pytest.raises(NotFound):
            registry.record_recusal(
                conn, kind="request", inspector_id="SJ001", subject_key="P" + "0" * 32,
                reason="x", actor="subject", now=now,
            )  # fmt: skip
        pool = insp.build_pool(
            conn,
            platform.inspection_deps(),
            {
                "items": json.dumps([{"item": "GSXX_CC", "department": "scjg"}]),
                "policy_ref": "SAMR_GRADED@2025.1",
                "pool_filter": "{}",
                "department_code": "scjg",
            },
            platform.clock.today(),
        )
    s = next(x for x in pool["subjects"] if x["key"] == subject)
    assert s["recusal_requests"] == ["SJ001"]
    i = next(x for x in pool["inspectors"] if x["id"] == "SJ002")
    assert i["relationships"] == [subject]


def test_bad_input(ready: Platform) -> None:
    platform = ready
    with refused(InputError, "无清单不检查"):
        plan(platform, items=[])
    with refused(InputError, "抽查事项清单中没有事项"):
        plan(platform, items=[{"item": "NOPE"}])
    with refused(InputError, "不是“国民经济行业分类门类”中的代码"):
        plan(platform, pool_filter={"industry": "C13"})
    p = plan(platform)
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, p["id"], department_code="scjg", actor="o", now=platform.clock.now()
        )
    with refused(Conflict, "承诺尚未公布"), platform.transaction() as conn:
        insp.run_planned_draw(
            conn, deps, d["id"], department_code="scjg", actor="o", now=platform.clock.now()
        )
    with pytest.raises(PermissionDenied), platform.transaction() as conn:
        insp.publish_commitment(
            conn, deps, d["id"], department_code="other", now=platform.clock.now()
        )
    with platform.engine.connect() as conn:
        assert insp.get_draw(conn, d["id"], public=False)["seed"] is None  # secret until drawn
        with pytest.raises(NotFound):
            insp.get_draw(conn, d["id"], public=True)  # not published yet


def test_result_by_another_inspector_refused_late_result_flagged(ready: Platform) -> None:
    platform = ready
    d = drawn(platform)
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        task = insp.list_tasks(conn, deps, draw_id=d["id"])[0]
    other = next(f"SJ{i:03d}" for i in range(4) if f"SJ{i:03d}" not in task["inspectors"])
    today = platform.clock.today()
    with refused(PermissionDenied, "不是检查任务"), platform.transaction() as conn:
        insp.enter_result(
            conn, deps, task["id"], inspector_id=other, item_code="GSXX_CC", result_code="01",
            result_text="", inspected_on=today, now=platform.clock.now(),
        )  # fmt: skip
    with refused(InputError, "inspection_result"), platform.transaction() as conn:
        insp.enter_result(
            conn, deps, task["id"], inspector_id=task["inspectors"][0], item_code="GSXX_CC",
            result_code="XX", result_text="", inspected_on=today, now=platform.clock.now(),
        )  # fmt: skip
    advance(platform, dt.timedelta(days=45))
    with platform.transaction() as conn:
        out = insp.enter_result(
            conn, deps, task["id"], inspector_id=task["inspectors"][0], item_code="GSXX_CC",
            result_code="01", result_text="", inspected_on=today, now=platform.clock.now(),
        )  # fmt: skip
    assert out["results"][0]["overdue"] is True
    assert out["deadline"]["date"] < platform.clock.today().isoformat()


def test_a_joint_plan_merges_items_on_one_visit(ready: Platform) -> None:
    """进一次门、查多项事: another department's item on the same drawn subjects; each result is
    a record of the department whose item it is."""
    platform = ready
    add_department(platform, "xscjg", "market_regulation", "县市场监督管理局")
    with refused(InputError, "第一个抽查事项应为牵头部门"):
        plan(platform, items=[{"item": "CPZL_CC", "department": "xscjg"}, {"item": "GSXX_CC"}])
    with refused(InputError, "领域"):
        add_department(platform, "hbj", "ecology", "生态环境厅")
        plan(platform, items=[{"item": "GSXX_CC"}, {"item": "CPZL_CC", "department": "hbj"}])
    p = plan(platform, items=[{"item": "GSXX_CC"}, {"item": "CPZL_CC", "department": "xscjg"}])
    assert p["joint"] is True
    with platform.transaction() as conn:
        for i in range(2):
            registry.register_inspector(
                conn, ident=f"XS{i:03d}", name=f"县检查员{i}", department_code="xscjg",
                region="610100", qualifications=["执法证件", "产品质量抽样"] if i else ["执法证件"],
                certificate=f"61010020261{i:04d}", now=platform.clock.now(),
            )  # fmt: skip
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, p["id"], department_code="scjg", actor="o", now=platform.clock.now()
        )
        insp.publish_commitment(conn, deps, d["id"], department_code=None, now=platform.clock.now())
    advance(platform, dt.timedelta(minutes=1))
    with platform.transaction() as conn:
        insp.run_planned_draw(
            conn, deps, d["id"], department_code=None, actor="o", now=platform.clock.now()
        )
        task = insp.list_tasks(conn, deps, draw_id=d["id"])[0]
    assert [i["item"] for i in task["items"]] == ["GSXX_CC", "CPZL_CC"]
    # The team: the lead's inspector and the county's one holding 产品质量抽样 (XS000 lacks it).
    assert len(task["inspectors"]) == 2
    assert "XS001" in task["inspectors"]
    with platform.engine.connect() as conn:
        record = insp.draw_record(conn, d["id"], public=True)
        assert insp.verify(platform.inspection_deps().inspections, record) == []
        assert record["pool"]["joint"][0]["department"] == "xscjg"
        assert insp.list_tasks(conn, deps, department_code="xscjg")  # it sees its tasks
    who = next(i for i in task["inspectors"] if i.startswith("SJ"))
    today = platform.clock.today()
    with (
        refused(PermissionDenied, "各部门的检查人员录入本部门事项"),
        platform.transaction() as conn,
    ):
        insp.enter_result(
            conn, deps, task["id"], inspector_id=who, item_code="CPZL_CC", result_code="01",
            result_text="", inspected_on=today, now=platform.clock.now(),
        )  # fmt: skip
    with refused(PermissionDenied, "本部门不能录入"), platform.transaction() as conn:
        insp.enter_result(
            conn, deps, task["id"], inspector_id="XS001", item_code="CPZL_CC", result_code="01",
            result_text="", inspected_on=today, now=platform.clock.now(), department_code="scjg",
        )  # fmt: skip
    with platform.transaction() as conn:
        first = insp.enter_result(
            conn, deps, task["id"], inspector_id=who, item_code="GSXX_CC", result_code="01",
            result_text="", inspected_on=today, now=platform.clock.now(),
        )  # fmt: skip
        assert first["status"] == "open"  # one item still to inspect
        with refused(Conflict, "已录入结果"):
            insp.enter_result(
                conn, deps, task["id"], inspector_id=who, item_code="GSXX_CC", result_code="01",
                result_text="", inspected_on=today, now=platform.clock.now(),
            )  # fmt: skip
        both = insp.enter_result(
            conn, deps, task["id"], inspector_id="XS001", item_code="CPZL_CC", result_code="03",
            result_text="抽样送检中", inspected_on=today, now=platform.clock.now(),
            department_code="xscjg",
        )  # fmt: skip
    assert both["status"] == "done"
    with platform.engine.connect() as conn:
        depts = {
            r.department_code
            for r in conn.execute(
                select(batches.c.department_code).where(batches.c.channel == "inspection")
            )
        }
    assert depts == {"scjg", "xscjg"}


def test_internal_grades_stratify_the_draw_and_are_withheld_publicly(ready: Platform) -> None:
    platform = ready
    keys = orgs()

    def samr(conn: Any, scheme: str, wanted: Any) -> dict[str, str | None]:
        return {k: "ABCD"[i % 4] for i, k in enumerate(keys[:20])}  # the rest ungraded

    deps = dataclasses.replace(platform.inspection_deps(), grades=samr)
    p = plan(platform)
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, p["id"], department_code="scjg", actor="o", now=platform.clock.now()
        )
        insp.publish_commitment(
            conn, deps, d["id"], department_code="scjg", now=platform.clock.now()
        )
    advance(platform, dt.timedelta(minutes=1))
    with platform.transaction() as conn:
        insp.run_planned_draw(
            conn, deps, d["id"], department_code="scjg", actor="o", now=platform.clock.now()
        )
        full = insp.draw_record(conn, d["id"], public=False)
        public = insp.draw_record(conn, d["id"], public=True)
    by_code = {s["code"]: s for s in full["result"]["strata"]}
    assert by_code["D"]["eligible"] == 5
    assert by_code["D"]["target"] == 4  # ceil(5 × 0.80)
    assert insp.verify(deps.inspections, full, d["draw_commitment"]) == []
    assert "grades_withheld" in public
    assert {s["grade"] for s in public["pool"]["subjects"]} == {None}
    # the subjects drawn are still public, the class each was drawn in is not
    assert public["result"]["assignments"] == full["result"]["assignments"]
    assert all(s["drawn"] == [] for s in public["result"]["strata"])


def test_the_registries_are_managed(ready: Platform) -> None:
    platform = ready
    now = platform.clock.now()
    with platform.transaction() as conn:
        with refused(InputError, "不得使用身份证号码"):
            registry.register_inspector(
                conn, ident=resident_id(), name="某", department_code="scjg", region="610100",
                qualifications=["执法证件"], certificate="61010012345", now=now,
            )  # fmt: skip
        with refused(Conflict, "已登记"):
            registry.register_inspector(
                conn, ident="SJ000", name="某", department_code="scjg", region="610100",
                qualifications=["执法证件"], certificate="61010012345", now=now,
            )  # fmt: skip
        with refused(InputError, "资格"):
            registry.register_inspector(
                conn, ident="SJ100", name="某", department_code="scjg", region="610100",
                qualifications=[" "], certificate="61010012345", now=now,
            )  # fmt: skip
        off = registry.set_active(conn, "SJ003", False, now)
        assert off["active_label"] == "停用"
        r = registry.record_recusal(
            conn, kind="request", inspector_id="SJ000", subject_key=orgs()[0], reason="亲属",
            actor="o", now=now,
        )  # fmt: skip
        registry.withdraw_recusal(conn, r["id"])
        assert registry.list_recusals(conn) == []
        pool = insp.build_pool(
            conn,
            platform.inspection_deps(),
            {
                "items": json.dumps([{"item": "GSXX_CC", "department": "scjg"}]),
                "policy_ref": "SAMR_GRADED@2025.1",
                "pool_filter": json.dumps({"region": "610103"}),
                "department_code": "scjg",
            },
            platform.clock.today(),
        )
    assert [i["id"] for i in pool["inspectors"]] == ["SJ000", "SJ001", "SJ002"]  # SJ003 off
    assert {s["region"] for s in pool["subjects"]} == {"610103"}
    assert len(pool["subjects"]) == N_ORGS // 2


def test_draws_and_results_are_events(ready: Platform) -> None:
    platform = ready
    d = drawn(platform)
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        task = insp.list_tasks(conn, deps, draw_id=d["id"])[0]
    with platform.transaction() as conn:
        insp.enter_result(
            conn, deps, task["id"], inspector_id=task["inspectors"][0], item_code="GSXX_CC",
            result_code="01", result_text="", inspected_on=platform.clock.today(),
            now=platform.clock.now(),
        )  # fmt: skip
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(outbox_events.c.kind, outbox_events.c.subject_key).order_by(outbox_events.c.id)
        ).all()
    kinds = [(k, s) for k, s in rows if k.startswith("inspection.")]
    assert kinds == [("inspection.drawn", None), ("inspection.result_entered", task["subject"])]


def _xzjc(key: str, name: str, what: str, day: str) -> dict[str, str]:
    return {
        "JC_XDR_MC": name, "JC_XDR_SHXYM": key, "JC_JCSX": what, "JC_JCFS": "日常检查",
        "JC_JCRQ": day, "JC_JCJG": "未发现问题", "JC_SSJG": "市场监督管理局",
    }  # fmt: skip


def test_the_yearly_cap_counts_the_departments_reported_inspections(ready: Platform) -> None:
    """The cap counts every inspection of the year (2025 涉企行政检查 opinion): the platform's
    tasks and the XZJC records the department reported itself — each once, a revoked one not,
    last year's not, another department's not, the platform's own results not twice."""
    platform = ready
    keys = orgs()
    year = platform.clock.today().year
    rows = [
        _xzjc(keys[0], "示例0号有限公司", "日常监督检查", f"{year}-01-05"),
        _xzjc(keys[0], "示例0号有限公司", "专项检查", f"{year}-01-06"),
        _xzjc(keys[1], "示例1号有限公司", "日常监督检查", f"{year}-01-05"),
        _xzjc(keys[2], "示例2号有限公司", "日常监督检查", f"{year - 1}-12-30"),
    ]
    out = platform.importer().import_bytes(
        csv_bytes(rows), filename="xzjc.csv", department_code="scjg", item_code="XZJC"
    )
    assert out.accepted == 4, out
    add_department(platform, "swj", "taxation", "税务局")
    platform.importer().import_bytes(
        csv_bytes([_xzjc(keys[3], "示例3号有限公司", "税务检查", f"{year}-01-05")]),
        filename="x.csv", department_code="swj", item_code="XZJC",
    )  # fmt: skip
    revoke(platform, "scjg", "XZJC", keys[1], f"日常监督检查|{year}-01-05", "重复报送")
    with platform.engine.connect() as conn:
        counts = insp.inspections_this_year(conn, ["scjg"], platform.clock.today())
    assert counts == {keys[0]: 2}
    # The platform's own result (an XZJC record carrying its task) counts once, as its task.
    d = drawn(platform)
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        task = insp.list_tasks(conn, deps, draw_id=d["id"])[0]
        insp.enter_result(
            conn, deps, task["id"], inspector_id=task["inspectors"][0], item_code="GSXX_CC",
            result_code="01", result_text="", inspected_on=platform.clock.today(),
            now=platform.clock.now(),
        )  # fmt: skip
        counts = insp.inspections_this_year(conn, ["scjg"], platform.clock.today())
    assert counts[task["subject"]] == 1 + (2 if task["subject"] == keys[0] else 0)
    # The pool snapshot shows the count; a subject at the cap (2) is not drawn.
    p = plan(platform)
    with platform.transaction() as conn:
        pd = insp.prepare_draw(
            conn, deps, p["id"], department_code="scjg", actor="o", now=platform.clock.now()
        )
        row = repo.draw(conn, pd["id"])
    assert row is not None
    frozen = {s["key"]: s for s in json.loads(str(row["pool"]))["subjects"]}
    assert frozen[keys[0]]["inspections_this_year"] >= 2
    assert {
        k: s["inspections_this_year"] for k, s in frozen.items() if s["inspections_this_year"]
    } == counts
