"""令36 第三条: a listing's exit (and, in test_evaluation, a repair's approval and a revocation)
re-scores its subject the same day through the evaluation's outbox consumer — an incremental
run for the subjects the events name — with a moved clock; nothing runs before the first
finished run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.helpers import ORG, ORG2, add_department, csv_bytes, list_subject, penalty, revoke
from xinyong.bootstrap import Platform
from xinyong.catalog.evaluation import ResultDisclosure
from xinyong.evaluation import service as evaluation
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.lists import service as lists


def _runs(platform: Platform) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return evaluation.list_runs(conn)


def _result(platform: Platform, key: str) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        found = evaluation.subject_results(
            conn,
            platform.evaluation_models(),
            key,
            levels=set(ResultDisclosure),
            with_entries=True,
        )
    # The public model's result (the internal risk classification is scored beside it).
    found = [f for f in found if f["model"] == "GGXYPJ"]
    assert len(found) == 1, found
    return found[0]


def _indicator(result: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in result["indicators"] if i["code"] == code)


def _full_run(platform: Platform) -> dict[str, Any]:
    return evaluation.run(
        platform.engine,
        platform.evaluation_models(),
        platform.evaluation_snapshot(),
        now=platform.clock.now(),
        actor="office:测试",
        full=True,
    )


def test_nothing_is_run_before_the_first_finished_run(platform: Platform) -> None:
    add_department(platform)
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕1号", "决定已被撤销")
    assert _runs(platform) == []  # the first, full run is the jobs', not a request's


def test_a_listing_exit_refreshes_the_grade_the_same_day(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 5, 4, 10, 0, tzinfo=CHINA_TZ))
    platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(CF_JDRQ="2026-04-30"),
                penalty(
                    CF_XDR_SHXYM=ORG2,
                    CF_XDR_MC="西安市雁塔区示例商贸有限公司",
                    CF_WSH="陕市监罚〔2026〕9号",
                    CF_JDRQ="2026-04-30",
                ),
            ]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    case_id = list_subject(platform, ORG)
    _full_run(platform)
    listed = _result(platform, ORG)
    assert _indicator(listed, "LIST_SERIOUS")["value"] == 1.0
    other = _result(platform, ORG2)

    clock.set(dt.datetime(2027, 5, 6, 10, 0, tzinfo=CHINA_TZ))
    with platform.transaction() as conn:
        lists.advance(
            conn,
            platform.sanctions,
            platform.catalogue,
            platform.calendar,
            case_id,
            "exit_early",
            actor="scjg",
            role="department",
            now=clock.now(),
            note="已履行义务，信用修复",
        )
    run = _runs(platform)[0]
    assert run["started_by"] == evaluation.REFRESH_ACTOR
    assert run["evaluated_on"] == "2027-05-06"  # the day of the exit, not the next job's
    assert run["total"] == 2  # the subject concerned only (× 2 models)
    after = _result(platform, ORG)
    assert after["run"] == run["id"]
    assert _indicator(after, "LIST_SERIOUS")["value"] == 0.0
    assert (
        after["score"] == listed["score"] + 250 + 25
    )  # off the list; the penalty aged past a year
    assert _result(platform, ORG2) == other  # not re-scored (its recency ages at the full run)


def test_a_refresh_while_a_run_is_going_is_left_to_the_next_run(platform: Platform) -> None:
    add_department(platform)
    platform.importer().import_bytes(
        csv_bytes([penalty(), penalty(CF_WSH="陕市监罚〔2026〕2号")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    _full_run(platform)
    with platform.engine.begin() as conn:  # another process's run, still going
        from xinyong.evaluation import repository as repo

        repo.insert_run(
            conn,
            {
                "state": "running",
                "full": False,
                "models": "[]",
                "engine": "duckdb",
                "from_entry": 0,
                "ledger_head": 0,
                "evaluated_on": platform.clock.today().isoformat(),
                "done": 0,
                "total": 0,
                "started_by": "system:evaluate",
                "started_at": platform.clock.now(),
            },
        )
    revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕1号", "决定已被撤销")  # not raised
    assert len(_runs(platform)) == 2
    assert _indicator(_result(platform, ORG), "PENALTY_GENERAL")["value"] == 2.0
