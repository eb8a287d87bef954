"""Pure rules of the workflow kernel: deadlines and overdue status, and the workflows.

The list-determination workflow follows the procedure of the seeds and the list rules
(notice of the grounds and rights, a window to state one's case, a decision, publication, and
exit by expiry, early exit after repair, or revocation of the underlying decision).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from xinyong.cases.model import DUTY, RIGHT, State, Transition, Workflow
from xinyong.kernel.calendar import Deadline, WorkCalendar
from xinyong.kernel.errors import ConfigurationError


def deadline_days(workflow: Workflow, state: str, params: Mapping[str, object]) -> int | None:
    """N, the working days allowed in ``state`` (from the case's parameters), or None."""
    param = workflow.states[state].deadline_param
    if param is None:
        return None
    days = params.get(param)
    if days is None:
        return None
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ConfigurationError(
            f"{workflow.code}: parameter {param} must be a non-negative integer, got {days!r}",
            f"“{workflow.name}”的参数 {param} 应为非负整数，实际为 {days!r}",
        )
    return days


def extended_due(original: Deadline, days: int, calendar: WorkCalendar) -> Deadline:
    """``days`` working days on from ``original`` (an extension of that deadline); a
    provisional original keeps its bounds, each moved on."""
    moved = calendar.deadline(original.date, days)
    if not original.provisional:
        return moved
    earliest = calendar.deadline(original.earliest, days).earliest
    latest = calendar.deadline(original.latest, days).latest
    years = tuple(sorted(set(original.provisional_years) | set(moved.provisional_years)))
    return Deadline(
        moved.date, True, min(earliest, moved.earliest), max(latest, moved.latest), years
    )


def due_date(
    workflow: Workflow,
    state: str,
    params: Mapping[str, object],
    entered_on: dt.date,
    calendar: WorkCalendar,
    previous: Deadline | None = None,
) -> Deadline | None:
    """Last day to leave ``state``: N working days after entering it (N from the case's
    parameters, e.g. the list type's statement window), with its calendar status and bounds;
    for an extension (``State.extends``), N working days on from ``previous``, the deadline
    of the state it was entered from. None when the state has no deadline."""
    days = deadline_days(workflow, state, params)
    if days is None:
        return None
    if workflow.states[state].extends and previous is not None:
        return extended_due(previous, days, calendar)
    param = workflow.states[state].deadline_param
    if params.get(f"{param}_unit") == "calendar_days":
        # A period the rule counts in calendar days (the courts' 15 days): no holiday moves it.
        end = entered_on + dt.timedelta(days=days)
        return Deadline.official(end)
    return calendar.deadline(entered_on, days)


def act_on(state: State, due: Deadline) -> dt.date:
    """The date that counts for ``state``: the office plans its own duty to the earliest date
    the calendar allows; a subject's window runs until the latest."""
    return due.latest if state.deadline_kind == RIGHT else due.earliest


def is_overdue(state: State, due: Deadline | None, today: dt.date) -> bool:
    """Past the date that counts: for a duty, the office is late by its plan; for a subject's
    window, it has certainly ended and the next step is due."""
    return due is not None and not state.terminal and today > act_on(state, due)


def window_open(state: State, due: Deadline | None, today: dt.date) -> bool:
    """Whether a subject's window of ``state`` may still be running on ``today``."""
    return state.deadline_kind == RIGHT and due is not None and today <= due.latest


def _t(
    name: str,
    label: str,
    sources: set[str],
    target: str,
    roles: set[str],
    after_window: set[str] | None = None,
) -> Transition:
    return Transition(
        name, label, frozenset(sources), target, frozenset(roles), frozenset(after_window or ())
    )


LIST_DETERMINATION = Workflow(
    code="list_determination",
    name="名单认定",
    initial="proposed",
    states={
        "proposed": State("proposed", "拟列入", deadline_param="notice_deadline_working_days"),
        "notified": State(
            "notified",
            "已告知，陈述申辩期",
            deadline_param="statement_window_working_days",
            deadline_kind=RIGHT,
            deadline_label="陈述申辩期",
        ),
        "statement": State(
            "statement",
            "已陈述申辩，待决定",
            deadline_param="decision_deadline_working_days",
            deadline_kind=DUTY,
            deadline_label="决定期限",
        ),
        "listed": State(
            "listed",
            "已决定列入，待公示",
            deadline_param="publication_deadline_working_days",
            deadline_kind=DUTY,
            deadline_label="公示期限",
        ),
        "dropped": State("dropped", "决定不予列入", terminal=True),
        "published": State("published", "已列入并公示"),
        # Left by a credit repair, not terminal: a repair voided for fraud (令36 第二十五条,
        # 令107 第二十三条) or a failed bankruptcy plan (令36 第二十条) lists the subject again.
        "suspended": State("suspended", "破产重整期间临时修复，暂停列入"),
        "repaired": State("repaired", "经信用修复移出"),
        "exited": State("exited", "已移出", terminal=True),
    },
    transitions={
        t.name: t
        for t in (
            _t("notify", "告知拟列入的事由、依据和权利", {"proposed"}, "notified", {"department"}),
            _t("state_case", "提交陈述申辩", {"notified"}, "statement", {"subject", "department"}),
            # With no statement the department decides once the window has passed, at the
            # latest date the calendar allows for it.
            _t(
                "list",
                "决定列入",
                {"notified", "statement"},
                "listed",
                {"department"},
                after_window={"notified"},
            ),
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
            # Taken by a repair case only (谁认定、谁修复: its department decided there).
            _t(
                "repair_exit",
                "经信用修复办件决定移出",
                {"published", "suspended"},
                "repaired",
                {"system"},
            ),
            _t("suspend", "破产重整临时修复，暂停列入", {"published"}, "suspended", {"system"}),
            _t(
                "reinstate",
                "恢复列入（修复被撤销或重整计划未执行）",
                {"repaired", "suspended"},
                "published",
                {"system"},
            ),
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

# An objection (异议) to a record, list entry or measure, handled by the department that
# provided it (谁认定、谁核查) on the deadlines of the record's regime (catalog/objections.py):
# the office pushes it (令36: 1 working day), the department accepts or refuses, verifies
# (令36: 7 working days after acceptance), may extend only by a recorded notice to the
# applicant (no cap: the notice names the new date), and decides: correct, revoke or keep.
OBJECTION = Workflow(
    code="objection",
    name="异议处理",
    initial="submitted",
    states={
        "submitted": State(
            "submitted", "已提交，待推送/受理", deadline_param="first_deadline_working_days"
        ),
        "pushed": State(
            "pushed",
            "已推送认定部门，待受理",
            deadline_param="accept_working_days",
            deadline_label="受理期限",
        ),
        "accepted": State(
            "accepted", "已受理，核查中", deadline_param="verify_days", deadline_label="核查期限"
        ),
        "extended": State("extended", "已告知延期，核查中", deadline_label="延长后的核查期限"),
        "refused": State("refused", "不予受理", terminal=True),
        "closed": State("closed", "已办结", terminal=True),
    },
    transitions={
        t.name: t
        for t in (
            _t("push", "推送认定部门", {"submitted"}, "pushed", {"office", "system"}),
            _t("accept", "受理", {"submitted", "pushed"}, "accepted", {"department"}),
            _t("refuse", "不予受理", {"submitted", "pushed"}, "refused", {"department"}),
            _t(
                "notify_extension",
                "告知申请人延长核查期限",
                {"accepted", "extended"},
                "extended",
                {"department"},
            ),
            _t("decide", "作出核查决定", {"accepted", "extended"}, "closed", {"department"}),
        )
    },
)

# Credit repair (信用修复, 令36 第十三条至第二十条, 令107 第十四条至第二十三条): the subject applies
# with its commitment; the deciding authority (谁认定、谁修复) accepts or names every missing item
# at once, decides, may extend on a recorded reason; approval stops publication the same day.
# A repair voided for fraud restores publication; a bankruptcy case masks the record
# temporarily and is either restored (the plan failed) or completed into a full repair.
CREDIT_REPAIR = Workflow(
    code="credit_repair",
    name="信用修复",
    initial="submitted",
    states={
        "submitted": State(
            "submitted",
            "已提交，待受理",
            deadline_param="acceptance_working_days",
            deadline_label="受理期限",
        ),
        "incomplete": State("incomplete", "材料不全，待补正"),
        "accepted": State(
            "accepted",
            "已受理，待决定",
            deadline_param="decision_working_days",
            deadline_label="决定期限",
        ),
        "extended": State(
            "extended",
            "已延长决定期限，待决定",
            deadline_param="extension_working_days",
            deadline_label="延长后的决定期限",
            extends=True,
        ),
        "repaired": State("repaired", "已修复，停止公示"),
        "masked": State("masked", "已临时修复（破产重整），暂停公示"),
        "refused": State("refused", "不予修复", terminal=True),
        "voided": State("voided", "修复已撤销（弄虚作假），恢复公示", terminal=True),
        "restored": State("restored", "临时修复已终止，恢复公示", terminal=True),
    },
    transitions={
        t.name: t
        for t in (
            _t("accept", "受理", {"submitted"}, "accepted", {"department"}),
            _t("incomplete", "一次性告知需补正的材料", {"submitted"}, "incomplete", {"department"}),
            _t("complete", "补正材料", {"incomplete"}, "accepted", {"subject"}),
            _t("extend", "延长决定期限", {"accepted"}, "extended", {"department"}),
            _t("approve", "决定予以修复", {"accepted", "extended"}, "repaired", {"department"}),
            _t(
                "refuse",
                "决定不予修复",
                {"submitted", "incomplete", "accepted", "extended"},
                "refused",
                {"department"},
            ),
            _t("mask", "临时修复（暂停公示）", {"submitted"}, "masked", {"department"}),
            _t(
                "complete_plan",
                "重整计划执行完毕，予以修复",
                {"masked"},
                "repaired",
                {"department"},
            ),
            _t("restore", "重整计划未执行，恢复公示", {"masked"}, "restored", {"department"}),
            _t("void", "弄虚作假，撤销修复", {"repaired"}, "voided", {"department", "office"}),
        )
    },
)

# Rectification by deadline (限期整改, 35号文 (九)): the department that made the finding orders
# the subject to rectify by a date it names; a subject that has not rectified gets a 提示约谈 or
# 警示约谈 scheduled and held by that department (谁认定、谁约谈); the case closes rectified or
# failed. Every state's deadline is a date the department names (the rectification deadline,
# the interview date), given with the step, so the kernel's overdue machinery flags it.
RECTIFICATION = Workflow(
    code="rectification",
    name="限期整改",
    initial="ordered",
    states={
        "ordered": State(
            "ordered",
            "已责令限期整改",
            deadline_param="rectification_days",
            deadline_label="整改期限",
        ),
        "interview_scheduled": State(
            "interview_scheduled", "已安排约谈", deadline_label="约谈日期"
        ),
        "interview_held": State("interview_held", "已约谈，整改中", deadline_label="整改期限"),
        "rectified": State("rectified", "已整改到位", terminal=True),
        "failed": State("failed", "整改不到位", terminal=True),
    },
    transitions={
        t.name: t
        for t in (
            _t(
                "schedule",
                "安排约谈",
                {"ordered", "interview_held"},
                "interview_scheduled",
                {"department"},
            ),
            _t("hold", "记录约谈", {"interview_scheduled"}, "interview_held", {"department"}),
            _t(
                "rectified",
                "确认整改到位",
                {"ordered", "interview_scheduled", "interview_held"},
                "rectified",
                {"department"},
            ),
            _t(
                "failed",
                "认定整改不到位",
                {"ordered", "interview_scheduled", "interview_held"},
                "failed",
                {"department"},
            ),
        )
    },
)

# Voluntary registration (自愿注册, 35号文 (五), Shaanxi 2020 三(二)2): a subject registers
# information of its own with a truthfulness commitment and an authorisation to use it; the
# responsible department of its sector, or the credit office, verifies it (it then enters the
# ledger as self-reported) or rejects it with the reason. The deadline is catalogue data.
VOLUNTARY_REGISTRATION = Workflow(
    code="voluntary_registration",
    name="自愿注册",
    initial="submitted",
    states={
        "submitted": State(
            "submitted",
            "已注册，待核验",
            deadline_param="verification_working_days",
            deadline_label="核验期限",
        ),
        "verified": State("verified", "已核验，纳入信用记录", terminal=True),
        "rejected": State("rejected", "核验未通过", terminal=True),
    },
    transitions={
        t.name: t
        for t in (
            _t("verify", "核验通过", {"submitted"}, "verified", {"department", "office"}),
            _t("reject", "核验不通过", {"submitted"}, "rejected", {"department", "office"}),
        )
    },
)

WORKFLOWS: dict[str, Workflow] = {
    w.code: w
    for w in (LIST_DETERMINATION, OBJECTION, CREDIT_REPAIR, RECTIFICATION, VOLUNTARY_REGISTRATION)
}
