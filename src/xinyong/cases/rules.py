"""Pure rules of the workflow kernel: deadlines and overdue status, and the workflows.

The list-determination workflow follows the procedure of the seeds and the list rules
(notice of the grounds and rights, a window to state one's case, a decision, publication, and
exit by expiry, early exit after repair, or revocation of the underlying decision).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from xinyong.cases.model import State, Transition, Workflow
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.errors import ConfigurationError


def due_date(
    workflow: Workflow,
    state: str,
    params: Mapping[str, object],
    entered_on: dt.date,
    calendar: WorkCalendar,
) -> dt.date | None:
    """Last day to leave ``state``: N working days after entering it (N from the case's
    parameters, e.g. the list type's statement window). None when the state has no deadline."""
    param = workflow.states[state].deadline_param
    if param is None:
        return None
    days = params.get(param)
    if days is None:
        return None
    if not isinstance(days, int) or days < 0:
        raise ConfigurationError(
            f"{workflow.code}: parameter {param} must be a non-negative integer, got {days!r}",
            f"“{workflow.name}”的参数 {param} 应为非负整数，实际为 {days!r}",
        )
    return calendar.add_workdays(entered_on, days)


def is_overdue(due_on: dt.date | None, today: dt.date, terminal: bool) -> bool:
    return due_on is not None and not terminal and today > due_on


def _t(name: str, label: str, sources: set[str], target: str, roles: set[str]) -> Transition:
    return Transition(name, label, frozenset(sources), target, frozenset(roles))


LIST_DETERMINATION = Workflow(
    code="list_determination",
    name="名单认定",
    initial="proposed",
    states={
        "proposed": State("proposed", "拟列入", deadline_param="notice_deadline_working_days"),
        "notified": State(
            "notified", "已告知，陈述申辩期", deadline_param="statement_window_working_days"
        ),
        "statement": State(
            "statement", "已陈述申辩，待决定", deadline_param="decision_deadline_working_days"
        ),
        "listed": State(
            "listed", "已决定列入，待公示", deadline_param="publication_deadline_working_days"
        ),
        "dropped": State("dropped", "决定不予列入", terminal=True),
        "published": State("published", "已列入并公示"),
        "exited": State("exited", "已移出", terminal=True),
    },
    transitions={
        t.name: t
        for t in (
            _t("notify", "告知拟列入的事由、依据和权利", {"proposed"}, "notified", {"department"}),
            _t("state_case", "提交陈述申辩", {"notified"}, "statement", {"subject", "department"}),
            # With no statement the department decides once the window has passed.
            _t("list", "决定列入", {"notified", "statement"}, "listed", {"department"}),
            _t(
                "drop",
                "决定不予列入",
                {"proposed", "notified", "statement"},
                "dropped",
                {"department"},
            ),
            _t("publish", "公示", {"listed"}, "published", {"department", "office", "system"}),
            _t("expire", "期满自动移出", {"published"}, "exited", {"system"}),
            _t("exit_early", "信用修复提前移出", {"published"}, "exited", {"department"}),
            _t(
                "revoke",
                "因据以列入的决定被撤销而移出",
                {"listed", "published"},
                "exited",
                {"department"},
            ),
        )
    },
)

WORKFLOWS: dict[str, Workflow] = {w.code: w for w in (LIST_DETERMINATION,)}
