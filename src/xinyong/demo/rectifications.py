"""The demo's rectification orders (限期整改) in the states a department works them in.

Through the same use cases the API, the CLI and the console call (``rectifications.service``),
on penalty records of demo organisations, by the department that reported each. Idempotent:
a database that already has rectification cases is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from xinyong.bootstrap import Platform
from xinyong.cases import repository as cases_repo
from xinyong.ledger import service as ledger
from xinyong.rectifications import service as rect

# (interview kind to schedule or None, how the case ends or None, obligation)
PLAYS: tuple[tuple[str | None, str | None, str], ...] = (
    (None, None, "停止违法行为，于期限内提交整改报告"),
    ("PROMPT", None, "补缴罚款并消除不良影响"),
    ("WARNING", None, "整改不到位：限期完成设备检修并报送检测报告"),
    (None, "rectified", "补办相关许可手续"),
    (None, "failed", "停止超范围经营"),
)
SCAN_LIMIT = 200


def stage(
    platform: Platform, organisations: Sequence[tuple[str, str]], echo: Callable[[str], None]
) -> None:
    deps = platform.rectification_deps()
    now = platform.clock.now()
    today = platform.clock.today()
    with platform.engine.connect() as conn:
        if cases_repo.find_cases(conn, rect.WORKFLOW, limit=1)[1]:
            echo("限期整改：已存在，保持不变")
            return
        picks: list[tuple[int, str]] = []
        for code, _name in organisations[:SCAN_LIMIT]:
            end = dt.datetime.combine(today, dt.time.max, tzinfo=now.tzinfo)
            for version in ledger.record_versions(conn, code, end):
                e = version.current
                if not version.revoked and deps.rules.ground_of_item(e.item_code) is not None:
                    picks.append((e.id, e.department_code))
                    break
            if len(picks) == len(PLAYS):
                break
    for (kind, outcome, obligation), (record, department) in zip(PLAYS, picks, strict=False):
        with platform.transaction() as conn:
            case = rect.order(
                conn,
                deps,
                record=record,
                obligation=obligation,
                deadline=today + dt.timedelta(days=30),
                actor=f"demo:{department}",
                role="department",
                department_code=department,
                now=now,
            )
            if kind is not None:
                notice = deps.rules.interview_kind(kind).notice_working_days
                rect.schedule(
                    conn,
                    deps,
                    case.id,
                    kind=kind,
                    scheduled_on=platform.calendar.deadline(today, notice + 2).latest,
                    place="部门三楼会议室",
                    actor=f"demo:{department}",
                    role="department",
                    department_code=department,
                    now=now,
                )
            if outcome is not None:
                rect.close(
                    conn,
                    deps,
                    case.id,
                    outcome,
                    actor=f"demo:{department}",
                    role="department",
                    department_code=department,
                    now=now,
                    note="复查确认" if outcome == "rectified" else "逾期未整改，可提出列入名单建议",
                )
    echo(f"限期整改：{min(len(picks), len(PLAYS))} 件（待整改、已安排约谈、已办结）")
