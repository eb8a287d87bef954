"""Evaluation end to end on both ledgers (SQLite, PostgreSQL) with DuckDB as the engine: the
Parquet snapshot, scores and grades from the catalogue model, explanations naming the real
ledger entries, incremental re-scoring of changed subjects only, and a revocation or a
repair changing the grade."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from tests.helpers import ORG, ORG2, add_department, csv_bytes, penalty, revoke
from xinyong.bootstrap import Platform
from xinyong.cases.attachments import Upload
from xinyong.catalog.evaluation import ResultDisclosure
from xinyong.evaluation import repository as repo
from xinyong.evaluation import service as evaluation
from xinyong.evaluation import snapshot
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import Conflict
from xinyong.ledger.tables import entries
from xinyong.repair import service as repair

ALL = set(ResultDisclosure)


def _import(platform: Platform, *rows: dict[str, str]) -> None:
    platform.importer().import_bytes(
        csv_bytes(list(rows)), filename="p.csv", department_code="scjg", item_code="XZCF"
    )


def _run(platform: Platform, full: bool = False, **kw: Any) -> dict[str, Any]:
    return evaluation.run(
        platform.engine,
        platform.evaluation_models(),
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="office:测试",
        full=full,
        **kw,
    )


def _result(platform: Platform, key: str) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        found = evaluation.subject_results(
            conn, platform.evaluation_models(), key, levels=ALL, with_entries=True
        )
    # The public model's result (the internal risk classification is scored beside it).
    found = [f for f in found if f["model"] == "GGXYPJ"]
    assert len(found) == 1, found
    return found[0]


def _ids(platform: Platform, key: str) -> list[int]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(entries.c.id).where(entries.c.subject_key == key))
        return sorted(int(r[0]) for r in rows)


def _indicator(result: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in result["indicators"] if i["code"] == code)


def _two_penalties_and_one(platform: Platform) -> None:
    add_department(platform)
    _import(
        platform,
        penalty(CF_WSH="陕市监罚〔2026〕1号"),
        penalty(CF_WSH="陕市监罚〔2026〕2号"),
        penalty(
            CF_XDR_SHXYM=ORG2,
            CF_XDR_MC="西安市雁塔区示例商贸有限公司",
            CF_WSH="陕市监罚〔2026〕3号",
        ),
    )


def test_scores_grades_and_explanations_point_at_ledger_entries(platform: Platform) -> None:
    _two_penalties_and_one(platform)
    progress: list[tuple[int, int]] = []
    run = _run(platform, progress=lambda d, t: progress.append((d, t)))
    assert run["state"] == "done"
    assert run["full"]
    # 2 subjects × 2 models for organisations (GGXYPJ, and the internal QYXYFXFL)
    assert run["total"] == 4
    assert run["done"] == 4
    assert progress[-1] == (4, 4)

    org = _result(platform, ORG)
    # Two general penalties within a year: -150 × 2/3 from the base 700.
    assert org["score"] == 600.0
    assert (org["grade"], org["grade_label"], org["grade_letter"]) == ("FAIR", "中", "C")
    general = _indicator(org, "PENALTY_GENERAL")
    assert general["value"] == 2.0
    assert general["contribution"] == -100.0
    assert general["entries"] == _ids(platform, ORG)  # the real ledger entries behind it
    assert sum(i["contribution"] for i in org["indicators"]) == org["score"] - org["base"]
    assert all(i["entries"] == [] for i in org["indicators"] if i["code"] != "PENALTY_GENERAL")

    org2 = _result(platform, ORG2)
    assert org2["score"] == 650.0
    assert org2["grade_label"] == "中"
    assert _indicator(org2, "PENALTY_GENERAL")["entries"] == _ids(platform, ORG2)

    # The snapshot holds every entry once, its manifest the head.
    folder = platform.evaluation_snapshot()
    manifest = snapshot.read_manifest(folder)
    assert manifest is not None
    assert manifest.head == max(_ids(platform, ORG) + _ids(platform, ORG2))
    table = pq.read_table(snapshot.part_paths(folder, manifest))
    assert sorted(table.column("id").to_pylist()) == sorted(
        _ids(platform, ORG) + _ids(platform, ORG2)
    )


def test_incremental_run_rescores_only_changed_subjects(platform: Platform) -> None:
    _two_penalties_and_one(platform)
    first = _run(platform)
    head = first["ledger_head"]

    again = _run(platform)  # nothing changed: nothing re-scored, no part written
    assert not again["full"]
    assert again["total"] == 0
    assert again["exported"] == 0

    _import(
        platform,
        penalty(
            CF_XDR_SHXYM=ORG2,
            CF_XDR_MC="西安市雁塔区示例商贸有限公司",
            CF_WSH="陕市监罚〔2026〕4号",
        ),
    )
    third = _run(platform)
    assert not third["full"]
    assert third["from_entry"] == head
    assert third["exported"] == 1
    with platform.engine.connect() as conn:
        rescored = {r["subject_key"] for r in repo.results_of_run(conn, third["id"])}
    assert rescored == {ORG2}
    assert _result(platform, ORG2)["score"] == 600.0
    assert _result(platform, ORG)["run"] == first["id"]  # untouched, still current

    manifest = snapshot.read_manifest(platform.evaluation_snapshot())
    assert manifest is not None
    assert len(manifest.parts) == 2

    full = _run(platform, full=True)
    with platform.engine.connect() as conn:
        assert {r["subject_key"] for r in repo.results_of_run(conn, full["id"])} == {ORG, ORG2}


def test_a_revocation_changes_the_grade(platform: Platform) -> None:
    _two_penalties_and_one(platform)
    _run(platform)
    assert _result(platform, ORG)["grade_label"] == "中"
    # Each revocation's event re-scores the subject at once (no run needed), in the
    # background: the test waits for the worker.
    revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕1号", "决定已被撤销")
    assert platform.settle_evaluation(60)
    assert _last_run(platform)["started_by"] == evaluation.REFRESH_ACTOR
    assert _result(platform, ORG)["score"] == 650.0  # one penalty left
    revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕2号", "决定已被撤销")
    assert platform.settle_evaluation(60)
    run = _last_run(platform)
    assert not run["full"]
    assert run["total"] == 2  # that subject only (× 2 models): ORG2 is left as it was
    org = _result(platform, ORG)
    # Every record revoked: the subject is scored again (base), not left at its old grade.
    assert org["run"] == run["id"]
    assert org["score"] == 700.0
    assert org["grade_label"] == "良"
    assert _run(platform)["total"] == 0  # the hourly run finds nothing left to do


def _last_run(platform: Platform) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return evaluation.list_runs(conn, 1)[0]


def test_recency_decay_and_disclosure(platform: Platform) -> None:
    add_department(platform)
    _import(platform, penalty(CF_WSH="陕市监罚〔2024〕9号", CF_JDRQ="2024-12-20"))
    _run(platform)
    org = _result(platform, ORG)
    # Decided 2024-12-20, evaluated 2026-06-15: more than a year, within three: factor 0.5.
    assert _indicator(org, "PENALTY_GENERAL")["value"] == 0.5
    assert org["score"] == 675.0
    with platform.engine.connect() as conn:
        public = evaluation.subject_results(
            conn,
            platform.evaluation_models(),
            ORG,
            levels={ResultDisclosure.PUBLIC},
            with_entries=False,
        )
        internal_only = evaluation.subject_results(
            conn,
            platform.evaluation_models(),
            ORG,
            levels={ResultDisclosure.INTERNAL},
            with_entries=False,
        )
    assert public
    assert "entries" not in public[0]["indicators"][0]
    # Only the internal risk classification (QYXYFXFL) is internal: never shown publicly.
    assert [r["model"] for r in internal_only] == ["QYXYFXFL"]


def test_a_failed_run_leaves_nothing_half_written(platform: Platform) -> None:
    _two_penalties_and_one(platform)

    def broken() -> Any:
        raise RuntimeError("engine down")

    with contextlib.suppress(RuntimeError):
        _run(platform, connect=broken)
    with platform.engine.connect() as conn:
        runs = evaluation.list_runs(conn)
        assert runs[0]["state"] == "failed"
        assert runs[0]["error"] == "engine down"
        assert repo.results_of_run(conn, runs[0]["id"]) == []
        assert repo.last_done_run(conn) is None
    assert _run(platform)["full"]  # the next run starts from scratch


def test_a_credit_repair_refreshes_the_grade(platform: Platform, clock: FixedClock) -> None:
    """令36 第三条: after repair the evaluation is updated — the approval re-scores the subject
    the same day (an incremental run for it): the penalty no longer counts, the repaired
    record does."""
    add_department(platform)
    clock.set(dt.datetime(2026, 6, 12, 10, tzinfo=CHINA_TZ))
    _import(platform, penalty())
    clock.set(dt.datetime(2026, 9, 29, 10, tzinfo=CHINA_TZ))
    _run(platform)
    before = _result(platform, ORG)
    assert (before["score"], before["grade_label"]) == (650.0, "中")
    with platform.engine.connect() as conn:
        view = repair.eligibility_view(conn, platform.repair_deps(), ORG, platform.clock.today())
    record = int(view["records"][0]["record"]["entry"])
    with platform.transaction() as conn:
        case = repair.apply(
            conn,
            platform.repair_deps(),
            subject_key=ORG,
            record=record,
            actor="subject:" + ORG,
            now=platform.clock.now(),
            kind="ordinary",
            commitment_signed=True,
            signatory="王经理",
            materials=[Upload("缴款凭证.pdf", b"%PDF-1.7\n% proof of payment\n")],
        )
    for name, note in (("accept", None), ("approve", "已缴清罚款，予以修复")):
        with platform.transaction() as conn:
            repair.step(
                conn,
                platform.repair_deps(),
                case.id,
                name,
                actor="department:t",
                role="department",
                now=platform.clock.now(),
                department_code="scjg",
                **({"note": note} if note else {}),
            )
    # The approval's event re-scored the subject at once (the evaluation's outbox consumer
    # and the background worker), the same day, not at the next hourly run.
    assert platform.settle_evaluation(60)
    with platform.engine.connect() as conn:
        run = evaluation.list_runs(conn)[0]
    assert not run["full"]
    assert run["started_by"] == evaluation.REFRESH_ACTOR
    assert run["evaluated_on"] == "2026-09-29"
    assert run["total"] == 2  # one subject × 2 models
    after = _result(platform, ORG)
    assert after["run"] == run["id"]
    assert (after["score"], after["grade_label"]) == (710.0, "良")
    assert _indicator(after, "PENALTY_GENERAL")["value"] == 0.0
    repaired = _indicator(after, "REPAIRED")
    assert repaired["value"] == 1.0
    assert repaired["entries"] == [max(_ids(platform, ORG))]  # the restatement with action repair


INDUSTRY = """
schema: xinyong.catalog/v1
kind: evaluation_models
models:
  - code: SCJG_ADS
    name: 广告经营者信用评价（市场监管行业模型）
    kind: industry
    version: "2026.1"
    effective_from: 2026-01-01
    disclosure: 政务共享
    base_model: GGXYPJ
    department: scjg
    legal_basis:
      - title: 行业信用评价（示例）
        evidence: U
    score: {base: 700, min: 0, max: 1000}
    indicators:
      - code: ADS_PENALTY
        name: 广告违法处罚
        direction: negative
        function: count
        weight: 100
        cap: 1
        items: [XZCF]
    grades:
      - {code: EXCELLENT, label: 优, from: 850, to: 1000}
      - {code: GOOD, label: 良, from: 700, to: 850}
      - {code: FAIR, label: 中, from: 500, to: 700}
      - {code: POOR, label: 差, from: 0, to: 500}
"""


def test_an_industry_model_adds_to_the_public_score(platform: Platform, tmp_path: Any) -> None:
    from xinyong.catalog.evaluation import load_evaluation_catalogue

    local = tmp_path / "local"
    (local / "evaluation").mkdir(parents=True)
    (local / "evaluation" / "models.yaml").write_text(INDUSTRY, "utf-8")
    catalogue = load_evaluation_catalogue([local])
    _two_penalties_and_one(platform)
    evaluation.run(
        platform.engine,
        catalogue,
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="office:测试",
    )
    with platform.engine.connect() as conn:
        results = evaluation.subject_results(conn, catalogue, ORG, levels=ALL, with_entries=True)
    by_model = {r["model"]: r for r in results}
    assert by_model["GGXYPJ"]["score"] == 600.0
    industry = by_model["SCJG_ADS"]
    assert industry["base"] == 600.0  # the public score is its base
    assert industry["score"] == 500.0
    assert industry["grade_label"] == "中"
    assert industry["indicators"][0]["entries"] == _ids(platform, ORG)
    with platform.engine.connect() as conn:
        public = evaluation.subject_results(
            conn, catalogue, ORG, levels={ResultDisclosure.PUBLIC}, with_entries=False
        )
    assert [r["model"] for r in public] == ["GGXYPJ"]  # the department's model is 政务共享


def test_a_second_run_is_refused_while_one_runs(platform: Platform) -> None:
    _two_penalties_and_one(platform)
    seen: list[str] = []

    def meanwhile(done: int, total: int) -> None:
        with pytest.raises(Conflict) as err:
            _run(platform)
        seen.append(err.value.message_zh)

    _run(platform, progress=meanwhile)
    assert "正在运行" in seen[0]
    assert _run(platform)["state"] == "done"  # once finished, the next one starts
