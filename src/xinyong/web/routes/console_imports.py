"""The console's imports: a department officer uploads a file as their department, sees the
history of its batches and import jobs, each batch's result, downloads the rejection file and
sends the corrected file again. The office and auditors see every department's, for a stated
purpose. Pages only (not in the OpenAPI document).

The same service paths as the API (``POST /api/v1/imports``, ``GET /api/v1/imports/{job}``,
``GET /api/v1/batches/{id}`` and ``…/rejections``), with the session's principal, so who may
see what is exactly the API's:

- an officer's upload runs as the officer's department (``Importer.import_bytes``; a file over
  ``XINYONG_ASYNC_IMPORT_BYTES`` is spooled as an import job, whose page refreshes itself until
  it is done); the guard (``web/security.py``) refuses an upload without an officer's session,
  or over ``XINYONG_MAX_IMPORT_BYTES``, before its body is read;
- another department's batch or job is a 403 (``require_own``), refused before anything is read;
- reads are audited as the API's: a batch (``read_batch``) and its rejection file
  (``download_rejections``) for every role, with the officer's stated purpose fixed (their own
  department's results); the office and auditors type theirs, and their look at a job is
  ``read_import_job``; the history list is ``read_batches``.
- the page shows rejected values masked; only the submitting department's rejection file has
  them as sent.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
import functools
import hashlib
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.ingest import batches
from xinyong.ingest import jobs as import_jobs
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import InputError, XinyongError
from xinyong.ledger import service as ledger
from xinyong.web.deps import PlatformDep, require_own, require_role
from xinyong.web.routes.console import (
    PAGE,
    ConsoleUser,
    CsrfToken,
    _context,
    _no_store,
    _render,
    require_csrf,
)
from xinyong.web.routes.console_steps import pager
from xinyong.web.schemas.common import JOB_ID, MAX_ID
from xinyong.web.security import CONSOLE_IMPORT_PATH

router = APIRouter(include_in_schema=False)

# What an officer's read of their own department's results is for (the API asks every
# caller; the officer's is always this one).
OWN_RESULTS = "查看本部门报送结果（控制台）"
OWN_REJECTIONS = "下载本部门退回文件，修改后重新报送（控制台）"
# An import job's page reloads itself this often (seconds) until the job is done.
JOB_REFRESH_SECONDS = 2
CHANNEL = "console"

BatchId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="批次编号")]
JobId = Annotated[str, PathParam(pattern=JOB_ID, max_length=32, description="报送任务编号")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PurposeQ = Annotated[str, Query(max_length=200)]
DepartmentQ = Annotated[str, Query(max_length=64)]
ItemForm = Annotated[str, Form(max_length=32)]


async def _reader(session: ConsoleUser) -> ConsoleSession:
    require_role(session.principal, "department", "office", "auditor")
    return session


async def _officer(session: ConsoleUser) -> ConsoleSession:
    require_role(session.principal, "department")
    return session


Reader = Annotated[ConsoleSession, Depends(_reader)]
Officer = Annotated[ConsoleSession, Depends(_officer)]


def _is_officer(session: ConsoleSession) -> bool:
    return session.principal.role == "department"


def _stated(session: ConsoleSession, purpose: str, own: str) -> str | None:
    """The purpose of a read: the officer's is fixed; the office's or an auditor's is what
    they typed (None: not given yet, the page asks for it)."""
    if _is_officer(session):
        return own
    return access.require_purpose(purpose) if purpose.strip() else None


def _item_label(platform: Platform, code: str | None) -> str:
    if not code:
        return ""
    try:
        return platform.catalogue.item(code).name
    except XinyongError:
        return code


def _items(platform: Platform) -> list[dict[str, str]]:
    return [{"code": i.code, "name": i.name} for i in platform.catalogue.items()]


def _batch_row(platform: Platform, b: dict[str, Any]) -> dict[str, Any]:
    return {
        **b,
        "item_name": _item_label(platform, b["item_code"]),
        "received_text": beijing_time(b["received_at"]),
    }


def _job_row(platform: Platform, shown: dict[str, Any]) -> dict[str, Any]:
    """A job as ``import_jobs.view`` shows it, with its item's label and its time for people."""
    created = dt.datetime.fromisoformat(shown["created_at"])
    return {
        **shown,
        "item_name": _item_label(platform, shown["item"]),
        "created_text": beijing_time(created),
    }


def _list_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    page: int = 1,
    jobs_page: int = 1,
    department: str = "",
    purpose: str = "",
    status: int = 200,
    **extra: Any,
) -> Response:
    size = platform.settings.portal_page_size
    scope = session.principal.department_code if _is_officer(session) else department.strip()
    stated = _stated(session, purpose, OWN_RESULTS)
    shown: dict[str, Any] = {"asked": stated is not None}
    with platform.engine.begin() as conn:
        departments = access.departments(conn)
        if stated is not None:
            rows, total = batches.list_batches(
                conn, department_code=scope or None, limit=size, offset=(page - 1) * size
            )
            job_page = import_jobs.list_jobs(
                conn,
                department_code=scope or None,
                state=None,
                limit=size,
                offset=(jobs_page - 1) * size,
            )
            access.audit(
                conn,
                session.principal.actor,
                "read_batches",
                f"batches:{scope or '*'}",
                platform.clock.now(),
                stated,
                detail={"department": scope or None, "page": page, "jobs_page": jobs_page},
            )
            shown.update(
                batches=[_batch_row(platform, b) for b in rows],
                pg=pager(total, page, size),
                jobs=[_job_row(platform, j) for j in job_page["jobs"]],
                jobs_pg=pager(job_page["total"], jobs_page, size),
            )
    filters = {} if _is_officer(session) else {"department": scope, "purpose": purpose.strip()}
    context = _context(
        platform,
        session,
        request=request,
        items=_items(platform),
        departments=departments,
        filters=filters,
        query=urlencode({k: v for k, v in filters.items() if v}),
        jobs_query=urlencode({**{k: v for k, v in filters.items() if v}, "page": page}),
        purpose_query=_purpose_query(session, purpose),
        upload_path=CONSOLE_IMPORT_PATH,
        max_mib=platform.settings.max_import_bytes / (1024 * 1024),
        **shown,
        **extra,
    )
    return _render(request, "imports.html", context, status)


def _purpose_query(session: ConsoleSession, purpose: str) -> str:
    """What a link to a batch carries: the purpose the office or auditor stated here."""
    if _is_officer(session) or not purpose.strip():
        return ""
    return "?" + urlencode({"purpose": purpose.strip()})


@router.api_route("/console/imports", methods=PAGE, response_class=HTMLResponse)
def imports(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    page: PageNo = 1,
    jobs_page: PageNo = 1,
    department: DepartmentQ = "",
    purpose: PurposeQ = "",
) -> Response:
    """An officer: the upload form and their department's batches and jobs, newest first.
    The office and auditors: every department's (or one's), once they state a purpose."""
    if _is_officer(session) and department.strip():
        require_own(session.principal, department.strip(), "报送记录", action="查看")
    return _list_page(
        request,
        platform,
        session,
        page=page,
        jobs_page=jobs_page,
        department=department,
        purpose=purpose,
    )


def _run_import(platform: Platform, data: bytes, **kwargs: Any) -> Any:
    """The API's import, behind the platform's import gate (one at a time on SQLite)."""
    with platform.import_gate:
        return platform.importer().import_bytes(data, **kwargs)


def _size_of(file: UploadFile) -> int:
    if file.size is not None:
        return file.size
    size = file.file.seek(0, 2)
    file.file.seek(0)
    return size


@router.post("/console/imports", response_class=HTMLResponse)
async def upload(
    request: Request,
    platform: PlatformDep,
    session: Officer,
    csrf: CsrfToken,
    file: Annotated[UploadFile, File(description="CSV、XLSX 或 JSON 文件")],
    item: ItemForm = "",
) -> Response:
    """Import one file as the officer's department, as ``POST /api/v1/imports`` does; the
    batch's page (or, for a large file, the import job's page) follows."""
    require_csrf(platform, request, csrf)
    department = session.principal.department_code
    assert department is not None  # noqa: S101 - require_role("department") guarantees it
    item_code = item.strip() or None
    filename = file.filename or "upload"
    actor = session.principal.actor

    def refused(exc: XinyongError) -> Response:
        return _list_page(
            request,
            platform,
            session,
            status=exc.status,
            error=redact_identifiers(exc.message_zh),
        )

    try:
        if _size_of(file) > platform.settings.async_import_bytes:
            job = await anyio.to_thread.run_sync(
                functools.partial(
                    platform.import_jobs().submit,
                    file.file,
                    filename=filename,
                    department_code=department,
                    item_code=item_code,
                    channel=CHANNEL,
                    actor=actor,
                )
            )
            return _see_other(f"/console/imports/jobs/{job['id']}")
        data = await file.read(platform.settings.max_import_bytes + 1)
        if not data:
            raise InputError("empty file", "上传的文件为空，请选择要报送的文件")
        result = await anyio.to_thread.run_sync(
            functools.partial(
                _run_import,
                platform,
                data,
                filename=filename,
                department_code=department,
                item_code=item_code,
                channel=CHANNEL,
                actor=actor,
            )
        )
    except XinyongError as exc:
        if exc.status >= 500:
            raise
        return refused(exc)
    if result.batch_id is not None:
        return _see_other(f"/console/imports/{result.batch_id}")
    # Nothing new: the same file again, or every row reported before.
    with platform.engine.connect() as conn:
        earlier = ledger.batch_of_file(
            conn, department, result.item, hashlib.sha256(data).hexdigest()
        )
    message = (
        f"该文件此前已报送（批次 {earlier}），未新增记录"
        if earlier is not None
        else f"文件中的 {result.rows} 行均已报送过（重复 {result.duplicates} 行），未新增记录"
    )
    return _list_page(request, platform, session, message=message, earlier=earlier)


def _see_other(path: str) -> Response:
    return _no_store(RedirectResponse(path, status_code=303))


@router.api_route("/console/imports/jobs/{job_id}", methods=PAGE, response_class=HTMLResponse)
def job_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    job_id: JobId,
    purpose: PurposeQ = "",
) -> Response:
    """An import job's progress, reloading itself until it is done; then its batch. An
    officer sees their department's jobs (no purpose, as the API); the office and auditors
    state a purpose (audited as ``read_import_job``)."""
    who = session.principal
    job: dict[str, Any] | None = None
    if _is_officer(session):
        with platform.engine.connect() as conn:
            job = import_jobs.get_job(conn, job_id)
        require_own(who, job["department_code"], "报送任务", action="查看")
    elif purpose.strip():
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
    shown = _job_row(platform, import_jobs.view(job)) if job is not None else None
    running = shown is not None and shown["state"] in ("queued", "running")
    context = _context(
        platform,
        session,
        request=request,
        job_id=job_id,
        job=shown,
        refresh=JOB_REFRESH_SECONDS if running else None,
        purpose_query=_purpose_query(session, purpose),
    )
    return _render(request, "imports_job.html", context)


@router.api_route("/console/imports/{batch_id}", methods=PAGE, response_class=HTMLResponse)
def batch_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    batch_id: BatchId,
    purpose: PurposeQ = "",
) -> Response:
    """One batch's result: counts, the file's headers, warnings, each rejected row's
    problems (values masked), the rejection file and, for the officer, the resend form."""
    who = session.principal
    stated = _stated(session, purpose, OWN_RESULTS)
    batch: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    with platform.engine.begin() as conn:
        found = batches.get_batch(conn, batch_id)
        require_own(who, found["department_code"], "批次", action="查看")
        if stated is not None:
            batch = _batch_row(platform, found)
            result = batches.batch_result(conn, batch_id)
            access.audit(
                conn, who.actor, "read_batch", f"batch:{batch_id}", platform.clock.now(), stated
            )
    context = _context(
        platform,
        session,
        request=request,
        batch_id=batch_id,
        batch=batch,
        result=result,
        items=_items(platform),
        upload_path=CONSOLE_IMPORT_PATH,
        purpose_query=_purpose_query(session, purpose),
        max_mib=platform.settings.max_import_bytes / (1024 * 1024),
    )
    return _render(request, "imports_batch.html", context)


@router.api_route(
    "/console/imports/{batch_id}/rejections", methods=PAGE, response_class=HTMLResponse
)
def rejection_file(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    batch_id: BatchId,
    purpose: PurposeQ = "",
) -> Response:
    """The rejection file, as ``GET /api/v1/batches/{id}/rejections``: as sent for the
    submitting department, masked for the office and auditors (who state a purpose)."""
    who = session.principal
    stated = _stated(session, purpose, OWN_REJECTIONS)
    if stated is None:
        return _see_other(f"/console/imports/{batch_id}")
    with platform.engine.begin() as conn:
        found = batches.get_batch(conn, batch_id)
        require_own(who, found["department_code"], "批次", action="查看")
        out = batches.rejection_file(
            conn,
            found,
            unseal=platform.vault.unseal,
            asker_department=who.department_code,
            actor=who.actor,
            purpose=stated,
            now=platform.clock.now(),
        )
    return _no_store(
        Response(
            out.content,
            media_type=out.media_type,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(out.filename)}"},
        )
    )
