"""Pure rules of rectification: the checks of an order, an interview and its record.

Nothing here reads the database: the service passes in what it found. Every refusal names the
field, the value where it is not personal, and why (Chinese for people, English for logs).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xinyong.kernel.errors import InputError

MAX_OBLIGATION = 2000
MAX_MINUTES = 4000
MAX_NOTE = 2000
MAX_PLACE = 200
MAX_NAME = 50
MAX_ROLE = 50
MAX_ATTENDEES = 30
MAX_ACTIONS = 30
MAX_ACTION = 500
# Whose side an attendee is on: the subject's representatives, or the department's officers.
SIDES = {"subject": "被约谈主体", "department": "约谈部门"}
OUTCOMES = {"rectified": "确认整改到位", "failed": "认定整改不到位"}
# A run of digits as long as an ID number's, anywhere in a name or role: an attendee is named,
# never identified by number in clear (35号文 asks for the record, not the person's ID).
_ID_LIKE = re.compile(r"\d{6,}|[0-9]{17}[0-9Xx]")


@dataclass(frozen=True, slots=True)
class Attendee:
    side: str
    role: str
    name: str

    def as_json(self) -> dict[str, str]:
        return {
            "side": self.side,
            "side_label": SIDES[self.side],
            "role": self.role,
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Action:
    action: str
    due: dt.date

    def as_json(self) -> dict[str, str]:
        return {"action": self.action, "due": self.due.isoformat()}


def check_text(field: str, label: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise InputError(f"{field} is empty", f"{field}（{label}）不能为空")
    if len(value) > limit:
        raise InputError(
            f"{field} longer than {limit}",
            f"{field}（{label}）不能超过{limit}字（收到{len(value)}字）",
        )
    return value


def rectification_deadline(
    deadline: dt.date | None, today: dt.date, default_days: int, max_days: int
) -> dt.date:
    """The date the subject must have rectified by: the one the department names, or the
    catalogue's default period from today; after today and within the longest period."""
    if deadline is None:
        return today + dt.timedelta(days=default_days)
    if deadline <= today:
        raise InputError(
            f"deadline {deadline} is not after today {today}",
            f"deadline（整改期限）{deadline.isoformat()} 应晚于今天 {today.isoformat()}",
        )
    if deadline > today + dt.timedelta(days=max_days):
        raise InputError(
            f"deadline {deadline} beyond {max_days} days",
            f"deadline（整改期限）{deadline.isoformat()} 超过最长整改期限{max_days}日"
            f"（至 {(today + dt.timedelta(days=max_days)).isoformat()}）",
        )
    return deadline


def interview_date(scheduled_on: dt.date, earliest: dt.date, notice_days: int, label: str) -> None:
    """The interview may not be sooner than the notice the subject is owed."""
    if scheduled_on < earliest:
        raise InputError(
            f"interview date {scheduled_on} before {earliest} ({notice_days} working days notice)",
            f"date（约谈日期）{scheduled_on.isoformat()} 过早：{label}应至少提前{notice_days}个"
            f"工作日通知被约谈主体，最早可安排在 {earliest.isoformat()}",
        )


def _no_id_number(field: str, label: str, value: str) -> None:
    if _ID_LIKE.search(value):
        # The value is not echoed: it may be a resident ID number.
        raise InputError(
            f"{field} contains an ID-like number",
            f"{field}（{label}）含有疑似身份证件号码的数字：参加人员只记录职务和姓名，"
            "不得录入证件号码",
        )


def attendees(rows: Sequence[Mapping[str, object]]) -> tuple[Attendee, ...]:
    """The attendees of an interview: at least one of the subject's representatives, each
    with a role and a name, none with an ID number."""
    if len(rows) > MAX_ATTENDEES:
        raise InputError("too many attendees", f"attendees（参加人员）不能超过{MAX_ATTENDEES}人")
    out = []
    for i, row in enumerate(rows, start=1):
        side = str(row.get("side") or "subject")
        if side not in SIDES:
            options = "、".join(f"{k}（{v}）" for k, v in SIDES.items())
            raise InputError(
                f"attendee {i}: side {side!r}",
                f"attendees 第{i}人的 side（所属方）“{side}”无效，可选：{options}",
            )
        role = check_text(
            f"attendees[{i}].role", "职务", str(row.get("role") or ""), MAX_ROLE, required=True
        )
        name = check_text(
            f"attendees[{i}].name", "姓名", str(row.get("name") or ""), MAX_NAME, required=True
        )
        _no_id_number(f"attendees[{i}].role", "职务", role)
        _no_id_number(f"attendees[{i}].name", "姓名", name)
        out.append(Attendee(side, role, name))
    if not any(a.side == "subject" for a in out):
        raise InputError(
            "no representative of the subject attended",
            "attendees（参加人员）：须至少列出一名被约谈主体的代表（职务和姓名）",
        )
    return tuple(out)


def actions(rows: Sequence[Mapping[str, object]], held_on: dt.date) -> tuple[Action, ...]:
    """The actions agreed at the interview, each with the date it is due (not before the
    interview)."""
    if not rows:
        raise InputError(
            "no agreed action", "actions（议定整改措施）：须至少列出一项整改措施及完成日期"
        )
    if len(rows) > MAX_ACTIONS:
        raise InputError("too many actions", f"actions（议定整改措施）不能超过{MAX_ACTIONS}项")
    out = []
    for i, row in enumerate(rows, start=1):
        text = check_text(
            f"actions[{i}].action",
            "整改措施",
            str(row.get("action") or ""),
            MAX_ACTION,
            required=True,
        )
        raw = row.get("due")
        try:
            due = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        except ValueError:
            raise InputError(
                f"actions[{i}].due {raw!r} is not a date",
                f"actions 第{i}项的 due（完成日期）“{raw}”应为日期 YYYY-MM-DD",
            ) from None
        if due < held_on:
            raise InputError(
                f"actions[{i}].due {due} before the interview {held_on}",
                f"actions 第{i}项的 due（完成日期）{due.isoformat()} 早于约谈日期"
                f" {held_on.isoformat()}",
            )
        out.append(Action(text, due))
    return tuple(out)


def held_date(held_on: dt.date, scheduled_on: dt.date, today: dt.date) -> None:
    if held_on > today:
        raise InputError(
            f"held_on {held_on} is in the future",
            f"held_on（约谈日期）{held_on.isoformat()} 晚于今天，约谈举行后才能记录",
        )
    if held_on < scheduled_on:
        raise InputError(
            f"held_on {held_on} before the scheduled date {scheduled_on}",
            f"held_on（约谈日期）{held_on.isoformat()} 早于安排的约谈日期"
            f" {scheduled_on.isoformat()}",
        )


def deadline_after_interview(deadline: dt.date, agreed: Sequence[Action]) -> dt.date:
    """The case stays open until the rectification deadline or the last agreed action,
    whichever is later."""
    return max([deadline, *(a.due for a in agreed)])


def attendee_text(rows: Sequence[Attendee]) -> str:
    return "；".join(f"{SIDES[a.side]} {a.role} {a.name}" for a in rows)


def action_text(rows: Sequence[Action]) -> str:
    return "；".join(f"{a.action}（{a.due.isoformat()}前）" for a in rows)
