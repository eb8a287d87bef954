"""The HTTP layer: REST API for department systems and authorised users, and public pages.

Thin: parse the request, call a service, shape the answer. Errors keep one declared shape
(``{"detail": {"message": 中文, "message_en": English}}``) so clients can rely on it.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

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
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from xinyong import __version__
from xinyong.access import service as access
from xinyong.bootstrap import Platform, build_platform
from xinyong.creditfile.service import build_credit_file
from xinyong.identity import repository as identity_repo
from xinyong.ingest.export import export_rejections
from xinyong.ingest.readers import RawRow, RawTable
from xinyong.ingest.service import revoke_record
from xinyong.kernel.errors import FieldProblem, InputError, NotFound, PermissionDenied, XinyongError
from xinyong.ledger import repository as ledger_repo
from xinyong.web.deps import OptionalPrincipalDep, PrincipalDep, error
from xinyong.web.routes import checks as checks_routes
from xinyong.web.routes import lists as lists_routes
from xinyong.web.routes import reports as reports_routes
from xinyong.web.routes import warnings as warnings_routes

SUBJECT_CODE = r"^([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}|P[0-9a-f]{32})$"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


ROUTERS: list[APIRouter] = [
    checks_routes.router,
    lists_routes.router,
    reports_routes.router,
    warnings_routes.router,
]


def create_app(platform: Platform | None = None) -> FastAPI:
    platform = platform or build_platform()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        writer = platform.receipt_writer()
        if writer is not None:
            writer.close()  # queued check receipts are written before the process ends

    app = FastAPI(
        lifespan=lifespan,
        title="xinyong 公共信用信息平台 API",
        version=__version__,
        description="信用记录报送（双公示等）、信用档案查询。部门业务系统以 X-API-Key 认证。",
    )
    app.state.platform = platform

    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(XinyongError)
    async def _xinyongerror(_: Request, exc: XinyongError) -> JSONResponse:
        status = (
            404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 422
        )
        return JSONResponse(
            {"detail": {"message": exc.message_zh, "message_en": exc.message_en}}, status
        )

    @app.get("/healthz", tags=["运维"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/imports", status_code=201, tags=["报送"])
    async def submit(
        file: Annotated[UploadFile, File(description="CSV、XLSX 或 JSON 文件")],
        who: PrincipalDep,
        item: Annotated[str | None, Query(description="目录信息项代码，如 XZCF")] = None,
        source: Annotated[str | None, Query(description="报送部门；只能是密钥所属部门")] = None,
    ) -> dict[str, Any]:
        """部门业务系统报送一个文件。返回接收、拒收（逐行逐字段原因）、重复、超期统计。"""
        if who.role != "department" or who.department_code is None:
            raise error(
                403,
                PermissionDenied("only department clients submit", "只有部门业务系统可以报送数据"),
            )
        if source is not None and source != who.department_code:
            raise error(
                403,
                PermissionDenied(
                    f"client of {who.department_code} cannot submit as {source}",
                    f"本密钥属于部门“{who.department_code}”，不能以“{source}”名义报送",
                ),
            )
        data = await file.read(platform.settings.max_import_bytes + 1)
        try:
            result = platform.importer().import_bytes(
                data,
                filename=file.filename or "upload",
                department_code=who.department_code,
                item_code=item,
                channel="api",
            )
        except InputError as exc:
            raise error(422, exc) from exc
        out = result.as_dict()
        if result.batch_id is not None and result.rejected:
            out["rejection_file_url"] = f"/api/v1/batches/{result.batch_id}/rejections"
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

    @app.post("/api/v1/revocations", status_code=201, tags=["报送"])
    def revoke(body: Revocation, who: PrincipalDep) -> dict[str, Any]:
        """撤销本部门报送的一条记录（原决定被撤销或报送有误）。追加撤销条目，立即停止公示。"""
        if who.role != "department" or who.department_code is None:
            raise error(
                403,
                PermissionDenied("only department clients revoke", "只有部门业务系统可以撤销记录"),
            )
        with platform.engine.begin() as conn:
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

    @app.get("/api/v1/batches/{batch_id}", tags=["报送"])
    def batch(batch_id: int, who: PrincipalDep) -> dict[str, Any]:
        """批次概况。部门只能查看本部门的批次。"""
        with platform.engine.connect() as conn:
            b = _own_batch(conn, batch_id, who)
        return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in b.items()}

    @app.get("/api/v1/batches/{batch_id}/rejections", tags=["报送"])
    def rejections(batch_id: int, who: PrincipalDep) -> Response:
        """下载被拒收的行（与报送文件同格式，附“错误原因”列），修改后可重新报送。"""
        import json

        with platform.engine.connect() as conn:
            b = _own_batch(conn, batch_id, who)
            meta = ledger_repo.get_batch_headers(conn, batch_id)
            rows = ledger_repo.rejected_of_batch(conn, batch_id)
        if meta is None or not rows:
            raise error(404, NotFound("no rejected rows", "该批次没有被拒收的行"))
        table = RawTable(
            format=b["format"],
            encoding=meta["encoding"],
            headers=tuple(json.loads(meta["headers"])),
            rows=[],
            source_name=b["source_name"],
            sheet=meta["sheet"],
            delimiter=meta["delimiter"],
        )
        rejected = [
            (
                RawRow(number=r["row_number"], cells=tuple(json.loads(r["cells"]))),
                [
                    FieldProblem(
                        r["row_number"], p["field"], p["value"], p["reason"], p["reason_en"]
                    )
                    for p in json.loads(r["problems"])
                ],
            )
            for r in rows
        ]
        content, suffix, media = export_rejections(table, rejected)
        name = Path(b["source_name"]).stem + suffix
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
        )

    def _own_batch(conn: Any, batch_id: int, who: access.Principal) -> dict[str, Any]:
        b = ledger_repo.get_batch(conn, batch_id)
        if b is None:
            raise error(404, NotFound(f"no batch {batch_id}", f"批次 {batch_id} 不存在"))
        if who.role == "department" and b["department_code"] != who.department_code:
            raise error(403, PermissionDenied("not your batch", "只能查看本部门报送的批次"))
        return b

    @app.get("/api/v1/subjects/{code}/file", tags=["信用档案"])
    def subject_file(
        code: Annotated[str, PathParam(pattern=SUBJECT_CODE, description="统一社会信用代码")],
        who: OptionalPrincipalDep,
        as_of: Annotated[dt.date | None, Query(description="查看某日的档案，默认今天")] = None,
        view: Annotated[str, Query(pattern="^(public|internal)$")] = "public",
        purpose: Annotated[
            str | None, Query(description="查询用途（内部视图必填，记入审计日志）")
        ] = None,
    ) -> dict[str, Any]:
        """主体信用档案，按目录类别分组，含来源与公示状态。公开视图只显示公示期内的信息；
        内部视图须授权并说明查询用途。"""
        day = as_of or platform.clock.today()
        if view == "internal" and who is None:
            raise error(
                401,
                PermissionDenied("internal view needs an API key", "内部视图需要授权（X-API-Key）"),
            )
        stated = access.require_purpose(purpose) if view == "internal" else ""
        with platform.engine.begin() as conn:
            cf = build_credit_file(
                conn,
                platform.catalogue,
                code,
                as_of=day,
                view=view,  # type: ignore[arg-type]
                sanctions=platform.sanctions,
            )
            if view == "internal" and who is not None:
                access.audit(
                    conn,
                    who.actor,
                    "read_file",
                    f"subject:{code}",
                    platform.clock.now(),
                    stated,
                    {"as_of": day.isoformat()},
                )
        return cf.as_dict()

    @app.get("/api/v1/catalogue/items", tags=["目录"])
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
                    "legal_basis": [b.model_dump() for b in i.legal_basis],
                    "fields": [
                        {"code": f.code, "name": f.name, "type": f.type, "required": f.required}
                        for f in i.fields
                    ],
                }
                for i in platform.catalogue.items()
            ],
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, q: str = "") -> HTMLResponse:
        with platform.engine.connect() as conn:
            results = identity_repo.search_subjects(conn, q.strip()) if q.strip() else []
            counts = identity_repo.count_subjects(conn)
            n_entries = ledger_repo.count_entries(conn)
        return TEMPLATES.TemplateResponse(
            request,
            "home.html",
            {
                "q": q,
                "results": results,
                "counts": counts,
                "entries": n_entries,
                "version": __version__,
            },
        )

    @app.get("/subjects/{code}", response_class=HTMLResponse, include_in_schema=False)
    def subject_page(request: Request, code: str, as_of: dt.date | None = None) -> HTMLResponse:
        day = as_of or platform.clock.today()
        try:
            with platform.engine.connect() as conn:
                cf = build_credit_file(
                    conn,
                    platform.catalogue,
                    code,
                    as_of=day,
                    view="public",
                    sanctions=platform.sanctions,
                )
        except NotFound as exc:
            return TEMPLATES.TemplateResponse(
                request, "notfound.html", {"message": exc.message_zh}, status_code=404
            )
        return TEMPLATES.TemplateResponse(request, "file.html", {"cf": cf.as_dict()})

    return app


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
