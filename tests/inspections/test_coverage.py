"""Sampling coverage on both engines: after a draw over 40 ungraded organisations (4 drawn),
one result on time and one late, the report gives the pool and its strata against the policy's
ratio, the shares drawn and inspected, tasks done / overdue / open (the open ones past the
draw-day deadline 待核实, never overdue), results by category and the tasks per month; a
department sees only its own; the public summary (一公开) has counts only, no subject."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.inspections.test_persisted import advance, drawn, seed_platform
from xinyong.bootstrap import Platform
from xinyong.inspections import service as insp


def _two_results(platform: Platform) -> int:
    seed_platform(platform)
    d = drawn(platform)
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        tasks = insp.list_tasks(conn, deps, draw_id=d["id"])
    day = platform.clock.today()
    with platform.transaction() as conn:
        insp.enter_result(
            conn, deps, tasks[0]["id"], inspector_id=tasks[0]["inspectors"][0],
            item_code="GSXX_CC", result_code="01", result_text="", inspected_on=day,
            now=platform.clock.now(),
        )  # fmt: skip
    advance(platform, dt.timedelta(days=45))
    with platform.transaction() as conn:
        insp.enter_result(
            conn, deps, tasks[1]["id"], inspector_id=tasks[1]["inspectors"][0],
            item_code="GSXX_CC", result_code="04", result_text="", inspected_on=day,
            now=platform.clock.now(),
        )  # fmt: skip
    return int(d["id"])


def test_coverage_report(platform: Platform) -> None:
    draw_id = _two_results(platform)
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        report = insp.coverage_report(
            conn, deps, department_code=None, year=2026, now=platform.clock.now()
        )
        own = insp.coverage_report(
            conn, deps, department_code="scjg", year=None, now=platform.clock.now()
        )
        other = insp.coverage_report(
            conn, deps, department_code="other", year=None, now=platform.clock.now()
        )
        strata = insp.plan_strata(conn, report["groups"][0]["plans"][0])
    assert own["groups"] == report["groups"]
    assert other["groups"] == []
    assert other["draws"] == []
    [g] = report["groups"]
    assert (g["department"], g["item"], g["year"]) == ("scjg", "GSXX_CC", 2026)
    assert g["item_label"]
    assert g["department_label"]
    assert (g["pool"], g["drawn_subjects"], g["inspected_subjects"]) == (40, 4, 2)
    assert g["drawn_share"] == {"value": 0.1, "label": "10.0%"}
    assert g["inspected_share"]["label"] == "5.0%"
    assert g["tasks"] == {"total": 4, "done": 1, "open": 2, "overdue": 1, "unverified": 2}
    assert [(r["result"], r["count"]) for r in g["results"]] == [("01", 1), ("04", 1)]
    assert g["results"][1]["result_label"] == "未按规定公示应当公示的信息"
    assert g["yearly_cap"] == 2
    assert g["at_cap"] == 0
    assert g["at_cap_at_last_draw"] == 0
    [d] = report["draws"]
    assert d["draw"] == draw_id
    assert d["pool_size"] == 40
    u = next(s for s in d["strata"] if s["grade"] is None)
    assert (u["pool"], u["eligible"], u["ratio"], u["target"], u["drawn"]) == (
        40, 40, "0.10", 4, 4
    )  # fmt: skip
    assert u["ratio_label"] == "10%"
    assert u["drawn_share"]["label"] == "10.0%"
    assert sum(s["pool"] for s in d["strata"]) == 40
    assert strata[0]["strata"] == d["strata"]
    [m] = report["months"]
    assert (m["total"], m["done"], m["overdue"], m["open"]) == (4, 1, 1, 2)
    assert report["calendar"]["label"]
    assert {s["state"] for s in report["states"]} == {"done", "open", "overdue"}
    assert "待核实" in report["unverified_label"]


def test_public_summary_has_counts_only(platform: Platform) -> None:
    _two_results(platform)
    with platform.engine.connect() as conn:
        [row] = insp.public_summary(conn, platform.inspection_deps())
        tasks = insp.list_tasks(conn, platform.inspection_deps())
    assert (row["item"], row["year"], row["tasks"], row["done"], row["open"]) == (
        "GSXX_CC", 2026, 4, 2, 2
    )  # fmt: skip
    assert row["on_time"] == 1
    assert row["on_time_share"]["label"] == "25.0%"
    assert [(r["result"], r["count"]) for r in row["results"]] == [("01", 1), ("04", 1)]
    text = json.dumps(row, ensure_ascii=False)
    for t in tasks:
        assert t["subject"] not in text
        assert t["subject_name"] not in text
    assert "strata" not in text
    assert "grade" not in text


def joint_drawn(platform: Platform) -> tuple[int, list[dict[str, Any]]]:
    """A joint plan (scjg's GSXX_CC, the county regulator xscjg's CPZL_CC) drawn; one result
    of each department's item on different tasks. The plan's id and its tasks."""
    from tests.helpers import add_department
    from tests.inspections.test_persisted import plan
    from xinyong.inspections import registry

    seed_platform(platform)
    add_department(platform, "xscjg", "market_regulation", "县市场监督管理局")
    now = platform.clock.now()
    with platform.transaction() as conn:
        for i in range(2):
            registry.register_inspector(
                conn, ident=f"XS{i:03d}", name=f"县检查员{i}", department_code="xscjg",
                region="610100", qualifications=["执法证件", "产品质量抽样"],
                certificate=f"61010020261{i:04d}", now=now,
            )  # fmt: skip
    p = plan(platform, items=[{"item": "GSXX_CC"}, {"item": "CPZL_CC", "department": "xscjg"}])
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(conn, deps, p["id"], department_code="scjg", actor="o", now=now)
        insp.publish_commitment(conn, deps, d["id"], department_code=None, now=now)
    advance(platform, dt.timedelta(minutes=1))
    with platform.transaction() as conn:
        insp.run_planned_draw(
            conn, deps, d["id"], department_code=None, actor="o", now=platform.clock.now()
        )
        tasks = insp.list_tasks(conn, deps, draw_id=d["id"])
    day = platform.clock.today()
    lead = next(i for i in tasks[0]["inspectors"] if i.startswith("SJ"))
    county = next(i for i in tasks[1]["inspectors"] if i.startswith("XS"))
    with platform.transaction() as conn:
        insp.enter_result(
            conn, deps, tasks[0]["id"], inspector_id=lead, item_code="GSXX_CC",
            result_code="01", result_text="", inspected_on=day, now=platform.clock.now(),
        )  # fmt: skip
        insp.enter_result(
            conn, deps, tasks[1]["id"], inspector_id=county, item_code="CPZL_CC",
            result_code="03", result_text="", inspected_on=day, now=platform.clock.now(),
            department_code="xscjg",
        )  # fmt: skip
    return int(p["id"]), tasks


def test_a_joint_plans_departments_have_their_own_rows(platform: Platform) -> None:
    """Each participating department's item has its own row: the tasks and results of its
    item, the plan's pool; the county regulator sees the joint plan it takes part in (its own
    row only), and the lead's row no longer counts the county's results."""
    plan_id, tasks = joint_drawn(platform)
    deps = platform.inspection_deps()
    now = platform.clock.now()
    with platform.engine.connect() as conn:
        office = insp.coverage_report(conn, deps, department_code=None, year=2026, now=now)
        lead = insp.coverage_report(conn, deps, department_code="scjg", year=None, now=now)
        county = insp.coverage_report(conn, deps, department_code="xscjg", year=None, now=now)
    rows = {(g["department"], g["item"]): g for g in office["groups"]}
    assert set(rows) == {("scjg", "GSXX_CC"), ("xscjg", "CPZL_CC")}
    a, b = rows["scjg", "GSXX_CC"], rows["xscjg", "CPZL_CC"]
    n = len(tasks)
    assert a["pool"] == b["pool"] == 40
    assert a["drawn_subjects"] == b["drawn_subjects"] == n
    assert (a["plans"], a["joint_plans"]) == ([plan_id], [])
    assert (b["plans"], b["joint_plans"]) == ([plan_id], [plan_id])
    assert b["department_label"] == "县市场监督管理局"
    assert [(r["result"], r["count"]) for r in a["results"]] == [("01", 1)]
    assert [(r["result"], r["count"]) for r in b["results"]] == [("03", 1)]
    assert a["tasks"]["total"] == b["tasks"]["total"] == n
    assert (a["tasks"]["done"], a["tasks"]["open"]) == (1, n - 1)
    assert (b["tasks"]["done"], b["tasks"]["open"]) == (1, n - 1)
    assert a["inspected_subjects"] == b["inspected_subjects"] == 1
    assert lead["groups"] == [a]
    assert county["groups"] == [b]
    [d] = county["draws"]
    assert d["joint"] is True
    assert [(i["department"], i["item"]) for i in d["plan_items"]] == [
        ("scjg", "GSXX_CC"), ("xscjg", "CPZL_CC")
    ]  # fmt: skip
    assert county["months"][0]["total"] == n
