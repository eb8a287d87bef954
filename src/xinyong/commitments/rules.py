"""The pure rules of credit commitments: who may sign what, the steps of fulfilment, when a
容缺 promise is missed, and how the 复核 draw is made (no I/O)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xinyong.catalog.commitments import (
    CommitmentCatalogue,
    LicensingItem,
    Template,
)
from xinyong.catalog.model import in_force
from xinyong.identity.ric import check_resident_id, mask_person_name, mask_resident_id

SIGNED = "signed"
FULFILLED = "fulfilled"
BREACHED = "breached"
FALSE = "false"
REPAIRED = "repaired"
STATUS_LABELS = {
    SIGNED: "履约中",
    FULFILLED: "已履约",
    BREACHED: "未履约",
    FALSE: "虚假承诺",
    REPAIRED: "未履约（已信用修复）",
}
STEP_LABELS = {
    "sign": "签署承诺",
    "deliver": "提交容缺材料",
    "verify": "核查",
    "breach": "认定未履约",
    "overdue": "逾期未补齐材料",
    "repair": "信用修复",
}
CHANNEL_LABELS = {"portal": "网站自助签署", "api": "业务系统报送", "cli": "命令行", "demo": "演示"}
# XYCN 履约状态 (code table commitment_status) a commitment's status writes.
LEDGER_STATUS = {SIGNED: "1", FULFILLED: "2"}


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    en: str
    zh: str


def sign_refusals(
    cat: CommitmentCatalogue,
    template: Template,
    day: dt.date,
    *,
    commitment_allowed: bool,
    blocked_by: Sequence[dict[str, Any]],
) -> list[Refusal]:
    """Every reason ``template`` may not be signed on ``day`` (empty: it may): out of force,
    no legal basis, an item not open to commitment (国办发〔2020〕42号 exclusions), or — for
    告知承诺 / 容缺受理 — a subject the check bars (its commitment_blocked_by)."""
    out: list[Refusal] = []
    if not in_force(template, day):
        out.append(Refusal("NOT_IN_FORCE", "template not in force", "该承诺书模板当日不在有效期内"))
    if not template.legal_basis:
        out.append(
            Refusal("NO_BASIS", "template has no legal basis", "该承诺书模板没有法律依据，不予签署")
        )
    item: LicensingItem | None = cat.item(template.item) if template.item else None
    if item is not None and not item.open:
        why = cat.exclusion(item.exclusion).name if item.exclusion else ""
        out.append(
            Refusal(
                "ITEM_CLOSED",
                f"item {item.code} is not open to commitment",
                f"事项“{item.name}”不在告知承诺事项清单内（{why}，国办发〔2020〕42号），不适用告知承诺",
            )
        )
    elif item is not None and not in_force(item, day):
        out.append(
            Refusal(
                "ITEM_NOT_IN_FORCE", "item not in force", f"事项“{item.name}”当日不在清单有效期内"
            )
        )
    if cat.type(template.type).telling and not commitment_allowed:
        reasons = "；".join(str(b.get("reason", "")) for b in blocked_by)
        out.append(
            Refusal(
                "SUBJECT_BARRED",
                "subject barred from 告知承诺",
                f"该主体不适用告知承诺制、容缺受理：{reasons}",
            )
        )
    return out


def next_status(
    status: str,
    step: str,
    fulfilment: str,
    *,
    result: bool | None = None,
    complete: bool = False,
    repairable: bool = True,
) -> str:
    """The status after ``step``; raises ValueError (English, Chinese) when not allowed."""
    allowed: dict[tuple[str, str], str] = {
        (SIGNED, "deliver"): FULFILLED if complete else SIGNED,
        (SIGNED, "verify"): FULFILLED if result else FALSE,
        (SIGNED, "breach"): BREACHED,
        (SIGNED, "overdue"): BREACHED,
        (BREACHED, "repair"): REPAIRED,
    }
    if step == "deliver" and fulfilment != "materials":
        raise ValueError("only a 容缺 commitment takes materials", "只有容缺受理承诺需要补交材料")
    if step == "verify" and fulfilment != "verification":
        raise ValueError("only a 告知承诺 commitment is verified", "只有告知承诺需要核查")
    if step == "repair" and status == FALSE:
        raise ValueError("a false commitment is not repairable early", "虚假承诺")
    if step == "repair" and not repairable:
        raise ValueError("not repairable", "不可修复")
    key = (status, step)
    if key not in allowed:
        raise ValueError(
            f"step {step} not allowed from {status}",
            f"承诺当前为“{STATUS_LABELS.get(status, status)}”，不能“{STEP_LABELS.get(step, step)}”",
        )
    return allowed[key]


def is_overdue(status: str, fulfilment: str, due_latest: dt.date | None, today: dt.date) -> bool:
    """A 容缺 promise is missed once its latest possible deadline has passed (a provisional
    deadline is not held against the subject before its latest bound)."""
    return (
        status == SIGNED
        and fulfilment == "materials"
        and due_latest is not None
        and today > due_latest
    )


def past_due(status: str, due_date: dt.date | None, today: dt.date) -> bool:
    """An open commitment whose promised date has passed: the console flags it (the breach
    itself waits for the latest bound of a provisional deadline, ``is_overdue``)."""
    return status == SIGNED and due_date is not None and today > due_date


STAFF_STEPS = ("deliver", "verify", "breach", "repair")


def open_steps(status: str, fulfilment: str) -> list[str]:
    """The steps the accepting department may take on a commitment in ``status`` (the same
    table ``next_status`` applies)."""
    out = []
    for name in STAFF_STEPS:
        try:
            next_status(status, name, fulfilment, result=True)
        except ValueError:
            continue
        out.append(name)
    return out


def missing(promised: Sequence[str], delivered: Sequence[str]) -> list[str]:
    return [m for m in promised if m not in delivered]


def public_on_column(disclosure: str) -> bool:
    """Whether the 信用承诺专栏 shows a commitment of this disclosure level."""
    return disclosure == "社会公开"


# -- integrity education (诚信教育) -------------------------------------------------------------
# Free of charge and never a condition of market entry (国办发〔2016〕33号 / 35号文 (二)): a
# session carries no fee, and nothing here is asked for at registration or licensing; it is
# read only where a repair regime makes it a step of repair (Shaanxi 2018 (十六)).

TRAINING_TEXT_MAX = 200
REPRESENTATIVE_NAME_MAX = 20
CERTIFICATE_MAX = 40
CERTIFICATE_PREFIX = "PX"


def training_problems(title: str, place: str) -> list[str]:
    """What is wrong with a session's fields (Chinese, field named; empty: nothing)."""
    out = []
    for field, label, value in (("title", "培训名称", title), ("place", "培训地点", place)):
        if not value.strip():
            out.append(f"{field}（{label}）不能为空")
        elif len(value.strip()) > TRAINING_TEXT_MAX:
            out.append(f"{field}（{label}）不得超过 {TRAINING_TEXT_MAX} 个字符")
    return out


def attendance_refusal(held_on: dt.date, today: dt.date) -> str | None:
    """Attendance is recorded once the session has been held (on its day or later)."""
    if held_on > today:
        return f"培训定于 {held_on.isoformat()} 举办，尚未举办，不能登记参训"
    return None


def certificate_refusal(held_on: dt.date, today: dt.date, issued: str | None) -> str | None:
    """A certificate is issued once, for an attendee, on or after the session's day."""
    if held_on > today:
        return f"培训定于 {held_on.isoformat()} 举办，尚未举办，不能发放证书"
    if issued:
        return f"该主体本次培训已取得证书 {issued}，不能重复发放"
    return None


def certificate_number(held_on: dt.date, department_code: str, attendance_id: int) -> str:
    """``PX{year}{DEPARTMENT}{attendance id, 6 digits}``: deterministic and unique (the
    attendance id is), readable (year and issuing department); at most 40 characters."""
    room = CERTIFICATE_MAX - len(CERTIFICATE_PREFIX) - 4 - max(6, len(str(attendance_id)))
    dept = "".join(ch for ch in department_code.upper() if ch.isalnum())[:room]
    return f"{CERTIFICATE_PREFIX}{held_on.year:04d}{dept}{attendance_id:06d}"


def masked_representative(name: str, id_number: str, today: dt.date) -> tuple[str, str | None]:
    """The legal representative as stored: the masked name and, when given, the masked ID
    number (never either in clear); or a problem (Chinese, the value never echoed)."""
    name = name.strip()
    if not name:
        return "", "representative（法定代表人姓名）不能为空"
    if len(name) > REPRESENTATIVE_NAME_MAX:
        return "", f"representative（法定代表人姓名）不得超过 {REPRESENTATIVE_NAME_MAX} 个字符"
    masked = mask_person_name(name)
    number = id_number.strip()
    if number:
        check = check_resident_id(number, today=today)
        if not check.valid:
            return (
                "",
                f"representative_id（法定代表人身份证号码）无效：{check.errors[0].message_zh}",
            )
        masked += " " + mask_resident_id(check.number)
    return masked, None
