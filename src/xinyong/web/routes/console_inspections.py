"""Console pages for 双随机、一公开: the plans (a department officer sees its department's,
the office and auditors all) with the form to make one; a plan's page with its draws (generate
the commitment, publish it, then run the draw) and its tasks; an inspector's task inbox with
the result entry form; the inspector and recusal registries. The forms call what
``web/routes/inspections.py`` calls, with the session's principal and its CSRF token."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from xinyong.access import accounts
from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.inspections import registry
from xinyong.inspections import service as insp
from xinyong.kernel.errors import InputError, PermissionDenied, XinyongError
from xinyong.web.deps import PlatformDep, department_scope, require_own
from xinyong.web.routes.console import PAGE, CsrfToken, _context, _no_store, _render, require_csrf
from xinyong.web.routes.console_cases import _needs
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)
PlanId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="抽查计划编号")]
DrawId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="抽取编号")]
TaskId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="检查任务编号")]
Reader = Annotated[ConsoleSession, _needs("department", "office", "auditor")]
Worker = Annotated[ConsoleSession, _needs("department", "office")]
# The inbox and the result form are also the linked inspector's own (角色 检查人员).
InboxReader = Annotated[ConsoleSession, _needs("department", "office", "auditor", "inspector")]
ResultEnterer = Annotated[ConsoleSession, _needs("department", "office", "inspector")]
DONE = {
    "plan": "已制定抽查计划",
    "prepared": "已生成抽取承诺（尚未公布）",
    "published": "已公布抽取承诺：公布之后可以抽取",
    "drawn": "已抽取，种子与抽取记录已公开，检查任务已生成",
    "result": "已录入检查结果，已写入信用记录",
    "inspector": "已登记检查人员",
    "recusal": "已登记回避",
    "active": "已更新检查人员状态",
    "withdrawn": "已撤回回避登记",
    "linked": "已更新检查人员的账号关联",
}
Text = Annotated[str, Form(max_length=200)]


def _acting(session: ConsoleSession) -> str | None:
    who = session.principal
    return who.department_code if who.role == "department" else None


def _fail_or(
    platform: Platform,
    request: Request,
    csrf: str,
    work: Callable[[Connection], str],
    again: Callable[[str, int], Response],
) -> Response:
    """Run a form's work in one transaction; a refusal re-renders the page with the reason."""
    require_csrf(platform, request, csrf)
    try:
        with platform.transaction() as conn:
            target = work(conn)
    except XinyongError as exc:
        if exc.status == 401:
            raise
        return again(redact_identifiers(exc.message_zh), 400 if exc.status == 422 else exc.status)
    return _no_store(RedirectResponse(target, status_code=303))


# -- plans ----------------------------------------------------------------------------------


def _plans_page(
    request: Request, platform: Platform, session: ConsoleSession, status: int = 200, **extra: Any
) -> Response:
    scope = department_scope(session.principal, None, "抽查计划")
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        plans = insp.list_plans(conn, deps, department_code=scope, limit=100, full=True)
        figures = insp.coverage(conn, plans)
        depts = access.departments(conn)
    context = _context(
        platform,
        session,
        request=request,
        plans=plans,
        figures=figures,
        departments=[d for d in depts if scope is None or d["code"] == scope],
        items=deps.inspections.items,
        policies=deps.inspections.policies,
        industries=deps.catalogue.code_table(insp.FILTER_TABLES["industry"]).values,
        sizes=deps.catalogue.code_table(insp.FILTER_TABLES["size"]).values,
        year=platform.clock.today().year,
        **extra,
    )
    return _render(request, "inspections.html", context, status)


@router.api_route("/console/inspections", methods=PAGE, response_class=HTMLResponse)
def plans_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The plans with their draws, and the form to make one."""
    return _plans_page(request, platform, session, message=DONE.get(done))


@router.api_route("/console/inspections/coverage", methods=PAGE, response_class=HTMLResponse)
def coverage_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    department: Annotated[str, Query(max_length=64)] = "",
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """Sampling coverage (as GET /api/v1/inspections/coverage): charts with their tables; the
    office and auditors all departments (or one), a department officer its own."""
    scope = department_scope(session.principal, department or None, "抽查覆盖情况")
    with platform.engine.connect() as conn:
        report = insp.coverage_report(
            conn,
            platform.inspection_deps(),
            department_code=scope,
            year=year,
            now=platform.clock.now(),
        )
        depts = access.departments(conn) if session.principal.role != "department" else []
    context = _context(
        platform,
        session,
        request=request,
        report=report,
        departments=depts,
        chosen=scope or "",
        year=year,
    )
    return _render(request, "inspection_coverage.html", context)


@router.post("/console/inspections/plans", response_class=HTMLResponse)
def create_plan(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    csrf: CsrfToken,
    name: Text,
    department: Annotated[str, Form(max_length=64)],
    item: Annotated[str, Form(max_length=64)],
    policy: Annotated[str, Form(max_length=64)],
    year: Annotated[int, Form(ge=2000, le=2100)],
    kind: Annotated[str, Form(max_length=16)] = "annual",
    joint_items: Annotated[str, Form(max_length=500)] = "",
    region: Annotated[str, Form(max_length=12)] = "",
    industry: Annotated[list[str] | None, Form(max_length=4)] = None,
    size: Annotated[list[str] | None, Form(max_length=8)] = None,
) -> Response:
    """Make a plan, as POST /api/v1/inspections/plans. ``joint_items``: 事项@部门, one per line."""
    who = session.principal

    def work(conn: Connection) -> str:
        require_own(who, department, "抽查计划", action="制定")
        items = [{"item": item, "department": department}]
        for line in joint_items.replace("，", ",").replace(",", "\n").splitlines():
            if line.strip():
                code, _, dept = line.strip().partition("@")
                items.append({"item": code.strip(), "department": dept.strip() or department})
        view = insp.create_plan(
            conn,
            platform.inspection_deps(),
            name=name,
            kind=kind,
            year=year,
            department_code=department,
            items=items,
            policy_ref=policy,
            pool_filter={
                "region": region,
                "industry": ",".join(industry or []),
                "size": ",".join(size or []),
            },
            actor=who.actor,
            now=platform.clock.now(),
        )
        return f"/console/inspections/plans/{view['id']}?done=plan"

    return _fail_or(
        platform,
        request,
        csrf,
        work,
        lambda err, st: _plans_page(request, platform, session, st, error=err),
    )


def _plan_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    plan_id: int,
    status: int = 200,
    **extra: Any,
) -> Response:
    deps = platform.inspection_deps()
    with platform.engine.connect() as conn:
        plan = insp.get_plan(conn, deps, plan_id)
        require_own(session.principal, plan["department"], "抽查计划")
        tasks = insp.list_tasks(conn, deps, plan_ids=[plan_id])
        strata = insp.plan_strata(conn, plan_id)
    context = _context(
        platform,
        session,
        request=request,
        plan=plan,
        tasks=tasks,
        strata=strata,
        pending=[d for d in plan["draws"] if d["status"] != "drawn"],
        today=platform.clock.today().isoformat(),
        **extra,
    )
    return _render(request, "inspection_plan.html", context, status)


@router.api_route("/console/inspections/plans/{plan_id}", methods=PAGE, response_class=HTMLResponse)
def plan_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    plan_id: PlanId,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A plan: its items, its draws (commitment, then seed and record) and its tasks."""
    return _plan_page(request, platform, session, plan_id, message=DONE.get(done))


def _draw_step(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    csrf: str,
    plan_id: int,
    step: Callable[[Connection], str],
) -> Response:
    return _fail_or(
        platform,
        request,
        csrf,
        lambda conn: f"/console/inspections/plans/{plan_id}?done={step(conn)}",
        lambda err, st: _plan_page(request, platform, session, plan_id, st, error=err),
    )


@router.post("/console/inspections/plans/{plan_id}/draws", response_class=HTMLResponse)
def prepare_draw(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    plan_id: PlanId,
    csrf: CsrfToken,
    beacon_source: Text = "",
) -> Response:
    """Generate the commitment (the pool frozen, the seed secret), as POST …/draws."""

    def step(conn: Connection) -> str:
        insp.prepare_draw(
            conn,
            platform.inspection_deps(),
            plan_id,
            department_code=_acting(session),
            actor=session.principal.actor,
            now=platform.clock.now(),
            beacon_source=beacon_source,
        )
        return "prepared"

    return _draw_step(request, platform, session, csrf, plan_id, step)


@router.post("/console/inspections/draws/{draw_id}/publish", response_class=HTMLResponse)
def publish_commitment(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    draw_id: DrawId,
    csrf: CsrfToken,
    plan: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    """Publish the commitment, as POST /api/v1/inspections/draws/{id}/publish."""

    def step(conn: Connection) -> str:
        insp.publish_commitment(
            conn,
            platform.inspection_deps(),
            draw_id,
            department_code=_acting(session),
            now=platform.clock.now(),
        )
        return "published"

    return _draw_step(request, platform, session, csrf, plan, step)


@router.post("/console/inspections/draws/{draw_id}/run", response_class=HTMLResponse)
def run_draw(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    draw_id: DrawId,
    csrf: CsrfToken,
    plan: Annotated[int, Form(ge=1, le=MAX_ID)],
    beacon_value: Text = "",
) -> Response:
    """Run the draw, as POST /api/v1/inspections/draws/{id}/run."""

    def step(conn: Connection) -> str:
        insp.run_planned_draw(
            conn,
            platform.inspection_deps(),
            draw_id,
            department_code=_acting(session),
            actor=session.principal.actor,
            now=platform.clock.now(),
            beacon_value=beacon_value or None,
        )
        return "drawn"

    return _draw_step(request, platform, session, csrf, plan, step)


# -- the inspector's inbox and results -------------------------------------------------------


def _linked(conn: Connection, session: ConsoleSession) -> dict[str, Any] | None:
    """The inspector an account of role 检查人员 signs in as (None: not linked, or another role)."""
    if session.principal.role != "inspector":
        return None
    return registry.inspector_of_account(conn, session.user_id)


def _inbox_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    inspector: str,
    status: int = 200,
    **extra: Any,
) -> Response:
    deps = platform.inspection_deps()
    labels = {v.code: v.label for v in deps.catalogue.code_table(insp.RESULT_TABLE).values}
    own_inbox = session.principal.role == "inspector"
    with platform.engine.connect() as conn:
        if own_inbox:  # only the tasks the linked inspector was drawn for, whatever was asked
            me = _linked(conn, session)
            people = [me] if me else []
            inspector = me["id"] if me else ""
            scope = None
        else:
            scope = department_scope(session.principal, None, "检查任务")
            people = registry.list_inspectors(conn, scope)
        tasks = (
            insp.list_tasks(conn, deps, inspector_id=inspector, department_code=scope)
            if inspector
            else []
        )
    me_dept = people[0]["department"] if own_inbox and people else None
    context = _context(
        platform,
        session,
        request=request,
        inspectors=people,
        inspector=inspector,
        tasks=tasks,
        results=labels,
        own_inbox=own_inbox,
        not_linked=registry.NOT_LINKED_ZH if own_inbox and not people else None,
        # the items this viewer may enter: a department its own items, the office any
        entry_department=me_dept if own_inbox else _acting(session),
        today=platform.clock.today().isoformat(),
        **extra,
    )
    return _render(request, "inspection_tasks.html", context, status)


@router.api_route("/console/inspections/tasks", methods=PAGE, response_class=HTMLResponse)
def inbox_page(
    request: Request,
    platform: PlatformDep,
    session: InboxReader,
    inspector: Annotated[str, Query(max_length=64)] = "",
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """An inspector's tasks (待办) with the result entry form per item; an account of role
    检查人员 sees only the tasks of the inspector it is linked to."""
    return _inbox_page(request, platform, session, inspector, message=DONE.get(done))


@router.post("/console/inspections/tasks/{task_id}/results", response_class=HTMLResponse)
def enter_result(
    request: Request,
    platform: PlatformDep,
    session: ResultEnterer,
    task_id: TaskId,
    csrf: CsrfToken,
    inspector: Annotated[str, Form(max_length=64)],
    item: Annotated[str, Form(max_length=64)],
    result: Annotated[str, Form(max_length=8)],
    inspected_on: Annotated[str, Form(max_length=10)],
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Enter a result, as POST /api/v1/inspections/tasks/{id}/results: by the linked inspector
    in person, or by the officer of the item's department in the name of one drawn."""

    def work(conn: Connection) -> str:
        person = registry.require_inspector(conn, inspector)
        department = _acting(session)
        if session.principal.role == "inspector":
            me = _linked(conn, session)
            if me is None:
                raise PermissionDenied("account not linked to an inspector", registry.NOT_LINKED_ZH)
            if me["id"] != inspector:
                raise PermissionDenied(
                    "an inspector enters only their own results",
                    "检查人员只能以本人身份录入结果",
                )
            department = me["department"]
        else:
            require_own(
                session.principal, str(person["department_code"]), "检查任务", action="录入"
            )
        try:
            day = dt.date.fromisoformat(inspected_on.strip())
        except ValueError:
            raise InputError(
                "bad inspected_on", f"检查日期（inspected_on）“{inspected_on[:10]}”应为 YYYY-MM-DD"
            ) from None
        insp.enter_result(
            conn,
            platform.inspection_deps(),
            task_id,
            inspector_id=inspector,
            item_code=item,
            result_code=result,
            result_text=text,
            inspected_on=day,
            now=platform.clock.now(),
            department_code=department,
        )
        return f"/console/inspections/tasks?inspector={inspector}&done=result"

    return _fail_or(
        platform,
        request,
        csrf,
        work,
        lambda err, st: _inbox_page(request, platform, session, inspector, st, error=err),
    )


# -- the registries -------------------------------------------------------------------------


def _registry_page(
    request: Request, platform: Platform, session: ConsoleSession, status: int = 200, **extra: Any
) -> Response:
    scope = department_scope(session.principal, None, "检查人员")
    with platform.engine.connect() as conn:
        people = registry.list_inspectors(conn, scope)
        ids = {p["id"] for p in people}
        recusals = [r for r in registry.list_recusals(conn) if r["inspector"] in ids]
        depts = access.departments(conn)
        linked = {p["account"] for p in registry.list_inspectors(conn, None) if p["account"]}
        free_accounts = [
            u["name"]
            for u in accounts.users(conn)
            if u["role"] == "inspector" and not u["disabled"] and u["name"] not in linked
        ]
    context = _context(
        platform,
        session,
        request=request,
        inspectors=people,
        inspector_accounts=free_accounts,
        recusals=recusals,
        departments=[d for d in depts if scope is None or d["code"] == scope],
        **extra,
    )
    return _render(request, "inspectors.html", context, status)


def _registry_step(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    csrf: str,
    work: Callable[[Connection], str],
) -> Response:
    """A write on the registries' page: refused, the page again with the reason."""
    return _fail_or(
        platform,
        request,
        csrf,
        work,
        lambda err, st: _registry_page(request, platform, session, st, error=err),
    )


@router.api_route("/console/inspections/inspectors", methods=PAGE, response_class=HTMLResponse)
def registry_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The inspector registry and the recusal registry, with their forms."""
    return _registry_page(request, platform, session, message=DONE.get(done))


@router.post("/console/inspections/inspectors", response_class=HTMLResponse)
def add_inspector(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    csrf: CsrfToken,
    ident: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=50)],
    department: Annotated[str, Form(max_length=64)],
    region: Annotated[str, Form(max_length=64)],
    certificate: Annotated[str, Form(max_length=40)],
    qualifications: Text = "执法证件",
) -> Response:
    """Register an inspector, as POST /api/v1/inspections/inspectors."""

    def work(conn: Connection) -> str:
        require_own(session.principal, department, "检查人员", action="登记")
        registry.register_inspector(
            conn,
            ident=ident,
            name=name,
            department_code=department,
            region=region,
            qualifications=qualifications.replace("，", ",").replace("、", ",").split(","),
            certificate=certificate,
            now=platform.clock.now(),
        )
        return "/console/inspections/inspectors?done=inspector"

    return _registry_step(request, platform, session, csrf, work)


@router.post("/console/inspections/recusals", response_class=HTMLResponse)
def add_recusal(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    csrf: CsrfToken,
    kind: Annotated[str, Form(max_length=16)],
    inspector: Annotated[str, Form(max_length=64)],
    subject: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    """Record a recusal, as POST /api/v1/inspections/recusals."""

    def work(conn: Connection) -> str:
        person = registry.require_inspector(conn, inspector)
        require_own(
            session.principal, str(person["department_code"]), "检查人员", action="登记回避"
        )
        registry.record_recusal(
            conn,
            kind=kind,
            inspector_id=inspector,
            subject_key=subject.strip().upper(),
            reason=reason,
            actor=session.principal.actor,
            now=platform.clock.now(),
        )
        return "/console/inspections/inspectors?done=recusal"

    return _registry_step(request, platform, session, csrf, work)


@router.post("/console/inspections/inspectors/{inspector_id}/active", response_class=HTMLResponse)
def set_active(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    inspector_id: Annotated[str, PathParam(max_length=64)],
    csrf: CsrfToken,
    active: Annotated[str, Form(pattern="^(on|off)$")],
) -> Response:
    """Take an inspector out of the pools or back, as POST …/inspectors/{id}/active."""

    def work(conn: Connection) -> str:
        person = registry.require_inspector(conn, inspector_id)
        require_own(session.principal, str(person["department_code"]), "检查人员", action="办理")
        registry.set_active(conn, inspector_id, active == "on", platform.clock.now())
        return "/console/inspections/inspectors?done=active"

    return _registry_step(request, platform, session, csrf, work)


@router.post("/console/inspections/recusals/{recusal_id}/withdraw", response_class=HTMLResponse)
def withdraw_recusal(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    recusal_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
    csrf: CsrfToken,
) -> Response:
    """Withdraw a recusal, as POST /api/v1/inspections/recusals/{id}/withdraw."""

    def work(conn: Connection) -> str:
        row = registry.require_recusal(conn, recusal_id)
        person = registry.require_inspector(conn, str(row["inspector_id"]))
        require_own(session.principal, str(person["department_code"]), "检查人员", action="办理")
        registry.withdraw_recusal(conn, recusal_id)
        return "/console/inspections/inspectors?done=withdrawn"

    return _registry_step(request, platform, session, csrf, work)


@router.post("/console/inspections/inspectors/{inspector_id}/account", response_class=HTMLResponse)
def link_account(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    inspector_id: Annotated[str, PathParam(max_length=64)],
    csrf: CsrfToken,
    account: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Link (or, empty, unlink) a console account of role 检查人员, as POST
    /api/v1/inspections/inspectors/{id}/account."""

    def work(conn: Connection) -> str:
        registry.link_account(
            conn,
            inspector_id,
            account.strip() or None,
            department_code=_acting(session),
            actor=session.principal.actor,
            now=platform.clock.now(),
        )
        return "/console/inspections/inspectors?done=linked"

    return _registry_step(request, platform, session, csrf, work)
