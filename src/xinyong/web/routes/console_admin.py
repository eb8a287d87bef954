"""The console's dashboard, audit trail and administration pages.

- ``/console/dashboard``: the figures of ``GET /api/v1/reports/dashboard`` (the same service
  call, the same department scope, audited as a read of the report with the stated purpose
  ``控制台工作台``), drawn by ``static/console-dashboard.js`` with the vendored ECharts; the
  figures travel in a ``data-`` attribute (no inline script: the CSP and a test forbid it)
  and every chart has its numbers in a table beside it.
- ``/console/audit`` and ``/console/audit/record``: the hash-chained audit log, filtered and
  paged newest first, with the chain verified from the last checkpoint (bounded); each read
  is itself audited. ``POST /console/audit/verify``: the full verification, on request.
- ``/console/departments`` and ``/console/keys``: what ``xinyong department add|list`` and
  ``xinyong key issue|list|revoke`` do, for the office; a new key is shown once.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.catalog.model import LIST_KIND_LABELS
from xinyong.commitments import service as commitments
from xinyong.identity.divisions import default_divisions
from xinyong.identity.redact import redact_identifiers
from xinyong.identity.uscc import check_uscc, normalise_uscc
from xinyong.kernel.clock import CHINA_TZ, beijing_time
from xinyong.kernel.errors import InputError, NotFound
from xinyong.reports import service as reports
from xinyong.reports.rules import DASHBOARD_MONTHS, MAX_DASHBOARD_MONTHS, department_totals
from xinyong.voluntary import service as voluntary
from xinyong.web.deps import PlatformDep, department_scope, require_role
from xinyong.web.routes.console import (
    PAGE,
    ConsoleUser,
    CsrfToken,
    FormText,
    OfficeAdmin,
    _context,
    _no_store,
    _render,
    require_csrf,
)
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)

DASHBOARD_PURPOSE = "控制台工作台"
AUDIT_PURPOSE = "控制台审计查询"
ADMIN_PURPOSE = "控制台部门与密钥管理"
AUDIT_PAGE_SIZE = 50
# The window choices of the dashboard's selector (all within MAX_DASHBOARD_MONTHS).
MONTH_CHOICES = tuple(m for m in (3, 6, 12, 24, 36) if m <= MAX_DASHBOARD_MONTHS)

Text64 = Annotated[str | None, Query(max_length=64)]
Filter = Annotated[str | None, Query(max_length=access.AUDIT_FILTER_MAX_LENGTH)]
# A date as the form sends it: empty when not filled in.
Day = Annotated[str | None, Query(description="北京时间日期 YYYY-MM-DD", max_length=10)]
ClientId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="API 密钥编号")]


async def _readers(session: ConsoleUser) -> ConsoleSession:
    """The office, auditors and department officers: the API's readers of reports."""
    require_role(session.principal, "office", "auditor", "department")
    return session


async def _office_or_auditor(session: ConsoleUser) -> ConsoleSession:
    require_role(session.principal, "office", "auditor")
    return session


Reader = Annotated[ConsoleSession, Depends(_readers)]
OfficeOrAuditor = Annotated[ConsoleSession, Depends(_office_or_auditor)]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# -- dashboard --


@router.api_route("/console/dashboard", methods=PAGE, response_class=HTMLResponse)
def dashboard(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    months: Annotated[int, Query(ge=1, le=MAX_DASHBOARD_MONTHS)] = DASHBOARD_MONTHS,
    department: Text64 = None,
) -> Response:
    """The dashboard: the province (office, auditors; or one department they choose) or the
    officer's own department (asking for another is a 403, as the API answers)."""
    who = session.principal
    scope = department_scope(who, department or None)
    with platform.engine.begin() as conn:
        if scope is not None:
            access.require_department(conn, scope)
        access.audit(
            conn,
            who.actor,
            "read_report",
            f"dashboard:{months}",
            platform.clock.now(),
            DASHBOARD_PURPOSE,
            detail={"department": scope} if scope else None,
        )
        data = reports.dashboard(
            conn,
            platform.sanctions,
            today=platform.clock.today(),
            now=platform.clock.now(),
            months=months,
            department=scope,
        )
        departments = access.departments(conn) if who.role != "department" else []
        # Two contexts beside the report (same layer as reports, so composed here): the
        # commitments' coverage and the voluntary records' share against the target.
        coverage = commitments.statistics(conn, platform.commitment_deps(), department=scope)
        share = voluntary.share_report(
            conn, platform.voluntary_deps(), department=scope, divisions=default_divisions()
        )
    totals = department_totals(data["records"])
    lists = data["lists"]
    context = _context(
        platform,
        session,
        request=request,
        data=data,
        totals=totals,
        coverage=coverage,
        share=share,
        months=months,
        month_choices=sorted({*MONTH_CHOICES, months}),
        chosen=scope,
        departments=departments,
        percent=_percent,
        black_ratio=_percent(lists["black_list_ratio"]),
        purpose=DASHBOARD_PURPOSE,
        kind_labels=LIST_KIND_LABELS,
    )
    return _render(request, "dashboard.html", context)


# -- audit trail --


def _day(value: str | None, field: str, label: str) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{field}: not a date", f"{label}（{field}）须为日期，格式 YYYY-MM-DD"
        ) from None


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=CHINA_TZ)


def _audit_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "at_text": beijing_time(r["at"]),
            # The log keeps what was written; a page shows no ID number in the clear.
            "target_text": redact_identifiers(str(r["target"])),
            "detail_text": redact_identifiers(str(r["detail"])) if r["detail"] != "{}" else "",
        }
        for r in rows
    ]


def _audit_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    template: str,
    *,
    filters: dict[str, Any],
    target: str | None,
    before: int | None,
    full: bool = False,
    **extra: Any,
) -> Response:
    since = _day_start(filters.get("since"))
    to_day = filters.get("until")
    until = _day_start(to_day + dt.timedelta(days=1)) if to_day else None
    with platform.engine.begin() as conn:
        page = access.read_audit_trail(
            conn,
            session.principal.actor,
            platform.clock.now(),
            purpose=AUDIT_PURPOSE,
            actor=filters.get("actor") or None,
            action=filters.get("action") or None,
            target=target,
            since=since,
            until=until,
            before=before,
            limit=AUDIT_PAGE_SIZE,
        )
        actions = access.audit_actions(conn)
        # After the read's own row, so the pass covers it; bounded, from the last checkpoint.
        verification = (
            access.verify_audit_full(conn, session.principal.actor, platform.clock.now())
            if full
            else access.verify_audit_since_checkpoint(
                conn, session.principal.actor, platform.clock.now()
            )
        )
    query = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items() if v}
    next_url = None
    if page.next_before is not None:
        next_url = f"{request.url.path}?{urlencode({**query, 'before': page.next_before})}"
    context = _context(
        platform,
        session,
        request=request,
        rows=_audit_rows(page.rows),
        total=page.total,
        next_url=next_url,
        first_url=f"{request.url.path}?{urlencode(query)}" if before else None,
        filters=filters,
        actions=actions,
        verification=verification,
        broken=verification.broken,
        last_full=_checkpoint_text(verification.last_full),
        kinds=access.RECORD_KINDS,
        **extra,
    )
    return _render(request, template, context)


def _checkpoint_text(cp: dict[str, Any] | None) -> dict[str, Any] | None:
    if cp is None:
        return None
    return {**cp, "at_text": beijing_time(cp["verified_at"])}


@router.post("/console/audit/verify", response_class=HTMLResponse)
def audit_verify_full(
    request: Request, platform: PlatformDep, session: OfficeOrAuditor, csrf: CsrfToken
) -> Response:
    """Recompute the whole audit chain from its first row (``xinyong audit verify`` does the
    same from the command line) and show the newest page with the result."""
    require_csrf(platform, request, csrf)
    filters = {"actor": "", "action": "", "target": "", "since": None, "until": None}
    return _audit_page(
        request,
        platform,
        session,
        "audit.html",
        filters=filters,
        target=None,
        before=None,
        full=True,
    )


@router.api_route("/console/audit", methods=PAGE, response_class=HTMLResponse)
def audit_trail(
    request: Request,
    platform: PlatformDep,
    session: OfficeOrAuditor,
    actor: Filter = None,
    action: Text64 = None,
    target: Filter = None,
    since: Day = None,
    until: Day = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The audit log, newest first, filtered by actor, action, target and days (北京时间)."""
    wanted = (target or "").strip()
    filters = {
        "actor": (actor or "").strip(),
        "action": (action or "").strip(),
        "target": wanted,
        "since": _day(since, "since", "起始日期"),
        "until": _day(until, "until", "截止日期"),
    }
    return _audit_page(
        request,
        platform,
        session,
        "audit.html",
        filters=filters,
        target=wanted or None,
        before=before,
    )


@router.api_route("/console/audit/record", methods=PAGE, response_class=HTMLResponse)
def audit_record(
    request: Request,
    platform: PlatformDep,
    session: OfficeOrAuditor,
    kind: Annotated[str, Query(max_length=32)] = "subject",
    code: Filter = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The audit trail of one record: every row whose target is ``kind:code``. Without a
    code, the form to ask for one."""
    if not code:
        if kind not in access.RECORD_KINDS:
            access.record_target(kind, "-")  # the refusal naming the kinds
        context = _context(
            platform, session, request=request, kinds=access.RECORD_KINDS, kind=kind, code=""
        )
        return _render(request, "audit_record.html", context)
    target = access.record_target(kind, code)
    return _audit_page(
        request,
        platform,
        session,
        "audit_record.html",
        filters={"kind": kind, "code": code.strip()},
        target=target,
        before=before,
        kind=kind,
        code=code.strip(),
        record=target,
    )


# -- departments --


def _departments_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    sectors = platform.catalogue.sectors
    with platform.engine.begin() as conn:
        rows = access.departments(conn)
        access.audit(
            conn,
            session.principal.actor,
            "read_departments",
            "departments",
            platform.clock.now(),
            ADMIN_PURPOSE,
        )
    for r in rows:
        r["sector_label"] = sectors[r["sector"]].name if r["sector"] in sectors else r["sector"]
        r["created_text"] = beijing_time(r["created_at"])
    context = _context(
        platform,
        session,
        request=request,
        departments=rows,
        sectors=sectors,
        code_max=access.DEPARTMENT_CODE_MAX,
        name_max=access.DEPARTMENT_NAME_MAX,
        **extra,
    )
    return _render(request, "departments.html", context, status)


@router.api_route("/console/departments", methods=PAGE, response_class=HTMLResponse)
def departments(request: Request, platform: PlatformDep, session: OfficeAdmin) -> Response:
    """The departments with their active and revoked keys (audited as a read)."""
    return _departments_page(request, platform, session)


@router.post("/console/departments", response_class=HTMLResponse)
def add_department(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    csrf: CsrfToken,
    code: FormText,
    name: FormText,
    sector: Annotated[str, Form(max_length=64)],
    uscc: Annotated[str, Form(max_length=40)] = "",
    issue_key: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Register a department (as ``xinyong department add``), with its system's API key
    when asked (shown once)."""
    require_csrf(platform, request, csrf)
    try:
        code, name = access.check_department_fields(code, name)
        if sector not in platform.catalogue.sectors:
            raise InputError(
                f"unknown sector {sector}", "行业领域（sector）须从目录的行业领域中选择"
            )
        code_uscc = normalise_uscc(uscc) if uscc.strip() else None
        if code_uscc is not None and not check_uscc(code_uscc).valid:
            raise InputError("bad department USCC", "部门统一社会信用代码（uscc）无效")
        actor = session.principal.actor
        with platform.engine.begin() as conn:
            now = platform.clock.now()
            access.add_department(conn, code, name, sector, code_uscc, now, actor=actor)
            key = (
                access.issue_key(conn, f"{name}业务系统", "department", code, now, actor=actor)
                if issue_key
                else None
            )
    except InputError as exc:
        return _departments_page(
            request, platform, session, status=400, error=redact_identifiers(exc.message_zh)
        )
    message = f"已登记部门 {code}（{name}）"
    return _departments_page(
        request,
        platform,
        session,
        message=message,
        shown={"name": f"{name}业务系统", "key": key} if key else None,
    )


# -- API keys --


def _keys_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    with platform.engine.begin() as conn:
        rows = access.keys(conn)
        depts = access.departments(conn)
        access.audit(
            conn,
            session.principal.actor,
            "read_keys",
            "api_clients",
            platform.clock.now(),
            ADMIN_PURPOSE,
        )
    for r in rows:
        r["created_text"] = beijing_time(r["created_at"])
        r["revoked_text"] = beijing_time(r["revoked_at"]) if r["revoked_at"] else ""
    context = _context(
        platform,
        session,
        request=request,
        keys=rows,
        departments=depts,
        roles={r: access.ROLE_LABELS[r] for r in access.KEY_ROLES},
        **extra,
    )
    return _render(request, "keys.html", context, status)


@router.api_route("/console/keys", methods=PAGE, response_class=HTMLResponse)
def keys(request: Request, platform: PlatformDep, session: OfficeAdmin) -> Response:
    """The API clients, never their keys: the prefix only (audited as a read)."""
    return _keys_page(request, platform, session)


@router.post("/console/keys", response_class=HTMLResponse)
def issue_key(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    csrf: CsrfToken,
    name: FormText,
    role: Annotated[str, Form(max_length=32)],
    department: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Issue a key (as ``xinyong key issue``); shown once, only its hash is kept."""
    require_csrf(platform, request, csrf)
    label = name.strip()
    try:
        if not label:
            raise InputError("key name missing", "密钥名称（name）不能为空")
        if role not in access.KEY_ROLES:
            raise InputError(f"unknown role {role}", "角色（role）须为部门业务系统、信用办或审计")
        if role == "department" and not department:
            raise InputError("department missing", "部门业务系统的密钥须选择所属部门（department）")
        with platform.engine.begin() as conn:
            key = access.issue_key(
                conn,
                label,
                role,
                department or None if role == "department" else None,
                platform.clock.now(),
                actor=session.principal.actor,
            )
    except (InputError, NotFound) as exc:
        status = 404 if isinstance(exc, NotFound) else 400
        return _keys_page(
            request, platform, session, status=status, error=redact_identifiers(exc.message_zh)
        )
    return _keys_page(request, platform, session, shown={"name": label, "key": key})


@router.post("/console/keys/{client_id}/revoke", response_class=HTMLResponse)
def revoke_key(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    client_id: ClientId,
    csrf: CsrfToken,
) -> Response:
    """Stop a key (as ``xinyong key revoke``): refused everywhere within the key cache's
    delay; revoking it again is a 409."""
    require_csrf(platform, request, csrf)
    try:
        with platform.engine.begin() as conn:
            access.revoke_key(
                conn, client_id, actor=session.principal.actor, now=platform.clock.now()
            )
    except NotFound as exc:
        return _keys_page(request, platform, session, status=404, error=exc.message_zh)
    except InputError as exc:
        return _keys_page(
            request, platform, session, status=409, error=redact_identifiers(exc.message_zh)
        )
    # This process refuses the key at once; the others within the key cache's delay.
    platform.principal_cache.forget_client(client_id)
    return _no_store(RedirectResponse("/console/keys", status_code=303))
