"""Graded supervision drawn by real grades (issue 12): the policy's evaluation model read
through bootstrap's reader on both engines; an internal model (SAMR risk classes) withheld
from the public copy, which says it cannot be re-run; a public model (GGXYPJ, 优/良/中/差)
shown, so ``xinyong verify-draw`` re-runs the PUBLIC copy and matches."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.helpers import add_department
from tests.inspections.test_persisted import SEED, advance, orgs, plan, seed_platform
from xinyong.bootstrap import Platform
from xinyong.evaluation import repository as eval_repo
from xinyong.inspections import registry
from xinyong.inspections import service as insp
from xinyong.web.cli import app


def _results(platform: Platform, model: str, grades: dict[str, str]) -> None:
    now = platform.clock.now()
    with platform.transaction() as conn:
        run = eval_repo.insert_run(
            conn,
            {
                "state": "done", "full": True, "models": "[]", "engine": "duckdb",
                "from_entry": 0, "ledger_head": 0, "evaluated_on": "2026-06-30", "done": 0,
                "total": 0, "started_by": "test", "started_at": now, "finished_at": now,
                "error": None,
            },
        )  # fmt: skip
        eval_repo.insert_results(
            conn,
            [
                {
                    "run_id": run,
                    "subject_key": k,
                    "subject_kind": "organisation",
                    "model_code": model,
                    "model_version": "2026.1",
                    "score": 0.0,
                    "grade": g,
                    "computed_at": now,
                    "explanation": "[]",
                }
                for k, g in grades.items()
            ],
        )


def _draw(platform: Platform, plan_row: dict[str, Any], dept: str) -> tuple[dict[str, Any], ...]:
    deps = platform.inspection_deps()
    with platform.transaction() as conn:
        d = insp.prepare_draw(
            conn, deps, plan_row["id"], department_code=dept, actor="o",
            now=platform.clock.now(), seed_hex=SEED,
        )  # fmt: skip
        insp.publish_commitment(conn, deps, d["id"], department_code=dept, now=platform.clock.now())
    advance(platform, dt.timedelta(minutes=5))
    with platform.transaction() as conn:
        view = insp.run_planned_draw(
            conn, deps, d["id"], department_code=dept, actor="o", now=platform.clock.now()
        )
        full = insp.draw_record(conn, d["id"], public=False)
        public = insp.draw_record(conn, d["id"], public=True)
    return view, full, public


def test_samr_policy_draws_by_the_internal_risk_classes(platform: Platform) -> None:
    seed_platform(platform)
    keys = orgs()
    letters = ("RISK_A", "RISK_B", "RISK_C", "RISK_D")
    _results(platform, "QYXYFXFL", {k: letters[i % 4] for i, k in enumerate(keys[:20])})
    _results(platform, "GGXYPJ", dict.fromkeys(keys, "POOR"))  # another model: not read here
    view, full, public = _draw(platform, plan(platform), "scjg")
    grades = {s["key"]: s["grade"] for s in full["pool"]["subjects"]}
    assert [grades[k] for k in keys[:4]] == ["A", "B", "C", "D"]
    assert all(grades[k] is None for k in keys[20:])  # no result: ungraded, as before
    by = {s["code"]: s for s in view["strata"]}
    assert (by["D"]["eligible"], by["D"]["ratio_label"], by["D"]["drawn"]) == (5, "80%", 4)
    assert by["D"]["label"] == "D类（信用风险高）"
    assert view["grade_model"] == "QYXYFXFL"
    assert view["grades_withheld"]
    with platform.engine.connect() as conn:
        shown = insp.get_plan(conn, platform.inspection_deps(), view["plan"])
    assert shown["grade_model"] == {
        "code": "QYXYFXFL", "label": "企业信用风险分类（本平台模型，内部）", "public": False,
    }  # fmt: skip
    assert shown["draws"][0]["strata"] == view["strata"]
    assert insp.verify(platform.inspection_catalogue(), full) == []
    assert {s["grade"] for s in public["pool"]["subjects"]} == {None}
    assert "grades_withheld" in public
    assert "内部" in public["grades_withheld"]
    # The portal's view of the public copy keeps the per-class counts, not who is in which.
    with platform.engine.connect() as conn:
        portal = insp.get_draw(conn, view["id"], public=True)
    assert [s["drawn"] for s in portal["strata"]] == [s["drawn"] for s in view["strata"]]
    assert portal["grades_withheld"]
    problems = insp.verify(platform.inspection_catalogue(), public)
    assert len(problems) == 1
    assert "不能复核分层" in problems[0]


def test_ecology_policy_draws_by_public_grades_and_the_public_copy_verifies(
    platform: Platform, tmp_path: Path
) -> None:
    seed_platform(platform)
    add_department(platform, "sthj", "ecology", "西安市生态环境局")
    now = platform.clock.now()
    with platform.transaction() as conn:
        for i in range(3):
            registry.register_inspector(
                conn, ident=f"HJ{i:03d}", name=f"环境检查员{i}", department_code="sthj",
                region="610100", qualifications=["执法证件"], certificate=f"6101002026H{i:04d}",
                now=now,
            )  # fmt: skip
    keys = orgs()
    codes = ("EXCELLENT", "GOOD", "FAIR", "POOR")
    _results(platform, "GGXYPJ", {k: codes[i % 4] for i, k in enumerate(keys)})
    with platform.transaction() as conn:
        p = insp.create_plan(
            conn, platform.inspection_deps(), name="2026年排污单位随机抽查", kind="annual",
            year=2026, department_code="sthj", items=[{"item": "PWDW_CC"}],
            policy_ref="HJ_GRADED", pool_filter={}, actor="office:t", now=now,
        )  # fmt: skip
    assert p["grade_model"]["label"] == "公共信用综合评价（本平台模型）"
    view, full, public = _draw(platform, p, "sthj")
    assert "grades_withheld" not in public
    assert public == full  # public grades: the whole record is published
    assert {s["grade"] for s in public["pool"]["subjects"]} == {"A", "B", "C", "D"}
    labels = [(s["code"], s["label"], s["eligible"], s["drawn"]) for s in view["strata"]]
    # 10 per grade: 优 2 % → 1, 良 5 % → 1, 中 10 % → 1, 差 30 % → 3; no floor on this item.
    assert labels == [("A", "优", 10, 1), ("B", "良", 10, 1), ("C", "中", 10, 1),
                      ("D", "差", 10, 3), ("U", "未评价", 0, 0)]  # fmt: skip
    path = tmp_path / "public.json"
    path.write_text(json.dumps(public, ensure_ascii=False), "utf-8")
    out = CliRunner().invoke(
        app, ["verify-draw", str(path), "--commitment", view["draw_commitment"]]
    )
    assert out.exit_code == 0, out.output
    assert "可复现" in out.output
