"""Sampling coverage on both engines: after a draw over 40 ungraded organisations (4 drawn),
one result on time and one late, the report gives the pool and its strata against the policy's
ratio, the shares drawn and inspected, tasks done / overdue / open (the open ones past the
draw-day deadline 待核实, never overdue), results by category and the tasks per month; a
department sees only its own; the public summary (一公开) has counts only, no subject."""

from __future__ import annotations

import datetime as dt
import json

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
