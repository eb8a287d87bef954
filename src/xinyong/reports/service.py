"""Monthly statistics (feedback on the check and the measures) and typical cases.

The caller owns the transaction. Statistics are read-only; typical case steps are written to
the hash-chained audit log with who took them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.alerts.rules import STATUSES as ALERT_STATUSES
from xinyong.cases import service as cases
from xinyong.cases.model import DUTY, Case, Workflow
from xinyong.cases.rules import WORKFLOWS, act_on
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.identity.ric import check_resident_id
from xinyong.identity.uscc import check_uscc
from xinyong.ingest.quality import IMPORT_FORMATS, quality_report
from xinyong.kernel.calendar import Deadline
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError, NotFound
from xinyong.kernel.parse import clean_text
from xinyong.reports import repository as repo
from xinyong.reports.rules import (
    CATEGORIES,
    CATEGORY_MEASURE_KINDS,
    DASHBOARD_MONTHS,
    EXIT_REASONS,
    STATES,
    SUMMARY_MAX,
    TITLE_MAX,
    CaseStateError,
    Month,
    check_publishable,
    clean_measure_codes,
    coverage,
    months_back,
    next_state,
    parse_category,
    parse_month,
    ratio,
)

NO_DEPARTMENT = "未关联部门（信用办、命令行等）"
UNKNOWN = "（目录中无此项）"
LIST_WORKFLOW = "list_determination"
# List kinds counted in the black-list ratio: the 严重失信 lists and the market bans.
BLACK_KINDS = ("black", "ban")

# -- monthly statistics ---------------------------------------------------------------------


def monthly_statistics(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    *,
    month: str | None,
    today: dt.date,
    now: dt.datetime,
    department: str | None = None,
) -> dict[str, Any]:
    """Checks per checking department, measures returned and their feedback, list activity,
    for one month in China time. ``department`` restricts every section to that department
    (as checking department for checks and measures, as deciding department for lists)."""
    m = parse_month(month, today)
    members_day = m.members_day(today)
    names = repo.department_names(conn)

    dept_rows = sorted(
        repo.checks_by_department(conn, m.start, m.end, department),
        key=lambda row: (row["department_code"] is None, row["department_code"] or ""),
    )
    by_department = [
        {
            "department": row["department_code"],
            "name": names.get(row["department_code"], UNKNOWN)
            if row["department_code"] is not None
            else NO_DEPARTMENT,
            "checks": int(row["checks"]),
            "checks_with_measures": int(row["checks_with_measures"] or 0),
            "subjects": int(row["subjects"]),
        }
        for row in dept_rows
    ]

    by_measure: list[dict[str, Any]] = []
    feedback = repo.feedback_by_measure(conn, m.start, m.end, department)
    for code, returned in sorted(repo.measures_returned(conn, m.start, m.end, department).items()):
        applied, not_applied = feedback.get(code, (0, 0))
        none = returned - applied - not_applied
        try:
            measure = sanctions.measure(code, m.last_day)
        except NotFound:
            # A code no longer (or not yet) in force on the month's last day: name the latest.
            try:
                measure = sanctions.measure(code)
            except NotFound:
                measure = None
        by_measure.append(
            {
                "measure": code,
                "name": measure.name if measure else UNKNOWN,
                "kind": measure.kind if measure else None,
                "implementing_department": measure.implementing_department if measure else "",
                "returned": returned,
                "applied": applied,
                "not_applied": not_applied,
                "no_feedback": none,
                "coverage": coverage(returned, applied + not_applied),
            }
        )

    exits: dict[str, dict[str, int]] = {}
    for row in repo.list_exits(conn, m.first_day, m.last_day, department):
        per = exits.setdefault(row["list_type"], dict.fromkeys(EXIT_REASONS, 0))
        per[str(row["exit_reason"])] = per.get(str(row["exit_reason"]), 0) + int(row["exits"])
    activity = {
        row["list_type"]: row
        for row in repo.list_activity(conn, m.first_day, m.last_day, members_day, department)
    }
    by_list: list[dict[str, Any]] = []
    for code in sorted(set(activity) | set(exits)):
        row = activity.get(code, {})
        listed, members = int(row.get("listed") or 0), int(row.get("members_at_end") or 0)
        out = exits.get(code, dict.fromkeys(EXIT_REASONS, 0))
        if not (listed or members or any(out.values())):
            continue
        try:
            lt = sanctions.list_type(code)
            name, kind = lt.name, lt.kind
        except NotFound:
            name, kind = UNKNOWN, None
        by_list.append(
            {
                "list_type": code,
                "name": name,
                "kind": kind,
                "listed": listed,
                "exits": out,
                "members_at_end": members,
            }
        )

    returned = sum(x["returned"] for x in by_measure)
    answered = sum(x["applied"] + x["not_applied"] for x in by_measure)
    exit_totals = dict.fromkeys(EXIT_REASONS, 0)
    for x in by_list:
        for reason, n in x["exits"].items():
            exit_totals[reason] = exit_totals.get(reason, 0) + n
    return {
        "month": m.label,
        "timezone": "Asia/Shanghai",
        "from": m.start.isoformat(),
        "until": m.end.isoformat(),
        "members_on": members_day.isoformat(),
        "complete": today > m.last_day,
        "department": department,
        "generated_at": now.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
        "departments": by_department,
        "measures": by_measure,
        "list_types": by_list,
        "totals": {
            "checks": sum(x["checks"] for x in by_department),
            "checks_with_measures": sum(x["checks_with_measures"] for x in by_department),
            "subjects": repo.distinct_subjects(conn, m.start, m.end, department),
            "measures_returned": returned,
            "applied": sum(x["applied"] for x in by_measure),
            "not_applied": sum(x["not_applied"] for x in by_measure),
            "no_feedback": sum(x["no_feedback"] for x in by_measure),
            "coverage": coverage(returned, answered),
            "listed": sum(x["listed"] for x in by_list),
            "exits": exit_totals,
            "members_at_end": sum(x["members_at_end"] for x in by_list),
        },
    }


# -- typical cases --------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _shown(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def _organisation(key: str | None) -> str | None:
    """The USCC when ``key`` is an organisation's subject key; persons (``P…``) give None."""
    if key is None or key.startswith("P"):
        return None
    return key


def _subject_uscc(raw: str, today: dt.date) -> str:
    text = raw.strip().upper()
    if len(text) in (15, 18) and text[:15].isdigit():
        person = check_resident_id(text, today=today)
        if not person.errors or {i.code for i in person.errors} <= {"check_digit"}:
            raise InputError(
                "subject is a resident ID number; natural persons are not published",
                "主体（subject）是居民身份证号码：典型案例不公开自然人，只能填写组织的统一社会信用代码",
            )
    check = check_uscc(text)
    if not check.valid:
        reasons = "；".join(i.message_zh for i in check.errors)
        raise InputError(
            f"subject {text!r} is not a valid USCC: "
            + "; ".join(i.message_en for i in check.errors),
            f"主体（subject）“{text}”不是有效的统一社会信用代码：{reasons}",
        )
    return check.code


def add_typical_case(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    *,
    title: str,
    summary: str,
    category: str,
    measures: list[str],
    department_code: str,
    actor: str,
    now: dt.datetime,
    subject: str | None = None,
    receipt: str | None = None,
    case_id: int | None = None,
) -> dict[str, Any]:
    """Record a draft. Text that would disclose a natural person is refused here already, so a
    clear ID number is never stored outside the sealed subject rows."""
    today = now.astimezone(CHINA_TZ).date()
    clean_title = clean_text("title", "标题", title, TITLE_MAX)
    clean_summary = clean_text("summary", "案例摘要", summary, SUMMARY_MAX)
    check_publishable("title", "标题", clean_title, today)
    check_publishable("summary", "案例摘要", clean_summary, today)
    code = parse_category(category)
    codes = clean_measure_codes(measures)
    for measure_code in codes:
        try:
            measure = sanctions.measure(measure_code)
        except NotFound:
            raise InputError(
                f"measures: {measure_code!r} is not a catalogued measure",
                f"相关措施（measures）“{measure_code}”不在措施目录中",
            ) from None
        if measure.kind not in CATEGORY_MEASURE_KINDS[code]:
            raise InputError(
                f"measures: {measure_code} is a {measure.kind} measure, not {code}",
                f"相关措施（measures）“{measure_code} {measure.name}”不是{CATEGORIES[code]}措施，"
                f"与案例类别“{CATEGORIES[code]}”不符",
            )
    access.require_department(conn, department_code)
    uscc = _subject_uscc(subject, today) if subject and subject.strip() else None
    linked: list[str | None] = []
    clean_receipt = receipt.strip() if receipt and receipt.strip() else None
    if clean_receipt is not None:
        key = repo.receipt_subject(conn, clean_receipt)
        if key is None:
            raise NotFound(
                f"receipt: no check receipt {clean_receipt}",
                f"关联核查回执（receipt）“{clean_receipt}”不存在",
            )
        linked.append(_organisation(key))
    if case_id is not None:
        try:
            listed = cases.get(conn, case_id)
        except NotFound:
            raise NotFound(
                f"case_id: no case {case_id}", f"关联名单办件（case_id）“{case_id}”不存在"
            ) from None
        if listed.workflow != LIST_WORKFLOW:
            raise InputError(
                f"case_id: case {case_id} is a {listed.workflow} case, not a list case",
                f"关联办件（case_id）“{case_id}”不是名单认定办件",
            )
        linked.append(_organisation(listed.subject_key))
    for org in linked:
        if org is None:
            continue
        if uscc is None:
            uscc = org
        elif uscc != org:
            raise InputError(
                f"subject {uscc} differs from the linked record's subject {org}",
                f"主体（subject）“{uscc}”与关联核查或办件的主体“{org}”不一致",
            )
    new_id = repo.insert_typical_case(
        conn,
        {
            "title": clean_title,
            "summary": clean_summary,
            "category": code,
            "measures": json.dumps(codes),
            "department_code": department_code,
            "subject_uscc": uscc,
            "receipt": clean_receipt,
            "case_id": case_id,
            "state": "draft",
            "created_by": actor,
            "created_at": _utc(now),
        },
    )
    access.audit(conn, actor, "typical_case.add", f"typical_case:{new_id}", now)
    return get_typical_case(conn, sanctions, new_id)


def _require(conn: Connection, case_id: int) -> dict[str, Any]:
    row = repo.get_typical_case(conn, case_id)
    if row is None:
        raise NotFound(f"no typical case {case_id}", f"典型案例 {case_id} 不存在")
    return row


def publish_typical_case(
    conn: Connection, sanctions: SanctionsCatalogue, case_id: int, *, actor: str, now: dt.datetime
) -> dict[str, Any]:
    row = _require(conn, case_id)
    target = next_state(case_id, row["state"], "publish")
    # Screened again: the rules may have tightened since the draft was written.
    today = now.astimezone(CHINA_TZ).date()
    check_publishable("title", "标题", row["title"], today)
    check_publishable("summary", "案例摘要", row["summary"], today)
    values = {"state": target, "published_by": actor, "published_at": _utc(now)}
    if not repo.set_typical_case_state(conn, case_id, row["state"], values):
        raise _moved(case_id)
    access.audit(conn, actor, "typical_case.publish", f"typical_case:{case_id}", now)
    return get_typical_case(conn, sanctions, case_id)


def withdraw_typical_case(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    case_id: int,
    *,
    actor: str,
    now: dt.datetime,
    reason: str = "",
) -> dict[str, Any]:
    row = _require(conn, case_id)
    target = next_state(case_id, row["state"], "withdraw")
    values = {
        "state": target,
        "withdrawn_by": actor,
        "withdrawn_at": _utc(now),
        "withdraw_reason": reason.strip() or None,
    }
    if not repo.set_typical_case_state(conn, case_id, row["state"], values):
        raise _moved(case_id)
    access.audit(
        conn,
        actor,
        "typical_case.withdraw",
        f"typical_case:{case_id}",
        now,
        detail={"reason": reason.strip()},
    )
    return get_typical_case(conn, sanctions, case_id)


def _moved(case_id: int) -> CaseStateError:
    return CaseStateError(
        f"typical case {case_id} was changed by someone else meanwhile",
        f"典型案例 {case_id} 已被他人同时处理，请刷新后重试",
    )


def _measures_view(sanctions: SanctionsCatalogue, codes: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for code in codes:
        try:
            m = sanctions.measure(code)
            out.append(
                {
                    "measure": code,
                    "name": m.name,
                    "kind": m.kind,
                    "implementing_department": m.implementing_department,
                }
            )
        except NotFound:
            out.append(
                {"measure": code, "name": UNKNOWN, "kind": None, "implementing_department": ""}
            )
    return out


def _public_view(
    row: dict[str, Any], sanctions: SanctionsCatalogue, names: dict[str, str]
) -> dict[str, Any]:
    """What may be shown to anyone: no receipt, case id, actor or person; only a USCC."""
    return {
        "id": int(row["id"]),
        "title": row["title"],
        "summary": row["summary"],
        "category": row["category"],
        "category_name": CATEGORIES.get(row["category"], row["category"]),
        "measures": _measures_view(sanctions, json.loads(row["measures"])),
        "department": {
            "code": row["department_code"],
            "name": names.get(row["department_code"], UNKNOWN),
        },
        "subject": row["subject_uscc"],
        "published_at": _shown(row["published_at"]),
    }


def _internal_view(
    row: dict[str, Any], sanctions: SanctionsCatalogue, names: dict[str, str]
) -> dict[str, Any]:
    return {
        **_public_view(row, sanctions, names),
        "state": row["state"],
        "state_name": STATES.get(row["state"], row["state"]),
        "receipt": row["receipt"],
        "case_id": row["case_id"],
        "created_by": row["created_by"],
        "created_at": _shown(row["created_at"]),
        "published_by": row["published_by"],
        "withdrawn_by": row["withdrawn_by"],
        "withdrawn_at": _shown(row["withdrawn_at"]),
        "withdraw_reason": row["withdraw_reason"],
    }


def get_typical_case(
    conn: Connection, sanctions: SanctionsCatalogue, case_id: int
) -> dict[str, Any]:
    return _internal_view(_require(conn, case_id), sanctions, repo.department_names(conn))


def get_published_typical_case(
    conn: Connection, sanctions: SanctionsCatalogue, case_id: int
) -> dict[str, Any]:
    """A published case in its public view; a draft or withdrawn one is not found."""
    row = repo.get_typical_case(conn, case_id)
    if row is None or row["state"] != "published":
        raise NotFound(f"no published typical case {case_id}", f"典型案例 {case_id} 不存在或未发布")
    return _public_view(row, sanctions, repo.department_names(conn))


def list_typical_cases(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    *,
    internal: bool,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Published cases in their public view; ``internal`` gives every state with its history."""
    names = repo.department_names(conn)
    rows = repo.list_typical_cases(
        conn, states=None if internal else ("published",), limit=limit, offset=offset
    )
    view = _internal_view if internal else _public_view
    return [view(row, sanctions, names) for row in rows]


# -- dashboard ------------------------------------------------------------------------------


def case_statistics(
    conn: Connection, window: list[Month], today: dt.date, department: str | None
) -> list[dict[str, Any]]:
    """Per workflow of the kernel (every case type, with no code of its own here) and month:
    cases opened, cases closed (reached a terminal state), and the steps that left a state
    with a working-day duty deadline, with the share taken by it (timeliness: the date that
    counts for the duty, the earliest a provisional calendar allows, as the overdue scan);
    and the cases overdue today."""
    overdue = Counter(c.workflow for c in cases.overdue(conn, today) if _mine(c, department))
    per_month = [
        (m, repo.cases_opened(conn, m.start, m.end, department), _steps(conn, m, department))
        for m in window
    ]
    out = []
    for code, wf in WORKFLOWS.items():
        terminal = {s for s, st in wf.states.items() if st.terminal}
        months = []
        for m, opened, steps in per_month:
            mine = [r for r in steps if r["workflow"] == code]
            timely = [
                r["at"].astimezone(CHINA_TZ).date() <= due
                for r in mine
                if (due := _duty_deadline(wf, r)) is not None
            ]
            decided, on_time = len(timely), sum(timely)
            months.append(
                {
                    "month": m.label,
                    "opened": opened.get(code, 0),
                    "closed": sum(1 for r in mine if r["to_state"] in terminal),
                    "decided": decided,
                    "decided_on_time": on_time,
                    "on_time_rate": ratio(on_time, decided),
                }
            )
        out.append(
            {"workflow": code, "name": wf.name, "overdue": overdue.get(code, 0), "months": months}
        )
    return out


def _mine(case: Case, department: str | None) -> bool:
    return department is None or case.department_code == department


def _steps(conn: Connection, m: Month, department: str | None) -> list[dict[str, Any]]:
    return repo.case_steps_in(conn, m.start, m.end, department)


def _duty_deadline(wf: Workflow, step: dict[str, Any]) -> dt.date | None:
    """The date by which the state this step left had to be left, if it was the office's or
    a department's duty with a deadline (a subject's window is the subject's time, not a
    measure of the authority's timeliness)."""
    state = wf.states.get(step["from_state"] or "")
    if state is None or state.deadline_kind != DUTY or step["due_on"] is None:
        return None
    return act_on(
        state,
        Deadline(
            step["due_on"],
            bool(step["due_provisional"]),
            step["due_earliest"] or step["due_on"],
            step["due_latest"] or step["due_on"],
        ),
    )


def dashboard(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    *,
    today: dt.date,
    now: dt.datetime,
    months: int = DASHBOARD_MONTHS,
    department: str | None = None,
) -> dict[str, Any]:
    """The figures of the console's dashboard, for the ``months`` months ending with this one
    (China time): records received per department and month with their timeliness and
    rejections, the data quality of each department against the 1‰ target, list sizes today
    and the black-list ratio, checks and measures per month, and the alerts by status.
    ``department`` restricts every section to that department; alerts are the office's and
    are then left out."""
    window = months_back(today, months)
    names = repo.department_names(conn)

    records: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for m in window:
        for row in sorted(
            repo.imports_in(conn, m.start, m.end, IMPORT_FORMATS, department),
            key=lambda r: str(r["department_code"]),
        ):
            rows, late = int(row["rows"] or 0), int(row["late"] or 0)
            accepted = int(row["accepted"] or 0)
            records.append(
                {
                    "month": m.label,
                    "department": row["department_code"],
                    "department_name": names.get(row["department_code"], UNKNOWN),
                    "batches": int(row["batches"]),
                    "rows": rows,
                    "accepted": accepted,
                    "rejected": int(row["rejected"] or 0),
                    "late": late,
                    "on_time_rate": ratio(accepted - late, accepted),
                    "rejection_rate": ratio(int(row["rejected"] or 0), rows),
                }
            )
        per_dept = repo.checks_by_department(conn, m.start, m.end, department)
        returned = repo.measures_returned(conn, m.start, m.end, department)
        feedback = repo.feedback_by_measure(conn, m.start, m.end, department)
        checks.append(
            {
                "month": m.label,
                "checks": sum(int(r["checks"]) for r in per_dept),
                "checks_with_measures": sum(int(r["checks_with_measures"] or 0) for r in per_dept),
                "measures_returned": sum(returned.values()),
                "measures_applied": sum(a for a, _ in feedback.values()),
            }
        )

    quality = quality_report(conn)
    quality_rows = [
        {
            "department": q["department"],
            "department_name": q["department_name"],
            "rows": q["rows"],
            "rejection_rate": ratio(q["rejected_rows"], q["rows"]),
            "conflict_rate_permille": q["conflict_rate_permille"],
            "meets_target": q["meets_target"],
            "late_rate": ratio(q["late"], q["with_deadline"]),
        }
        for q in quality["departments"]
        if department is None or q["department"] == department
    ]

    current = window[-1]
    sizes = []
    for row in repo.list_activity(conn, current.first_day, current.last_day, today, department):
        members = int(row["members_at_end"] or 0)
        if not members:
            continue
        try:
            lt = sanctions.list_type(row["list_type"])
            name, kind = lt.name, lt.kind
        except NotFound:
            name, kind = UNKNOWN, None
        sizes.append(
            {"list_type": row["list_type"], "name": name, "kind": kind, "members": members}
        )
    sizes.sort(key=lambda x: (-x["members"], x["list_type"]))
    organisations = repo.organisation_count(conn)
    black = repo.black_listed_subjects(conn, today, BLACK_KINDS)

    out: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "department": department,
        "months": [m.label for m in window],
        "generated_at": now.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
        "records": records,
        "quality": {"target_permille": quality["target_permille"], "departments": quality_rows},
        "lists": {
            "on": today.isoformat(),
            "types": sizes,
            "black_listed_subjects": black,
            "organisations": organisations,
            "black_list_ratio": ratio(black, organisations) if department is None else None,
        },
        "checks": checks,
    }
    out["cases"] = case_statistics(conn, window, today, department)
    if department is None:
        counts = repo.alerts_by_status(conn)
        out["alerts"] = [
            {"status": code, "name": label, "count": counts.get(code, 0)}
            for code, label in ALERT_STATUSES.items()
        ]
    return out
