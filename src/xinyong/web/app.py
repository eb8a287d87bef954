"""The HTTP layer: REST API for department systems and authorised users, and public pages.

Thin: parse the request, call a service, shape the answer. Errors are raised as
``XinyongError`` subclasses and answered by ``web/errors.py`` with their status in one
declared shape (``{"detail": {"code", "message": 中文, "message_en": English}}``); pages get
a Chinese error page. Response models are in ``web/schemas/``; the documentation pages
(``web/docs.py``) are served offline.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import contextlib
import datetime as dt
import functools
import re
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import (
    APIRouter,
    FastAPI,
    File,
    Query,
    Request,
    UploadFile,
)
from fastapi import (
    Path as PathParam,
)
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from xinyong import __version__
from xinyong.access import service as access
from xinyong.bootstrap import Platform, build_platform
from xinyong.catalog.evaluation import ResultDisclosure
from xinyong.creditfile.service import build_credit_file, read_credit_file
from xinyong.evaluation import service as evaluation
from xinyong.identity import repository as identity_repo
from xinyong.ingest import batches
from xinyong.ingest import jobs as import_jobs
from xinyong.ingest.service import revoke_record
from xinyong.kernel.errors import NotFound, Unauthenticated, XinyongError
from xinyong.ledger import repository as ledger_repo
from xinyong.portal import announcements as notices
from xinyong.portal import rules as portal_rules
from xinyong.web import docs, errors
from xinyong.web.deps import (
    PUBLIC,
    Caller,
    DepartmentClient,
    OptionalCaller,
    principal_for,
    require_own,
    require_role,
)
from xinyong.web.routes import announcements as announcements_routes
from xinyong.web.routes import catalogue as catalogue_routes
from xinyong.web.routes import checks as checks_routes
from xinyong.web.routes import commitment_pages as commitment_pages_routes
from xinyong.web.routes import commitments as commitments_routes
from xinyong.web.routes import console as console_routes
from xinyong.web.routes import console_admin as console_admin_routes
from xinyong.web.routes import console_announcements as console_announcements_routes
from xinyong.web.routes import console_cases
from xinyong.web.routes import console_commitments as console_commitments_routes
from xinyong.web.routes import console_evaluation as console_evaluation_routes
from xinyong.web.routes import console_files as console_files_routes
from xinyong.web.routes import console_imports as console_imports_routes
from xinyong.web.routes import console_inspections as console_inspections_routes
from xinyong.web.routes import console_messages as console_messages_routes
from xinyong.web.routes import console_objections as console_objections_routes
from xinyong.web.routes import console_rectifications as console_rectifications_routes
from xinyong.web.routes import console_repairs as console_repairs_routes
from xinyong.web.routes import console_subject_accounts as console_subject_accounts_routes
from xinyong.web.routes import console_trainings as console_trainings_routes
from xinyong.web.routes import console_voluntary as console_voluntary_routes
from xinyong.web.routes import console_work as console_work_routes
from xinyong.web.routes import evaluation as evaluation_routes
from xinyong.web.routes import evaluation_pages as evaluation_pages_routes
from xinyong.web.routes import inspection_pages as inspection_pages_routes
from xinyong.web.routes import inspections as inspections_routes
from xinyong.web.routes import ledger as ledger_routes
from xinyong.web.routes import lists as lists_routes
from xinyong.web.routes import notifications as notifications_routes
from xinyong.web.routes import objections as objections_routes
from xinyong.web.routes import portal as portal_routes
from xinyong.web.routes import rectifications as rectifications_routes
from xinyong.web.routes import repair as repair_routes
from xinyong.web.routes import reports as reports_routes
from xinyong.web.routes import search as search_routes
from xinyong.web.routes import subject_account as subject_account_routes
from xinyong.web.routes import subject_inspections as subject_inspections_routes
from xinyong.web.routes import subject_rectifications as subject_rectifications_routes
from xinyong.web.routes import subject_repair as subject_repair_routes
from xinyong.web.routes import subject_voluntary as subject_voluntary_routes
from xinyong.web.routes import trainings as trainings_routes
from xinyong.web.routes import voluntary as voluntary_routes
from xinyong.web.routes import warnings as warnings_routes
from xinyong.web.schemas import catalogue as catalogue_schemas
from xinyong.web.schemas import creditfile as creditfile_schemas
from xinyong.web.schemas import ingest as ingest_schemas
from xinyong.web.schemas.common import (
    JOB_ID,
    OPTIONAL_KEY,
    SUBJECT_CODE,
    Id,
    Purpose,
    Status,
)
from xinyong.web.schemas.common import errors as declared
from xinyong.web.security import IMPORT_PATH, BodyTooLarge, Guard, security_headers
from xinyong.web.templating import TEMPLATES, Site, compile_all, static_url


async def authorise_write(platform: Platform, key: str, path: str) -> None:
    """The guard's question before a write's body is read: is the key valid, and, for an
    upload (the one body that may be hundreds of MiB), may its role import at all."""
    who = await principal_for(platform, key)
    if path == IMPORT_PATH:
        require_role(who, "department")


async def authorise_console_upload(platform: Platform, cookie_header: str) -> None:
    """The guard's question before the console's upload form is read: a live session of a
    department officer (the API's department role), or the body is not read at all."""
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        jar = SimpleCookie()
    name = console_routes.cookie_names(platform.settings.console_cookie_secure)[0]
    morsel = jar.get(name)
    session = await console_routes.session_of_token(platform, morsel.value if morsel else None)
    require_role(session.principal, "department")


def refusal_page(platform: Platform, exc: XinyongError) -> bytes:
    """The guard's refusal of a page request, as the Chinese error page."""
    message = exc.message_zh
    if exc.code == BodyTooLarge.code:
        mib = platform.settings.max_import_bytes / (1024 * 1024)
        message = (
            f"上传的文件过大：报送文件不得超过 {mib:,.1f} MiB，文件未读取、未导入；"
            "请拆分为较小的文件后分批报送"
        )
    settings = platform.settings
    html = TEMPLATES.get_template("error.html").render(
        status=exc.status,
        title={401: "需要授权", 403: "无权访问", 413: "文件过大"}.get(exc.status, "请求有误"),
        message=message,
        site=Site(settings.site_name, settings.site_icp, settings.site_contact),
        static_url=static_url,
    )
    return html.encode()


T = TypeVar("T")
# Pages answer HEAD as well: FastAPI's @app.get does not.
PAGE = ["GET", "HEAD"]

TAGS = [
    {
        "name": "报送",
        "description": "部门业务系统报送信用记录（双公示等）、查看批次、下载退回文件、撤销记录。",
    },
    {
        "name": "信用档案",
        "description": "主体信用档案：公开视图无需密钥；内部视图需授权并记入审计。",
    },
    {
        "name": "目录",
        "description": "目录信息项、代码表、名单类型、措施与法定工作日历，含法律依据。公开信息，无需密钥。",
    },
    {"name": "逢办必查", "description": "办理业务前核查主体的名单身份与适用措施，并反馈实施情况。"},
    {"name": "名单认定", "description": "名单认定办件：提出拟列入、逐步办理、待办与超期。"},
    {
        "name": "信用修复",
        "description": "信用修复：每条记录的修复条件、代录申请、认定部门逐步办理、复查抽样。",
    },
    {
        "name": "异议",
        "description": "信用信息异议：代当事人提出、推送认定部门、受理、核查决定（更正、撤销、维持），待办与超期。",
    },
    {
        "name": "限期整改与约谈",
        "description": "限期整改与约谈：认定部门责令限期整改、安排并记录提示约谈或警示约谈（谁认定、谁约谈），超期标记。",
    },
    {
        "name": "自愿注册",
        "description": "自愿注册：信息类别、代为注册、核验（通过或不通过并说明理由）、自愿注册记录占比。",
    },
    {
        "name": "信用承诺",
        "description": "信用承诺：承诺目录、业务系统报送、受理部门办理履约（容缺、核查、未履约、修复）、覆盖统计、复核抽样。",
    },
    {
        "name": "诚信教育",
        "description": "诚信教育：部门组织培训、登记参训主体（法定代表人脱敏）、发放证书（信用修复规则要求诚信教育的，修复申请引用证书）。免费开展，不作为市场准入条件。",
    },
    {
        "name": "信用评价",
        "description": "信用评价模型（指标、权重、等级区间、依据）及主体的评价结果与每一指标的解释；"
        "模型与社会公开的结果无需密钥。",
    },
    {
        "name": "双随机抽查",
        "description": "双随机、一公开：检查人员与回避登记、抽查计划（无清单不检查）、先公布承诺后抽取、可复核的抽取记录、检查任务与结果录入。公开的计划、抽取与结果无需密钥。",
    },
    {"name": "统计与典型案例", "description": "月度统计（北京时间）与典型案例的登记、发布、撤回。"},
    {
        "name": "信用公示",
        "description": "双公示（行政许可、行政处罚）与公开名单：今日公示中的信息，不含自然人。公开信息，无需密钥。",
    },
    {
        "name": "通知公告",
        "description": "信用办发布的通知公告、政策文件与工作动态。阅读公开，无需密钥；发布与撤回限信用办。",
    },
    {"name": "预警", "description": "易地开张等预警：信用办、审计查看，信用办处理。"},
    {
        "name": "事件与消息",
        "description": "领域事件流（办件每一步、期限与超期、名单、报送）供其他系统按事件号读取；"
        "部门与信用办的站内消息。",
    },
    {
        "name": "账本锚点",
        "description": "每日签署并公布的账本头（Ed25519 签名）与公钥，供外部保存和核验。公开信息，无需密钥。",
    },
    {"name": "运维", "description": "运行状态。"},
]
DESCRIPTION = """信用记录报送（双公示等）、信用档案查询、逢办必查、名单认定、统计与预警。

**认证**：部门业务系统、信用办和审计以请求头 `X-API-Key` 认证（点击右侧 Authorize 填入）。
密钥由平台管理员签发；部门业务系统只能报送、查看和办理本部门的数据。

**错误**：所有错误的格式相同：`{"detail": {"code": 代码, "message": 中文说明, "message_en": 英文说明}}`，
请求格式错误另有 `fields`（逐项列出位置、字段和原因）。错误信息从不回显所填的值（身份证号码等个人信息）。
401 缺少或无效的密钥，403 无权，404 不存在，409 与当前状态冲突（已被他人更新、不允许的操作、重复提交），
422 请求内容有误。

**时间**：日期为北京时间的自然日，时间为 ISO 8601 格式并带时区。"""


ROUTERS: list[APIRouter] = [
    announcements_routes.router,
    catalogue_routes.router,
    checks_routes.router,
    evaluation_routes.router,
    inspections_routes.router,
    evaluation_pages_routes.router,
    lists_routes.router,
    notifications_routes.router,
    objections_routes.router,
    portal_routes.router,
    ledger_routes.router,
    reports_routes.router,
    repair_routes.router,
    rectifications_routes.router,
    voluntary_routes.router,
    commitments_routes.router,
    trainings_routes.router,
    search_routes.router,
    warnings_routes.router,
]


def create_app(platform: Platform | None = None) -> FastAPI:
    platform = platform or build_platform()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        platform.warm_up()
        compile_all()
        platform.settle()
        # Import jobs a stop or crash left are taken up again (or failed, with the reason).
        await anyio.to_thread.run_sync(platform.import_jobs().start)
        yield
        # Queued check receipts are written and the re-score worker finishes before the end.
        platform.close()

    app = FastAPI(
        lifespan=lifespan,
        title="xinyong 公共信用信息平台 API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,  # served by web/docs.py from vendored assets, not a CDN
        redoc_url=None,
    )
    app.state.platform = platform
    script_hashes = docs.inline_script_hashes(app)
    # A 500 is answered outside the middleware (Starlette's outermost error handler), so it
    # carries the guard's headers itself.
    errors.install(app, TEMPLATES, unexpected_headers=security_headers(script_hashes))
    docs.install(app)
    app.add_middleware(
        Guard,
        import_limit=platform.settings.max_import_bytes,
        body_limit=platform.settings.max_json_body_bytes,
        script_hashes=script_hashes,
        inline_style_paths=docs.PAGES,
        upload_paths=re.compile(
            "|".join(
                f"(?:{p.pattern})"
                for p in (
                    console_cases.UPLOAD_PATHS,
                    repair_routes.UPLOAD_PATHS,
                    console_repairs_routes.UPLOAD_PATHS,
                    subject_repair_routes.UPLOAD_PATHS,
                    voluntary_routes.UPLOAD_PATHS,
                    subject_voluntary_routes.UPLOAD_PATHS,
                )
            )
        ),
        upload_limit=platform.settings.attachment_max_bytes
        * platform.settings.attachment_max_files,
        authenticate=lambda key, path: authorise_write(platform, key, path),
        authenticate_session=lambda cookie: authorise_console_upload(platform, cookie),
        render_page=lambda exc: refusal_page(platform, exc),
    )

    for router in ROUTERS:
        app.include_router(router)
    console_routes.install(app)  # the staff console's pages (cookie sessions, not keys)
    console_announcements_routes.install(app)
    app.include_router(console_subject_accounts_routes.router)
    subject_account_routes.install(app)  # subject accounts (their own cookie sessions)
    app.include_router(subject_repair_routes.router)  # the subject's credit repair pages
    app.include_router(subject_rectifications_routes.router)  # the subject's 限期整改
    app.include_router(subject_inspections_routes.router)  # the subject's 双随机抽查
    app.include_router(commitment_pages_routes.router)  # 信用承诺专栏 and /account/commitments
    app.include_router(console_cases.router)  # console: list cases (名单认定办件)
    app.include_router(console_repairs_routes.router)  # console: credit repair (信用修复)
    app.include_router(console_objections_routes.router)  # console: objections (异议)
    app.include_router(console_rectifications_routes.router)  # console: 限期整改与约谈
    app.include_router(console_files_routes.router)  # console: a subject's internal file
    app.include_router(subject_voluntary_routes.router)  # the subject's voluntary registration
    app.include_router(console_voluntary_routes.router)  # console: voluntary registration
    app.include_router(console_commitments_routes.router)  # console: 信用承诺
    app.include_router(console_inspections_routes.router)  # console: 双随机抽查
    app.include_router(inspection_pages_routes.router)  # portal: /inspections
    app.include_router(console_trainings_routes.router)  # console: 诚信教育 and the subject's page
    app.include_router(console_imports_routes.router)
    app.include_router(console_work_routes.router)  # check, alerts, typical cases
    app.include_router(console_messages_routes.router)  # 消息 (in-app messages)
    app.include_router(console_admin_routes.router)  # dashboard, audit trail, administration
    app.include_router(console_evaluation_routes.router)  # 信用评价: models, runs, charts

    import_slots = anyio.CapacityLimiter(platform.settings.import_workers)

    @app.get(
        "/healthz",
        tags=["运维"],
        summary="运行状态",
        response_model=Status,
        response_model_exclude_unset=True,
    )
    async def healthz() -> dict[str, str]:
        """进程在运行即返回 ok。"""
        # On the event loop: a plain def would wait for a pool thread and, during an import,
        # contend for the GIL twice more (the probe is meant to show the loop is responsive).
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["运维"],
        summary="就绪状态",
        response_model=Status,
        response_model_exclude_unset=True,
        responses={503: {"model": Status, "description": "本进程仍在加载核查数据"}},
    )
    async def readyz() -> JSONResponse:
        """本进程可以立即办理核查时返回 ready；启动后加载核查数据期间返回 503 loading。"""
        # Liveness (/healthz) and readiness are apart: a process loading its check read model
        # is alive and must not be restarted, but should not yet get check traffic.
        if platform.ready():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "loading"}, status_code=503)

    @app.post(
        "/api/v1/imports",
        status_code=201,
        tags=["报送"],
        summary="报送文件",
        response_model=ingest_schemas.ImportResult,
        response_model_exclude_unset=True,
        responses={
            202: {
                "model": ingest_schemas.ImportAccepted,
                "description": "大文件（或请求头 Prefer: respond-async）：已受理，稍后导入；"
                "按 poll_url（响应头 Location）查询进度与结果",
            },
            **declared(401, 403, 404, 422),
        },
    )
    async def submit(
        request: Request,
        file: Annotated[UploadFile, File(description="CSV、XLSX 或 JSON 文件")],
        who: DepartmentClient,
        item: Annotated[
            str | None, Query(description="目录信息项代码，如 XZCF", max_length=32)
        ] = None,
        source: Annotated[
            str | None, Query(description="报送部门；只能是密钥所属部门", max_length=64)
        ] = None,
    ) -> Any:
        """部门业务系统报送一个文件。返回接收、拒收（逐行逐字段原因）、重复、超期统计（201）。
        大于设定大小（默认 16 MiB）的文件，或请求头带 `Prefer: respond-async` 的，立即返回 202
        与报送任务编号，导入在后台进行，按 `poll_url` 查询进度与结果。"""
        assert who.department_code is not None  # noqa: S101 - DepartmentClient guarantees it
        if source is not None:
            require_own(who, source, "数据", action="报送")
        if _respond_async(request, file, platform.settings.async_import_bytes):
            # Spooling a large file is disk I/O: off the loop too.
            job = await anyio.to_thread.run_sync(
                functools.partial(
                    platform.import_jobs().submit,
                    file.file,
                    filename=file.filename or "upload",
                    department_code=who.department_code,
                    item_code=item,
                    channel="api",
                    actor=who.actor,
                )
            )
            poll = f"/api/v1/imports/{job['id']}"
            return JSONResponse(
                {"job_id": job["id"], "state": job["state"], "poll_url": poll},
                status_code=202,
                headers={"Location": poll},
            )
        data = await file.read(platform.settings.max_import_bytes + 1)
        # The importer is synchronous and runs for seconds on a large file: on the event loop
        # it would stall every other request of this process (/healthz included). It runs in
        # a worker thread instead, at most import_workers at once, so imports leave the
        # shared thread pool to the sync routes; inside, the platform's import gate (one on
        # SQLite) is shared with the import jobs.
        result = await anyio.to_thread.run_sync(
            functools.partial(
                _gated,
                platform,
                functools.partial(
                    platform.importer().import_bytes,
                    data,
                    filename=file.filename or "upload",
                    department_code=who.department_code,
                    item_code=item,
                    channel="api",
                ),
            ),
            limiter=import_slots,
        )
        out = result.as_dict()
        if result.batch_id is not None and result.rejected:
            out["rejection_file_url"] = f"/api/v1/batches/{result.batch_id}/rejections"
        return out

    @app.get(
        "/api/v1/imports/{job_id}",
        tags=["报送"],
        summary="报送任务进度",
        response_model=ingest_schemas.ImportJob,
        response_model_exclude_unset=True,
        responses=declared(401, 403, 404, 422),
    )
    def import_job(
        job_id: Annotated[
            str, PathParam(pattern=JOB_ID, max_length=32, description="报送任务编号")
        ],
        who: Caller,
        purpose: Purpose = None,
    ) -> dict[str, Any]:
        """报送任务的状态、进度（已读取的行数）与完成后的批次和统计。部门只能查看本部门的任务
        （无须说明用途）；信用办和审计须说明查询用途（记入审计日志）。"""
        if who.role == "department":
            # A plain read in its own short transaction: a poll never waits for the import.
            with platform.engine.connect() as conn:
                job = import_jobs.get_job(conn, job_id)
            require_own(who, job["department_code"], "报送任务")
        else:
            stated = access.require_purpose(purpose)
            with platform.engine.begin() as conn:
                job = import_jobs.get_job(conn, job_id)
                access.audit(
                    conn,
                    who.actor,
                    "read_import_job",
                    f"import_job:{job_id}",
                    platform.clock.now(),
                    stated,
                    detail={"department": job["department_code"]},
                )
        out = import_jobs.view(job)
        if out["batch_id"] is not None:
            out["batch_url"] = f"/api/v1/batches/{out['batch_id']}"
            if out["result"] and out["result"]["rejected"]:
                out["rejection_file_url"] = f"/api/v1/batches/{out['batch_id']}/rejections"
        return out

    class Revocation(BaseModel):
        item: str = Field(description="目录信息项代码，如 XZCF", max_length=32)
        # No pattern: a resident ID number is checked by the service, whose message never
        # repeats it (a pattern failure would echo the value).
        subject: str = Field(
            description="主体统一社会信用代码；自然人为身份证号码（按密钥哈希查找）或主体标识（P…）",
            min_length=1,
            max_length=64,
        )
        record: str = Field(description="记录标识，如行政处罚决定书文号", max_length=200)
        reason: str = Field(description="撤销理由", min_length=1, max_length=500)
        id_type: str | None = Field(
            default=None, description="自然人的证件类型（默认身份证），如 02 或 护照", max_length=16
        )

    @app.post(
        "/api/v1/revocations",
        status_code=201,
        tags=["报送"],
        summary="撤销记录",
        response_model=ingest_schemas.Revoked,
        response_model_exclude_unset=True,
        responses=declared(401, 403, 404, 409, 422),
    )
    def revoke(body: Revocation, who: DepartmentClient) -> dict[str, Any]:
        """撤销本部门报送的一条记录（原决定被撤销或报送有误）。追加撤销条目，立即停止公示。"""
        assert who.department_code is not None  # noqa: S101 - DepartmentClient guarantees it
        with platform.transaction() as conn:
            entry_id = revoke_record(
                conn,
                platform.catalogue,
                platform.vault,
                now=platform.clock.now(),
                department_code=who.department_code,
                item_code=body.item,
                subject=body.subject,
                record=body.record,
                reason=body.reason,
                actor=who.actor,
                channel="api",
                sanctions=platform.sanctions,
                id_type=body.id_type,
            )
        return {"entry": entry_id, "status": "revoked"}

    @app.get(
        "/api/v1/batches/{batch_id}",
        tags=["报送"],
        summary="批次概况",
        response_model=ingest_schemas.Batch,
        response_model_exclude_unset=True,
        responses=declared(401, 403, 404, 422),
    )
    def batch(batch_id: Id, who: Caller, purpose: Purpose = None) -> dict[str, Any]:
        """批次概况。部门只能查看本部门的批次；须说明查询用途（记入审计日志）。"""
        with platform.engine.begin() as conn:
            b = _own_batch(conn, batch_id, who)
            access.audit(
                conn,
                who.actor,
                "read_batch",
                f"batch:{batch_id}",
                platform.clock.now(),
                access.require_purpose(purpose),
            )
        return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in b.items()}

    @app.get(
        "/api/v1/batches/{batch_id}/rejections",
        tags=["报送"],
        summary="下载退回文件",
        response_class=Response,
        responses={
            200: {
                "description": "与报送文件同格式（CSV、XLSX 或 JSON）的退回文件",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in (
                        "text/csv",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "application/json",
                    )
                },
            },
            **declared(401, 403, 404, 422),
        },
    )
    def rejections(batch_id: Id, who: Caller, purpose: Purpose = None) -> Response:
        """下载被拒收的行（与报送文件同格式，附“错误原因”列），修改后可重新报送。
        报送部门取得原样数据（含个人信息），其他调用方取得脱敏数据；须说明查询用途（记入审计日志）。"""
        with platform.engine.begin() as conn:
            b = _own_batch(conn, batch_id, who)
            found = batches.rejection_file(
                conn,
                b,
                unseal=platform.vault.unseal,
                asker_department=who.department_code,
                actor=who.actor,
                purpose=access.require_purpose(purpose),
                now=platform.clock.now(),
            )
        return Response(
            found.content,
            media_type=found.media_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(found.filename)}"
            },
        )

    def _own_batch(conn: Any, batch_id: int, who: access.Principal) -> dict[str, Any]:
        b = ledger_repo.get_batch(conn, batch_id)
        if b is None:
            raise NotFound(f"no batch {batch_id}", f"批次 {batch_id} 不存在")
        require_own(who, b["department_code"], "批次")
        return b

    @app.get(
        "/api/v1/subjects/{code}/file",
        tags=["信用档案"],
        summary="主体信用档案",
        dependencies=[PUBLIC],
        openapi_extra=OPTIONAL_KEY,
        response_model=creditfile_schemas.CreditFile,
        response_model_exclude_unset=True,
        responses=declared(401, 404, 422),
    )
    def subject_file(
        code: Annotated[
            str, PathParam(pattern=SUBJECT_CODE, max_length=40, description="统一社会信用代码")
        ],
        who: OptionalCaller,
        as_of: Annotated[dt.date | None, Query(description="查看某日的档案，默认今天")] = None,
        view: Annotated[str, Query(pattern="^(public|internal)$")] = "public",
        purpose: Annotated[
            str | None, Query(description="查询用途（内部视图必填，记入审计日志）", max_length=200)
        ] = None,
    ) -> dict[str, Any]:
        """主体信用档案，按目录类别分组，含来源与公示状态。公开视图只显示公示期内的信息；
        内部视图须授权并说明查询用途；部门密钥的内部视图只含公开信息和本部门报送的记录，
        完整内部档案仅限信用办和审计。"""
        day = as_of or platform.clock.today()
        if view == "internal" and who is None:
            raise Unauthenticated("internal view needs an API key", "内部视图需要授权（X-API-Key）")
        stated = access.require_purpose(purpose) if view == "internal" else ""
        with platform.engine.begin() as conn:
            cf = read_credit_file(
                conn,
                platform.catalogue,
                platform.sanctions,
                code,
                as_of=day,
                view=view,  # type: ignore[arg-type]
                now=platform.clock.now(),
                actor=who.actor if who is not None else None,
                purpose=stated,
                department=who.department_code
                if who is not None and who.role == "department"
                else None,
            )
        return cf.as_dict()

    @app.get(
        "/api/v1/catalogue/items",
        tags=["目录"],
        summary="目录信息项",
        dependencies=[PUBLIC],
        response_model=catalogue_schemas.Catalogue,
        response_model_exclude_unset=True,
    )
    def catalogue_items() -> dict[str, Any]:
        """现行目录信息项（含法律依据、公开属性、字段）。"""
        return {
            "version": platform.catalogue.snapshot.version,
            "items": [
                {
                    "code": i.code,
                    "name": i.name,
                    "category": i.category,
                    "version": i.version,
                    "effective_from": i.effective_from.isoformat(),
                    "disclosure": i.disclosure.value,
                    "nature": i.nature.value,
                    "local": i.local,
                    "legal_basis": [b.as_json() for b in i.legal_basis],
                    "fields": [
                        {"code": f.code, "name": f.name, "type": f.type, "required": f.required}
                        for f in i.fields
                    ],
                }
                for i in platform.catalogue.items()
            ],
        }

    @app.api_route("/", methods=PAGE, response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> Response:
        if q.strip():  # the search page answers queries (indexed, ranked, paged)
            return RedirectResponse(f"/search?q={_quote(q)}", status_code=303)
        results: list[dict[str, Any]] = []
        with platform.engine.connect() as conn:
            counts = identity_repo.count_subjects(conn)
            n_entries = ledger_repo.count_entries(conn)
            latest = notices.published_page(
                conn, platform.catalogue, category=None, page=1, page_size=HOME_ANNOUNCEMENTS
            )
        return TEMPLATES.TemplateResponse(
            request,
            "home.html",
            {
                "announcements": latest["announcements"],
                "q": q,
                "results": results,
                "counts": counts,
                "entries": n_entries,
                "version": __version__,
            },
        )

    @app.api_route(
        "/subjects/{code}", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
    )
    def subject_page(
        request: Request,
        code: Annotated[str, PathParam(max_length=40)],
        as_of: dt.date | None = None,
        tab: Annotated[str, Query(max_length=32, pattern=r"^[a-z_]*$")] = "",
    ) -> HTMLResponse:
        day = as_of or platform.clock.today()
        # NotFound (an unknown or invalid code, a person) becomes the Chinese 404 page.
        with platform.engine.connect() as conn:
            cf = build_credit_file(
                conn,
                platform.catalogue,
                code,
                as_of=day,
                view="public",
                sanctions=platform.sanctions,
            )
            # The grades whose model is 社会公开 (current, not as of ``as_of``: results are
            # not kept by day); the explanation is its own page.
            grades = (
                []
                if cf.subject["kind_code"] == "person"
                else evaluation.subject_results(
                    conn,
                    platform.evaluation_models(),
                    cf.subject["code"],
                    levels={ResultDisclosure.PUBLIC},
                    with_entries=False,
                )
            )
        shown = cf.as_dict()
        return TEMPLATES.TemplateResponse(
            request,
            "file.html",
            {
                "cf": shown,
                "t": portal_rules.subject_tabs(platform.catalogue, shown, tab),
                "banner": portal_rules.banner(platform.catalogue, shown),
                "grades": grades,
            },
        )

    @app.api_route(
        "/ledger/anchors", methods=PAGE, response_class=HTMLResponse, include_in_schema=False
    )
    def anchors_page(
        request: Request, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
    ) -> HTMLResponse:
        size = ANCHORS_PER_PAGE
        view = ledger_routes.anchors_view(platform, size, (page - 1) * size)
        pages = max(1, -(-view["total"] // size))
        return TEMPLATES.TemplateResponse(
            request, "anchors.html", {"view": view, "page": page, "pages": pages}
        )

    return app


def _respond_async(request: Request, file: UploadFile, threshold: int) -> bool:
    """Whether an upload is answered 202: asked for (RFC 7240 ``Prefer: respond-async``) or
    larger than ``XINYONG_ASYNC_IMPORT_BYTES``."""
    prefer = ",".join(request.headers.getlist("prefer")).lower()
    if "respond-async" in (p.split(";", 1)[0].strip() for p in prefer.split(",")):
        return True
    size = file.size
    if size is None:
        size = file.file.seek(0, 2)
        file.file.seek(0)
    return size > threshold


def _gated(platform: Platform, run: Callable[[], T]) -> T:
    """``run`` once the platform's import gate lets it (imports at once, jobs included)."""
    with platform.import_gate:
        return run()


ANCHORS_PER_PAGE = 60  # two months of daily anchors
HOME_ANNOUNCEMENTS = 5  # the newest announcements on the home page


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
