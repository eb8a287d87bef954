"""The console's daily work: the check at the counter (逢办必查) with its receipt and feedback,
the office's 易地开张 alerts, and typical cases (典型案例). Pages only; each calls the same
use case as its API twin (``web/routes/checks.py``, ``warnings.py``, ``reports.py``) with the
session's principal, so who may do what is exactly the API's (docs/operations.md, 控制台权限矩阵).

Non-public reads are audited with the purpose the page serves (``PURPOSES``): the page is the
statement of why (a clerk checking at the counter, the office handling its alerts). A resident
ID number typed into the check form is never shown again: the answer carries the masked
number, and a form filled in again after an error leaves such a number out.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.alerts import service as alerts
from xinyong.alerts.rules import STATUSES as ALERT_STATUSES
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.identity.redact import redact_identifiers
from xinyong.identity.resolve import is_organisation_code
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import InputError, XinyongError
from xinyong.portal.rules import Page
from xinyong.reports import service as reports
from xinyong.reports.rules import CATEGORIES, CATEGORY_MEASURE_KINDS
from xinyong.web.deps import PlatformDep, require_role
from xinyong.web.routes.console import (
    PAGE,
    ConsoleUser,
    CsrfToken,
    _context,
    _no_store,
    _render,
    require_csrf,
)
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)

PAGE_MAX = 10_000
# The stated purpose each audited read records (the page's reason to exist).
PURPOSES = {
    "receipt": "控制台查看本部门核查回执",
    "alerts": "控制台预警核查处理",
    "typical_cases": "控制台典型案例管理",
}
INTERNAL_TYPICAL = ("office", "auditor")  # the API's roles that see every state
FEEDBACK_ROLES = ("department", "office")  # the API's DepartmentOrOffice

PageNo = Annotated[int, Query(ge=1, le=PAGE_MAX, description="页码")]
Receipt = Annotated[
    str, PathParam(max_length=64, pattern=r"^[0-9A-Za-z]+$", description="核查回执号")
]
AlertId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="预警号")]
CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="典型案例号")]


def _role(*roles: str) -> Callable[[ConsoleSession], Awaitable[ConsoleSession]]:
    """A session whose API role is one of ``roles`` (403 otherwise), checked before the form
    is read, as the API's role dependencies are."""

    async def dependency(session: ConsoleUser) -> ConsoleSession:
        require_role(session.principal, *roles)
        return session

    dependency.__name__ = f"console_{'_or_'.join(roles)}"
    return dependency


OfficeUser = Annotated[ConsoleSession, Depends(_role("office"))]
AlertReader = Annotated[ConsoleSession, Depends(_role("office", "auditor"))]
FeedbackUser = Annotated[ConsoleSession, Depends(_role(*FEEDBACK_ROLES))]


def _shown_status(exc: XinyongError) -> int:
    # A page's reader sees 400 for anything wrong with what was typed (as web/errors.py).
    return 400 if exc.status == 422 else exc.status


def _message(exc: XinyongError) -> str:
    return redact_identifiers(exc.message_zh)


def _see_other(url: str) -> Response:
    return _no_store(RedirectResponse(url, status_code=303))


# -- 逢办必查 --------------------------------------------------------------------------------


def _by_code(text: str) -> bool:
    """Whether the clerk typed a code (USCC or resident ID number) rather than a name: codes
    are short runs of Latin letters and digits; a name has Chinese characters or spaces."""
    return 0 < len(text) <= 18 and text.isascii() and text.isalnum()


def _refill(text: str) -> str:
    """What the form may show again of what was typed: a valid USCC or a name, never
    anything that may be (a mistyped) resident ID number."""
    if is_organisation_code(text):
        return text.strip().upper()
    if _by_code(text) or sum(c.isdigit() for c in text) >= 6:
        return ""
    return text


def _scenarios(platform: Platform) -> list[dict[str, str]]:
    return [
        {"code": code, "name": sc.name, "description": sc.description}
        for code, sc in platform.sanctions.scenarios.items()
    ]


def _check_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    context = _context(
        platform,
        session,
        request=request,
        scenarios=_scenarios(platform),
        may_feed_back=session.principal.role in FEEDBACK_ROLES,
        **extra,
    )
    return _render(request, "check.html", context, status)


@router.api_route("/console/check", methods=PAGE, response_class=HTMLResponse)
def check_form(request: Request, platform: PlatformDep, session: ConsoleUser) -> Response:
    """The check form: a subject (code or name) and the scenario of the transaction."""
    return _check_page(request, platform, session, subject="", scenario="")


@router.post("/console/check", response_class=HTMLResponse)
def run_check(
    request: Request,
    platform: PlatformDep,
    session: ConsoleUser,
    csrf: CsrfToken,
    subject: Annotated[str, Form(max_length=200)],
    scenario: Annotated[str, Form(max_length=48)],
) -> Response:
    """The same check as ``POST /api/v1/checks`` (by code, or by name when a name is typed),
    receipted to the session's user and department."""
    require_csrf(platform, request, csrf)
    who = session.principal
    text = subject.strip()
    try:
        if not text:
            raise InputError(
                "subject is empty",
                "请填写核查对象：统一社会信用代码、身份证号码或组织名称",
            )
        with platform.engine.begin() as conn:
            common: dict[str, Any] = {
                "scenario": scenario,
                "today": platform.clock.today(),
                "now": platform.clock.now(),
                "actor": who.actor,
                "department_code": who.department_code,
            }
            if _by_code(text):
                answer = checks.check(
                    conn, platform.sanctions, platform.vault, subject=text, **common
                )
            else:
                answer = checks.check_by_name(conn, platform.sanctions, name=text, **common)
    except XinyongError as exc:
        return _check_page(
            request,
            platform,
            session,
            status=_shown_status(exc),
            error=_message(exc),
            subject=_refill(text),
            scenario=scenario if scenario in platform.sanctions.scenarios else "",
        )
    checked_at = answer.get("checked_at")
    return _check_page(
        request,
        platform,
        session,
        answer=dict(answer),
        checked_text=beijing_time(_parse_iso(checked_at)) if checked_at else "",
        subject="",
        scenario=answer["scenario"]["code"],
    )


def _parse_iso(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _receipt_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    receipt: str,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    writer = platform.receipt_writer()
    if writer is not None:
        writer.flush()  # a receipt the API answered moments ago may still be queued
    with platform.engine.begin() as conn:
        view = checks.receipt_view(
            conn,
            platform.sanctions,
            receipt,
            actor=who.actor,
            department_code=who.department_code,
        )
        access.audit(
            conn,
            who.actor,
            "read_receipt",
            f"receipt:{receipt}",
            platform.clock.now(),
            PURPOSES["receipt"],
        )
    context = _context(
        platform,
        session,
        request=request,
        r=view,
        may_feed_back=who.role in FEEDBACK_ROLES,
        **extra,
    )
    return _render(request, "check_receipt.html", context, status)


@router.api_route("/console/check/receipts/{receipt}", methods=PAGE, response_class=HTMLResponse)
def receipt_page(
    request: Request,
    platform: PlatformDep,
    session: ConsoleUser,
    receipt: Receipt,
    saved: Annotated[str | None, Query(max_length=16, pattern=r"^[A-Z0-9]+$")] = None,
) -> Response:
    """A past check of this department (or of this user, for a user without a department):
    its measures and the feedback recorded on them."""
    message = f"已记录措施 {saved} 的实施情况" if saved else None
    return _receipt_page(request, platform, session, receipt, message=message)


@router.post("/console/check/receipts/{receipt}/feedback", response_class=HTMLResponse)
def feedback(
    request: Request,
    platform: PlatformDep,
    session: FeedbackUser,
    receipt: Receipt,
    csrf: CsrfToken,
    measure: Annotated[str, Form(max_length=16)],
    applied: Annotated[str, Form(max_length=8)],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The same feedback as ``POST /api/v1/checks/{receipt}/feedback``: only the department
    that made the check; not applying a measure needs a reason."""
    require_csrf(platform, request, csrf)
    who = session.principal
    writer = platform.receipt_writer()
    if writer is not None:
        writer.flush()
    try:
        if applied not in ("yes", "no"):
            raise InputError(
                "applied must be yes or no", "请选择实施情况：已实施或未实施（applied）"
            )
        with platform.engine.begin() as conn:
            checks.feedback(
                conn,
                receipt=receipt,
                measure=measure,
                applied=applied == "yes",
                reason=reason,
                actor=who.actor,
                department_code=who.department_code,
                role=who.role,
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        if exc.status in (403, 404):
            raise
        return _receipt_page(
            request, platform, session, receipt, status=_shown_status(exc), error=_message(exc)
        )
    return _see_other(f"/console/check/receipts/{receipt}?saved={measure}")


# -- 易地开张预警 ------------------------------------------------------------------------------


@router.api_route("/console/alerts", methods=PAGE, response_class=HTMLResponse)
def alerts_page(
    request: Request,
    platform: PlatformDep,
    session: AlertReader,
    status: Annotated[str, Query(max_length=16)] = "open",
    page: PageNo = 1,
) -> Response:
    """The alerts, newest first, by status (the office and auditors, as the API)."""
    who = session.principal
    size = platform.settings.portal_page_size
    error = None
    code = 200
    found: dict[str, Any] = {"total": 0, "alerts": []}
    try:
        with platform.engine.begin() as conn:
            access.audit(
                conn, who.actor, "read_alerts", "alerts", platform.clock.now(), PURPOSES["alerts"]
            )
            found = alerts.list_alerts(
                conn,
                status=None if status == "all" else status,
                limit=size,
                offset=(page - 1) * size,
            )
    except XinyongError as exc:
        error, code = _message(exc), _shown_status(exc)
    for a in found["alerts"]:
        a["created_text"] = beijing_time(_parse_iso(a["created_at"])) if a["created_at"] else ""
    pg = Page(page, size, found["total"]).as_dict()
    context = _context(
        platform,
        session,
        request=request,
        alerts=found["alerts"],
        pg=pg,
        status=status if status in ALERT_STATUSES or status == "all" else "open",
        statuses=ALERT_STATUSES,
        query=f"status={status}" if status in ALERT_STATUSES or status == "all" else "",
        error=error,
    )
    return _render(request, "alerts.html", context, code)


def _alert_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    alert_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    with platform.engine.begin() as conn:
        found = alerts.view(alerts.get(conn, alert_id))
        access.audit(
            conn,
            who.actor,
            "read_alert",
            f"alert:{alert_id}",
            platform.clock.now(),
            PURPOSES["alerts"],
        )
    for key in ("created_at", "handled_at"):
        found[f"{key}_text"] = beijing_time(_parse_iso(found[key])) if found[key] else ""
    recorded = (found["detail"].get("relation") or {}).get("recorded_at")
    found["relation_recorded_text"] = beijing_time(_parse_iso(recorded)) if recorded else ""
    context = _context(
        platform,
        session,
        request=request,
        a=found,
        may_handle=who.role == "office",
        **extra,
    )
    return _render(request, "alert.html", context, status)


@router.api_route("/console/alerts/{alert_id}", methods=PAGE, response_class=HTMLResponse)
def alert_page(
    request: Request, platform: PlatformDep, session: AlertReader, alert_id: AlertId
) -> Response:
    return _alert_page(request, platform, session, alert_id)


def _handle_alert(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    alert_id: int,
    action: str,
    note: str,
    csrf: str,
) -> Response:
    require_csrf(platform, request, csrf)
    who = session.principal
    try:
        with platform.engine.begin() as conn:
            alerts.handle(
                conn, alert_id, action, actor=who.actor, note=note, now=platform.clock.now()
            )
    except XinyongError as exc:
        if exc.status == 404:
            raise
        return _alert_page(
            request, platform, session, alert_id, status=_shown_status(exc), error=_message(exc)
        )
    return _see_other(f"/console/alerts/{alert_id}")


Note = Annotated[str, Form(max_length=2000)]


@router.post("/console/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge_alert(
    request: Request,
    platform: PlatformDep,
    session: OfficeUser,
    alert_id: AlertId,
    csrf: CsrfToken,
    note: Note = "",
) -> Response:
    """确认预警 (the office only), as ``POST /api/v1/alerts/{id}/acknowledge``."""
    return _handle_alert(request, platform, session, alert_id, "acknowledge", note, csrf)


@router.post("/console/alerts/{alert_id}/dismiss", response_class=HTMLResponse)
def dismiss_alert(
    request: Request,
    platform: PlatformDep,
    session: OfficeUser,
    alert_id: AlertId,
    csrf: CsrfToken,
    note: Note = "",
) -> Response:
    """排除预警 (the office only, with the reason), as ``POST /api/v1/alerts/{id}/dismiss``."""
    return _handle_alert(request, platform, session, alert_id, "dismiss", note, csrf)


# -- 典型案例 --------------------------------------------------------------------------------


# After a step the office is sent back to the list (a reload repeats nothing), told what it did.
DONE_MESSAGES = {
    "drafted": "已登记典型案例 {}（草稿）",
    "published": "典型案例 {} 已发布",
    "withdrawn": "典型案例 {} 已撤回",
}
DONE_PATTERN = r"^(drafted|published|withdrawn)-[0-9]{1,19}$"


def _measure_choices(platform: Platform) -> list[dict[str, Any]]:
    """The catalogue's measures grouped by the typical case category they may be cited under."""
    sanctions = platform.sanctions
    out = []
    for code, label in CATEGORIES.items():
        kinds = CATEGORY_MEASURE_KINDS[code]
        measures = [
            {"code": m.code, "name": m.name}
            for m in sorted(sanctions.measures(), key=lambda m: m.code)
            if m.kind in kinds
        ]
        out.append({"category": code, "label": label, "measures": measures})
    return out


def _typical_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    page: int = 1,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    internal = who.role in INTERNAL_TYPICAL
    size = platform.settings.portal_page_size
    with platform.engine.begin() as conn:
        if internal:
            access.audit(
                conn,
                who.actor,
                "read_typical_cases",
                "typical-cases",
                platform.clock.now(),
                PURPOSES["typical_cases"],
            )
        items = reports.list_typical_cases(
            conn, platform.sanctions, internal=internal, limit=size + 1, offset=(page - 1) * size
        )
        departments = access.departments(conn) if who.role == "office" else []
    context = _context(
        platform,
        session,
        request=request,
        items=items[:size],
        page=page,
        has_next=len(items) > size,
        internal=internal,
        may_edit=who.role == "office",
        departments=departments,
        categories=CATEGORIES,
        choices=_measure_choices(platform) if who.role == "office" else [],
        form=extra.pop("form", {}),
        **extra,
    )
    return _render(request, "typical_cases.html", context, status)


@router.api_route("/console/typical-cases", methods=PAGE, response_class=HTMLResponse)
def typical_cases_page(
    request: Request,
    platform: PlatformDep,
    session: ConsoleUser,
    page: PageNo = 1,
    done: Annotated[str | None, Query(max_length=40, pattern=DONE_PATTERN)] = None,
) -> Response:
    """Typical cases: every state with its history for the office and auditors (audited),
    the published ones for others (as ``GET /api/v1/typical-cases``). ``done`` names the step
    the office just took (the page a step redirects to)."""
    message = None
    if done:
        step, case_id = done.split("-", 1)
        message = DONE_MESSAGES[step].format(case_id)
    return _typical_page(request, platform, session, page, message=message)


@router.post("/console/typical-cases", response_class=HTMLResponse)
def add_typical_case(
    request: Request,
    platform: PlatformDep,
    session: OfficeUser,
    csrf: CsrfToken,
    title: Annotated[str, Form(max_length=200)],
    summary: Annotated[str, Form(max_length=5000)],
    category: Annotated[str, Form(max_length=16)],
    department: Annotated[str, Form(max_length=64)],
    measures: Annotated[list[str] | None, Form(max_length=50)] = None,
    subject: Annotated[str, Form(max_length=32)] = "",
    receipt: Annotated[str, Form(max_length=32)] = "",
    case_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A draft, as ``POST /api/v1/typical-cases`` (the office only)."""
    require_csrf(platform, request, csrf)
    who = session.principal
    codes = [m.strip() for m in measures or [] if m.strip()]
    form = {
        "title": title,
        "summary": summary,
        "category": category,
        "department": department,
        "measures": codes,
        "subject": subject,
        "receipt": receipt,
        "case_id": case_id,
    }
    try:
        if any(len(c) > 32 for c in codes):
            raise InputError("measure code too long", "相关措施（measures）代码过长")
        linked = None
        if case_id.strip():
            if not case_id.strip().isdigit() or not 1 <= int(case_id) <= MAX_ID:
                raise InputError(
                    "case_id is not a case number", "关联名单办件（case_id）应为办件号（正整数）"
                )
            linked = int(case_id)
        with platform.engine.begin() as conn:
            created = reports.add_typical_case(
                conn,
                platform.sanctions,
                title=title,
                summary=summary,
                category=category,
                measures=codes,
                department_code=department,
                actor=who.actor,
                now=platform.clock.now(),
                subject=subject or None,
                receipt=receipt or None,
                case_id=linked,
            )
    except XinyongError as exc:
        # What was typed is shown again so it can be corrected, but text the service refused
        # for an ID number it contains is masked first.
        form = {k: redact_identifiers(v) if isinstance(v, str) else v for k, v in form.items()}
        return _typical_page(
            request,
            platform,
            session,
            status=_shown_status(exc),
            error=_message(exc),
            form=form,
        )
    return _see_other(f"/console/typical-cases?done=drafted-{created['id']}")


def _typical_step(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    case_id: int,
    csrf: str,
    step: str,
    reason: str = "",
) -> Response:
    require_csrf(platform, request, csrf)
    who = session.principal
    try:
        with platform.engine.begin() as conn:
            if step == "publish":
                reports.publish_typical_case(
                    conn, platform.sanctions, case_id, actor=who.actor, now=platform.clock.now()
                )
            else:
                reports.withdraw_typical_case(
                    conn,
                    platform.sanctions,
                    case_id,
                    actor=who.actor,
                    now=platform.clock.now(),
                    reason=reason,
                )
    except XinyongError as exc:
        if exc.status == 404:
            raise
        return _typical_page(
            request, platform, session, status=_shown_status(exc), error=_message(exc)
        )
    done = "published" if step == "publish" else "withdrawn"
    return _see_other(f"/console/typical-cases?done={done}-{case_id}")


@router.post("/console/typical-cases/{case_id}/publish", response_class=HTMLResponse)
def publish_typical_case(
    request: Request, platform: PlatformDep, session: OfficeUser, case_id: CaseId, csrf: CsrfToken
) -> Response:
    return _typical_step(request, platform, session, case_id, csrf, "publish")


@router.post("/console/typical-cases/{case_id}/withdraw", response_class=HTMLResponse)
def withdraw_typical_case(
    request: Request,
    platform: PlatformDep,
    session: OfficeUser,
    case_id: CaseId,
    csrf: CsrfToken,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    return _typical_step(request, platform, session, case_id, csrf, "withdraw", reason)
