"""Dependencies shared by the HTTP routers: the platform, the caller, roles and departments.

Routers live in ``web/routes/`` (one module per bounded context) and reach the platform
through ``request.app.state`` rather than closures, so each can be written and tested alone.
Errors are raised, never shaped here: ``web/errors.py`` answers every ``XinyongError`` with
its own status.

Who may do what is declared in the signature: a route takes ``Caller`` (any valid key),
one of the role dependencies (``DepartmentClient``, ``Office``, ``OfficeOrAuditor``,
``DepartmentOrOffice``, ``Reader``) or, for the few public operations, declares
``dependencies=[PUBLIC]`` (optionally with ``OptionalCaller``). ``tests/web/test_routes.py``
walks the routes and refuses an ``/api/v1`` operation that declares neither.
Department scoping goes through ``department_scope`` and ``require_own``.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from collections.abc import Awaitable, Callable
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.errors import PermissionDenied

API_KEY_HEADER = "X-API-Key"
ROLE_LABELS = access.ROLE_LABELS

# Declares the scheme in the OpenAPI document; auto_error=False because a missing key is
# answered by access.authenticate in the platform's error shape (401), and public
# operations take the key optionally.
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER,
    scheme_name="ApiKey",
    description="部门业务系统、信用办或审计的 API 密钥（由 `xinyong key issue` 或 "
    "`xinyong department add` 签发，只显示一次）。",
    auto_error=False,
)

# Dependencies are coroutines: FastAPI runs a plain-function dependency in the thread pool,
# and each such hop costs more than the dependency (measured on the check endpoint).


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
ApiKey = Annotated[str | None, Security(api_key_scheme)]


def _look_up(platform: Platform, x_api_key: str | None, digest: str) -> access.Principal:
    """Authenticate against the database; remember the caller (see ``access.cache``)."""
    cache = platform.principal_cache
    read_at = cache.now()  # before the query, so the entry expires ttl after what it reflects
    with platform.engine.connect() as conn:
        who = access.authenticate(conn, x_api_key)  # Unauthenticated (401) when refused
    if digest:
        cache.put(digest, who, read_at)
    return who


async def principal_for(platform: Platform, x_api_key: str | None) -> access.Principal:
    """The caller of this key, remembered for ``api_key_cache_seconds`` (a key lookup costs a
    pooled connection and a query; a check must stay a few milliseconds). A remembered key
    is answered on the event loop; a lookup goes to a worker thread. Also used by the guard
    of ``web/security.py``, which refuses a bad key before the body is read."""
    digest = access.hash_key(x_api_key) if x_api_key else ""
    remembered = platform.principal_cache.get(digest) if digest else None
    if remembered is not None:
        return remembered
    return await anyio.to_thread.run_sync(_look_up, platform, x_api_key, digest)


async def get_principal(platform: PlatformDep, x_api_key: ApiKey) -> access.Principal:
    return await principal_for(platform, x_api_key)


async def get_optional_principal(
    platform: PlatformDep, x_api_key: ApiKey
) -> access.Principal | None:
    return await get_principal(platform, x_api_key) if x_api_key else None


Caller = Annotated[access.Principal, Depends(get_principal)]
OptionalCaller = Annotated[access.Principal | None, Depends(get_optional_principal)]
# The names routes used before the role dependencies; kept for routes that take any caller.
PrincipalDep = Caller
OptionalPrincipalDep = OptionalCaller


async def _public() -> None:
    """Marks an operation as public on purpose (no key needed): see the module docstring."""


PUBLIC = Depends(_public)


def require_role(who: access.Principal, *roles: str) -> None:
    """403 unless the caller's role is one of ``roles``."""
    if who.role not in roles:
        allowed = "、".join(ROLE_LABELS.get(r, r) for r in roles)
        raise PermissionDenied(
            f"role {who.role} not allowed (needs one of {', '.join(roles)})",
            f"当前角色无权执行此操作，仅限：{allowed}",
        )
    if who.role == "department" and who.department_code is None:
        raise PermissionDenied("department client without a department", "该密钥未关联部门")


def _role(*roles: str) -> Callable[[access.Principal], Awaitable[access.Principal]]:
    async def dependency(who: Caller) -> access.Principal:
        require_role(who, *roles)
        return who

    dependency.__name__ = f"role_{'_or_'.join(roles)}"
    return dependency


DepartmentClient = Annotated[access.Principal, Depends(_role("department"))]
Office = Annotated[access.Principal, Depends(_role("office"))]
OfficeOrAuditor = Annotated[access.Principal, Depends(_role("office", "auditor"))]
DepartmentOrOffice = Annotated[access.Principal, Depends(_role("department", "office"))]
Reader = Annotated[access.Principal, Depends(_role("department", "office", "auditor"))]


def department_scope(
    who: access.Principal, requested: str | None, what: str = "数据"
) -> str | None:
    """The department a read is limited to: a department's client sees its own department
    only (asking for another is refused, not silently narrowed); the office and auditors see
    the department they ask for, or every department (None)."""
    if who.role != "department":
        return requested
    require_own(who, requested or who.department_code, what, action="查看")
    return who.department_code


def require_own(
    who: access.Principal, department_code: str | None, what: str, action: str = "查看和办理"
) -> None:
    """403 when a department's client reaches for another department's ``what`` (a batch,
    a case, data to submit); the office and auditors are not limited by department."""
    if who.role != "department":
        return
    if who.department_code is None:
        raise PermissionDenied("department client without a department", "该密钥未关联部门")
    if department_code != who.department_code:
        raise PermissionDenied(
            f"department client of {who.department_code} is limited to its own department "
            f"({department_code} requested)",
            f"{'本账号' if who.kind == 'user' else '本密钥'}属于部门“{who.department_code}”，"
            f"只能{action}本部门的{what}，"
            f"不能{action}部门“{department_code}”的{what}",
        )
