"""Pure rules of notifications: who may read which events, who is told of a case event and in
what words, and the bounds of the feed's parameters.

Who reads the feed (``GET /api/v1/events``):

- the credit office and auditors: every event;
- a department's key: the events about what the department may read, namely
  (1) its own cases (the event names a case the department handles, or the department
  itself, as ``batch.imported`` and every case event do), (2) the records it provided (the
  event names a ledger entry the department provided) and (3) the subjects of its cases (the
  event is about a subject the department has a case on, whatever the event: the department
  acts on that subject and must know, e.g., that a listing of it ended). Anything else is left
  out, not refused: the feed is the same query for everyone, narrowed.

Who is told (in-app messages, from case events):

- the subject (by its USCC; a natural person has no account, so no message) of every step of
  its own cases, with the new deadline, marked 按暂定日历计算 on a provisional calendar;
- the department a new case is routed to (the case's ``open``), and the department and the
  office when a case passes its deadline (``case.overdue``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xinyong.kernel.errors import InputError

SUBJECT = "subject"
DEPARTMENT = "department"
OFFICE = "office"
RECIPIENT_KINDS = {SUBJECT: "市场主体", DEPARTMENT: "部门", OFFICE: "信用办"}
OFFICE_RECIPIENT = "office"

FEED_DEFAULT_LIMIT = 100
FEED_MAX_LIMIT = 500
PROVISIONAL_NOTE = "（按暂定日历计算）"


@dataclass(frozen=True, slots=True)
class Note:
    """One message to write: to whom, and what it says."""

    recipient_kind: str
    recipient: str
    body: str


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a message says of a case: its number, type, current state and deadline."""

    case_id: int
    workflow_name: str
    state_label: str
    due: Mapping[str, Any] | None
    period: str  # the deadline's Chinese name, e.g. 陈述申辩期

    def deadline(self) -> str:
        return due_text(self.due, self.period)


def feed_bounds(after: int, limit: int) -> None:
    """Refuse a position or page size the feed cannot serve, naming the value."""
    if after < 0:
        raise InputError(
            f"after must be >= 0, got {after}",
            f"after（起始事件号）须为不小于 0 的整数，收到 {after}",
        )
    if not 1 <= limit <= FEED_MAX_LIMIT:
        raise InputError(
            f"limit must be between 1 and {FEED_MAX_LIMIT}, got {limit}",
            f"limit（每页条数）须在 1 至 {FEED_MAX_LIMIT} 之间，收到 {limit}",
        )


def is_organisation_key(subject_key: str) -> bool:
    """Persons' keys are keyed hashes starting with P; an organisation's key is its USCC."""
    return not subject_key.startswith("P")


def due_text(due: Mapping[str, Any] | None, period: str) -> str:
    """「陈述申辩期至 2027-01-08（按暂定日历计算）」, or "" without a deadline."""
    if not due:
        return ""
    note = PROVISIONAL_NOTE if due.get("provisional") else ""
    return f"{period}至 {due['date']}{note}"


def subject_step(facts: CaseFacts, step_label: str) -> str:
    text = (
        f"您的{facts.workflow_name}办件（编号 {facts.case_id}）：{step_label}，"
        f"当前环节“{facts.state_label}”。"
    )
    deadline = facts.deadline()
    return text + (f"{deadline}。" if deadline else "")


def department_new_case(facts: CaseFacts, subject_shown: str) -> str:
    text = (
        f"新办件：{facts.workflow_name}（编号 {facts.case_id}），主体 {subject_shown}，"
        f"当前环节“{facts.state_label}”。"
    )
    deadline = facts.deadline()
    return text + (f"{deadline}。" if deadline else "")


def overdue_text(facts: CaseFacts, subject_shown: str) -> str:
    deadline = facts.deadline()
    return (
        f"办件超期：{facts.workflow_name}（编号 {facts.case_id}），主体 {subject_shown}，"
        f"环节“{facts.state_label}”" + (f"的{deadline}，已届满未办结。" if deadline else "已超期。")
    )
