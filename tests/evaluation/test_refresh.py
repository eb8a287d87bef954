"""令36 第三条: a listing's exit (and, in test_evaluation, a repair's approval and a revocation)
re-scores its subject the same day through the evaluation's outbox consumer — an incremental
run for the subjects the events name, by the process's background worker (the tests wait for
it with ``settle_evaluation``) — with a moved clock; nothing runs before the first finished
run."""

from __future__ import annotations

import datetime as dt
import threading
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
    assert platform.settle_evaluation(60)
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
    assert platform.settle_evaluation(60)  # the re-score runs after the exit, in the background
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
    assert platform.settle_evaluation(60)
    assert len(_runs(platform)) == 2
    assert _indicator(_result(platform, ORG), "PENALTY_GENERAL")["value"] == 2.0


def _scored_pair(platform: Platform) -> None:
    add_department(platform)
    platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(),
                penalty(
                    CF_XDR_SHXYM=ORG2,
                    CF_XDR_MC="西安市雁塔区示例商贸有限公司",
                    CF_WSH="陕市监罚〔2026〕9号",
                ),
            ]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    _full_run(platform)


def test_the_rescore_runs_after_the_change_not_in_it_and_coalesces(platform: Platform) -> None:
    """The change's unit of work returns before the re-score (the worker's; here held back by
    taking its lock, as a re-score already going would); the subjects noted meanwhile are
    re-scored together, in one incremental run."""
    _scored_pair(platform)
    with platform._refresh_lock:
        revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕1号", "决定已被撤销")
        revoke(platform, "scjg", "XZCF", ORG2, "陕市监罚〔2026〕9号", "决定已被撤销")
        assert len(_runs(platform)) == 1  # both changes committed, nothing re-scored yet
        assert not platform.settle_evaluation(0.05)  # the worker waits for the lock
    assert platform.settle_evaluation(60)
    runs = _runs(platform)
    assert len(runs) == 2
    assert runs[0]["started_by"] == evaluation.REFRESH_ACTOR
    assert runs[0]["total"] == 4  # one run for both subjects (× 2 models)
    for key in (ORG, ORG2):
        assert _indicator(_result(platform, key), "PENALTY_GENERAL")["value"] == 0.0


def test_a_stop_lets_the_worker_finish_what_it_was_woken_for(platform: Platform) -> None:
    _scored_pair(platform)
    with platform._refresh_lock:
        revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕1号", "决定已被撤销")
        stopper = threading.Thread(target=platform.close)
        stopper.start()
    stopper.join(60)
    assert not stopper.is_alive()
    assert _runs(platform)[0]["total"] == 2  # re-scored before the stop returned (× 2 models)
    assert _indicator(_result(platform, ORG), "PENALTY_GENERAL")["value"] == 0.0


def test_inline_rescoring_is_done_when_the_change_returns(platform: Platform) -> None:
    """The command line's platform (commands.common._platform): no worker, the re-score runs
    in the dispatch."""
    _scored_pair(platform)
    platform.rescore_inline = True
    revoke(platform, "scjg", "XZCF", ORG, "陕市监罚〔2026〕1号", "决定已被撤销")
    assert platform._rescorer is None
    assert _runs(platform)[0]["total"] == 2  # one subject × 2 models
