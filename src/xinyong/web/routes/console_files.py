"""The console's view of one subject's internal credit file (``/console/subjects/file``).

The same use case as ``GET /api/v1/subjects/{code}/file?view=internal`` and ``xinyong file
--view internal``: ``creditfile.read_credit_file`` with the session's principal as the
reader, the purpose the officer states (audited as ``read_file``), and a department
officer's scope: what is public, the department's own records, and what other departments
provided that the catalogue shares (marked 无条件共享 / 有条件共享, e.g. a 约谈记录). The
office and auditors read the whole internal file; inspectors (public reads) are refused.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.creditfile.service import read_credit_file
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import XinyongError
from xinyong.web.deps import PlatformDep, require_role
from xinyong.web.routes.console import PAGE, ConsoleUser, _context, _render

router = APIRouter(include_in_schema=False)

PATH = "/console/subjects/file"
READERS = ("office", "auditor", "department")  # the API's readers of an internal file


async def _reader(session: ConsoleUser) -> ConsoleSession:
    require_role(session.principal, *READERS)
    return session


Reader = Annotated[ConsoleSession, Depends(_reader)]
Code = Annotated[str | None, Query(max_length=40, description="统一社会信用代码")]
Purpose = Annotated[
    str | None, Query(max_length=access.PURPOSE_MAX_LENGTH, description="查询用途（记入审计日志）")
]


@router.api_route(PATH, methods=PAGE, response_class=HTMLResponse)
def subject_file(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    code: Code = None,
    purpose: Purpose = None,
) -> Response:
    """The form (code, purpose) and, once both are given, the subject's internal file as
    this reader may see it."""
    who = session.principal
    scope = who.department_code if who.role == "department" else None
    wanted = (code or "").strip()
    context: dict[str, Any] = {"code": wanted, "purpose": (purpose or "").strip(), "scope": scope}
    status = 200
    if wanted:
        try:
            stated = access.require_purpose(purpose)
            with platform.engine.begin() as conn:
                cf = read_credit_file(
                    conn,
                    platform.catalogue,
                    platform.sanctions,
                    wanted,
                    as_of=platform.clock.today(),
                    view="internal",
                    now=platform.clock.now(),
                    actor=who.actor,
                    purpose=stated,
                    department=scope,
                )
            context["cf"] = cf.as_dict()
            context["shared"] = len(cf.shared_entries)
        except XinyongError as exc:
            status = 400 if exc.status == 422 else exc.status
            context["error"] = redact_identifiers(exc.message_zh)
            # The code is not shown again: it may be an ID number typed in its place.
            context["code"] = ""
    return _render(
        request,
        "subject_file.html",
        _context(platform, session, request=request, **context),
        status,
    )
