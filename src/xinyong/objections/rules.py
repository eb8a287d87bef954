"""Pure rules of objections: the codes and their labels, the window to object, the notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from xinyong.kernel.calendar import WorkCalendar

MARK_LABEL = "异议处理中"

# 令36 第十八条 names the grounds of an objection (不予受理、不予修复、内容有误、期限有误); a
# listing without its criteria met is the typical further one (domain-reference §8).
GROUNDS: dict[str, str] = {
    "wrong_content": "信息内容有误",
    "wrong_period": "公示期限有误",
    "wrongly_listed": "不符合列入条件或应移出未移出",
    "repair_not_accepted": "信用修复申请不予受理",
    "repair_refused": "信用修复申请不予修复",
    "other": "其他",
}
OUTCOMES: dict[str, str] = {"correct": "更正", "revoke": "撤销", "keep": "维持"}
APPLICANT_KINDS: dict[str, str] = {
    "subject": "信用主体本人",
    "public": "社会公众",
    "on_behalf": "部门或信用办代为提出",
}
TARGET_KINDS: dict[str, str] = {"record": "信用记录", "list_entry": "名单", "measure": "惩戒措施"}
# The case's first step is the kernel's ``open``; the others are the workflow's transitions.
STEP_EVENTS: dict[str, str] = {
    "open": "objection.submitted",
    "push": "objection.pushed",
    "accept": "objection.accepted",
    "refuse": "objection.refused",
    "notify_extension": "objection.extension_notified",
    "decide": "objection.decided",
}


def window_end(start: dt.date, days: int, unit: str, calendar: WorkCalendar) -> dt.date:
    """Last day to object: ``days`` after ``start``. A right of the subject: on a provisional
    calendar it runs to the latest date the notice may make it."""
    if unit == "working_days":
        return calendar.deadline(start, days).latest
    return start + dt.timedelta(days=days)


def notice_text(
    *,
    department: str,
    subject_name: str,
    item_name: str,
    published_on: dt.date | None,
    outcome: str,
    today: dt.date,
    reason: str,
) -> str:
    """The correction notice (更正公告): what was wrong and what was done, without personal
    data (the subject's registered name, never a person's)."""
    when = f"于 {published_on.isoformat()} " if published_on else ""
    done = "予以更正" if outcome == "correct" else "予以撤销并停止公示"
    return (
        f"更正公告：{department}{when}公示的{subject_name}{item_name}经异议核查有误，"
        f"已于 {today.isoformat()} {done}。核查意见：{reason}"
    )


def reimport_refusal(settled: Mapping[str, Any] | None, content_hash: str) -> str | None:
    """Why a department's row may not replace an objection's outcome, or None: the row says
    again what the objection found wrong (the same content as the entry corrected or revoked),
    which would silently undo the correction. A row with other content is the department's
    new decision and stands as a correction."""
    if settled is None or content_hash != settled["wrong_hash"]:
        return None
    return (
        f"该记录已经异议处理{settled['outcome_label']}（异议 {settled['objection']}，"
        f"{settled['closed_on'].isoformat()}），本行与被{settled['outcome_label']}的原记录内容相同，"
        "不予接收；如原决定确有新的变更，请报送变更后的内容"
    )
