"""The grade reader the inspections context draws by (bootstrap's ``GradeReader``): the
current letter of one model per subject, from a real run on both engines, no result → None,
chunked IN lists giving the same answer, and the time over a 10,000-subject pool."""

from __future__ import annotations

import datetime as dt
import time

from tests.evaluation.test_evaluation import _import, _run
from tests.helpers import ORG, ORG2, add_department, penalty
from xinyong.bootstrap import Platform
from xinyong.evaluation import repository as repo
from xinyong.evaluation import service as evaluation

NOBODY = "91610100MA6T9999XX"[:18]


def test_letters_of_the_policys_model_from_a_real_run(platform: Platform) -> None:
    add_department(platform)
    _import(
        platform,
        penalty(CF_WSH="陕市监罚〔2026〕1号"),
        penalty(
            CF_XDR_SHXYM=ORG2,
            CF_XDR_MC="西安市雁塔区示例商贸有限公司",
            CF_WSH="陕市监罚〔2026〕3号",
        ),
    )
    assert _run(platform)["state"] == "done"
    models = platform.evaluation_models()
    with platform.engine.connect() as conn:
        risk = evaluation.grade_letters(conn, models, "QYXYFXFL", [ORG, ORG2, NOBODY])
        public = evaluation.grade_letters(conn, models, "GGXYPJ", [ORG, ORG2, NOBODY])
        # One general penalty this year: −20 from 100 → 80, B类 (a local cut-off).
        assert risk == {ORG: "B", ORG2: "B"}
        # GGXYPJ: 700 − 150 × 1/3 = 650 → 中 → C.
        assert public == {ORG: "C", ORG2: "C"}
        assert NOBODY not in risk  # no result: the ungraded stratum, not assumed A
        one_by_one = repo.current_grades(conn, "QYXYFXFL", [ORG, ORG2, NOBODY], chunk=1)
        assert one_by_one == repo.current_grades(conn, "QYXYFXFL", [ORG, ORG2, NOBODY])
    # Through bootstrap's injected reader, as the draw calls it.
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        assert deps.grades(conn, "QYXYFXFL", [ORG, NOBODY]) == {ORG: "B"}
    assert deps.public_grade_schemes == frozenset({"GGXYPJ"})  # 社会公开 only


def test_ten_thousand_subjects_read_in_one_pass_per_chunk(platform: Platform) -> None:
    now = platform.clock.now()
    keys = [f"91610100MA{i:07d}X"[:18] for i in range(10_000)]
    with platform.transaction() as conn:
        old = repo.insert_run(conn, _run_row(now, "done"))
        new = repo.insert_run(conn, _run_row(now, "done"))
        failed = repo.insert_run(conn, _run_row(now, "failed"))
        rows = [_result(old, k, "RISK_D") for k in keys]  # superseded by the newer run
        rows += [_result(new, k, ("RISK_A", "RISK_B", "RISK_C")[i % 3]) for i, k in enumerate(keys)]
        rows += [_result(failed, k, "RISK_D") for k in keys[:100]]  # never read
        repo.insert_results(conn, rows)
    models = platform.evaluation_models()
    with platform.engine.connect() as conn:
        t0 = time.perf_counter()
        got = evaluation.grade_letters(conn, models, "QYXYFXFL", keys)
        took = time.perf_counter() - t0
    assert len(got) == 10_000
    assert [got[k] for k in keys[:4]] == ["A", "B", "C", "A"]
    assert "D" not in got.values()
    print(f"grade reader: 10,000 keys in {took * 1000:.0f} ms")  # docs/architecture.md
    assert took < 10  # generous on a shared 2-CPU machine; measured ~0.1-0.3 s


def _run_row(now: dt.datetime, state: str) -> dict[str, object]:
    return {
        "state": state, "full": True, "models": "[]", "engine": "duckdb", "from_entry": 0,
        "ledger_head": 0, "evaluated_on": "2026-06-30", "done": 0, "total": 0,
        "started_by": "test", "started_at": now, "finished_at": now, "error": None,
    }  # fmt: skip


def _result(run_id: int, key: str, grade: str) -> dict[str, object]:
    return {
        "run_id": run_id, "subject_key": key, "subject_kind": "organisation",
        "model_code": "QYXYFXFL", "model_version": "2026.1", "score": 90.0, "grade": grade,
        "computed_at": dt.datetime(2026, 6, 30, tzinfo=dt.UTC), "explanation": "[]",
    }  # fmt: skip
