"""The console's credit evaluation page (``/console/evaluation``).

- The models in force the reader's role may see (the API's rule: department officers the
  社会公开 and 政务共享 models, the office and auditors every level, internal included).
- The runs: state, mode, progress done/total, duration; the page refreshes itself while one
  is running. The office starts a run (incremental or full) in the background, as import
  jobs run (``Platform.start_evaluation``); auditors and departments read only.
- The grade distribution per model (vendored ECharts, ``static/console-evaluation.js``; the
  numbers in a table beside the chart).
- A subject's explanation: its results at the reader's levels, each indicator's records as
  the reader's internal file shows them (a department officer: its scope), the read audited
  with the stated purpose (``read_evaluation``, and the file's ``read_file``).
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.creditfile.service import read_credit_file
from xinyong.evaluation import service as evaluation
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import Conflict, XinyongError
from xinyong.portal import rules as portal_rules
from xinyong.web.deps import PlatformDep, require_role
from xinyong.web.evaluation_labels import labelled_models, not_scored
from xinyong.web.routes.console import (
    PAGE,
    ConsoleUser,
    CsrfToken,
    OfficeAdmin,
    _context,
    _render,
    require_csrf,
)

router = APIRouter(include_in_schema=False)

PATH = "/console/evaluation"
READERS = ("office", "auditor", "department")
REFRESH_SECONDS = 3  # while a run is going
MODES = {"incremental": False, "full": True}
Code = Annotated[str | None, Query(max_length=40, description="统一社会信用代码")]
Purpose = Annotated[
    str | None, Query(max_length=access.PURPOSE_MAX_LENGTH, description="查询用途（记入审计日志）")
]


async def _reader(session: ConsoleUser) -> ConsoleSession:
    require_role(session.principal, *READERS)
    return session


Reader = Annotated[ConsoleSession, Depends(_reader)]


def _duration(run: dict[str, Any]) -> str:
    if not run["finished_at"]:
        return "—"
    seconds = (
        dt.datetime.fromisoformat(run["finished_at"]) - dt.datetime.fromisoformat(run["started_at"])
    ).total_seconds()
    minutes, sec = divmod(int(seconds), 60)
    return f"{minutes} 分 {sec} 秒" if minutes else f"{sec} 秒"


def _page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    code: str = "",
    purpose: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    who = session.principal
    levels = evaluation.levels_for(who.role)
    catalogue = platform.evaluation_models()
    today = platform.clock.today()
    context: dict[str, Any] = {
        "code": code,
        "purpose": purpose,
        "error": error,
        "own": False,
        "base_href": "",
    }
    with platform.engine.connect() as conn:
        runs = evaluation.list_runs(conn)
        running = evaluation.running(conn, platform.clock.now())
        context["distribution"] = evaluation.distribution(conn, catalogue, today, levels)
    for r in runs:
        r["duration"] = _duration(r)
    context["runs"] = runs
    context["running"] = running
    visible = {m.code for m in catalogue.in_force(today) if m.disclosure in levels}
    context["models"] = [m for m in labelled_models(platform, today) if m["code"] in visible]
    if code and error is None:
        scope = who.department_code if who.role == "department" else None
        try:
            stated = access.require_purpose(purpose or None)
            with platform.engine.begin() as conn:
                key, kind = evaluation.subject_of(conn, platform.vault, code)
                access.audit(
                    conn,
                    who.actor,
                    "read_evaluation",
                    f"subject:{key}",
                    platform.clock.now(),
                    stated,
                )
                results = evaluation.subject_results(
                    conn, catalogue, key, levels=levels, with_entries=True
                )
                context["not_scored"] = not_scored(platform, conn, key, results, levels)
                cf = read_credit_file(
                    conn,
                    platform.catalogue,
                    platform.sanctions,
                    code,
                    as_of=today,
                    view="internal",
                    now=platform.clock.now(),
                    actor=who.actor,
                    purpose=stated,
                    department=scope,
                ).as_dict()
            shown = portal_rules.file_records(platform.catalogue, cf)
            context["subject"] = cf["subject"]
            context["results"] = [portal_rules.explained(r, shown) for r in results]
            href = (
                "/console/subjects/file?"
                + urlencode({"code": cf["subject"]["code"], "purpose": stated})
                if kind != "person"
                else ""
            )
            context["file_href"] = context["base_href"] = href
        except XinyongError as exc:
            status = 400 if exc.status == 422 else exc.status
            context["error"] = redact_identifiers(exc.message_zh)
            context["code"] = ""  # never shown again: it may be an ID number
    context["starting"] = running is None and platform.evaluation_busy()
    context["refresh"] = REFRESH_SECONDS if running or context["starting"] else None
    return _render(
        request,
        "evaluation.html",
        _context(platform, session, request=request, **context),
        status,
    )


@router.api_route(PATH, methods=PAGE, response_class=HTMLResponse)
def evaluation_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    code: Code = None,
    purpose: Purpose = None,
) -> Response:
    return _page(
        request, platform, session, code=(code or "").strip(), purpose=(purpose or "").strip()
    )


@router.post(f"{PATH}/runs", response_class=HTMLResponse)
def start_run(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    csrf: CsrfToken,
    mode: Annotated[str, Form(max_length=16)] = "incremental",
) -> Response:
    """Start a run in the background (the office); the page shows its progress."""
    require_csrf(platform, request, csrf)
    if mode not in MODES:
        return _page(
            request,
            platform,
            session,
            error=f"mode（评价方式）“{mode[:16]}”无效：可选 incremental（增量）、full（全量）",
            status=400,
        )
    with platform.engine.connect() as conn:
        busy = evaluation.running(conn, platform.clock.now())
    try:
        if busy is not None:
            raise Conflict(
                f"evaluation run {busy['id']} is still running",
                f"评价批次 {busy['id']} 正在运行（{busy['done']}/{busy['total']}），请待其完成后再评价",
            )
        platform.start_evaluation(full=MODES[mode], actor=session.principal.actor)
    except Conflict as exc:
        return _page(request, platform, session, error=exc.message_zh, status=409)
    return RedirectResponse(PATH, status_code=303)
