"""Dependencies shared by the HTTP routers: the platform, the caller, and the error shape.

Routers live in ``web/routes/`` (one module per bounded context) and reach the platform
through ``request.app.state`` rather than closures, so each can be written and tested alone.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Header, HTTPException, Request

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.errors import PermissionDenied, XinyongError


def error(status: int, exc: XinyongError) -> HTTPException:
    """The API's one error shape: ``{"detail": {"message": 中文, "message_en": English}}``."""
    return HTTPException(status, detail={"message": exc.message_zh, "message_en": exc.message_en})


# Dependencies are coroutines: FastAPI runs a plain-function dependency in the thread pool,
# and each such hop costs more than the dependency (measured on the check endpoint).


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def _look_up(platform: Platform, x_api_key: str | None, digest: str) -> access.Principal:
    """Authenticate against the database; remember the caller (see ``access.cache``)."""
    cache = platform.principal_cache
    read_at = cache.now()  # before the query, so the entry expires ttl after what it reflects
    try:
        with platform.engine.connect() as conn:
            who = access.authenticate(conn, x_api_key)
    except PermissionDenied as exc:
        raise error(401, exc) from exc
    if digest:
        cache.put(digest, who, read_at)
    return who


async def get_principal(
    platform: PlatformDep, x_api_key: Annotated[str | None, Header()] = None
) -> access.Principal:
    """The caller of this key, remembered for ``api_key_cache_seconds`` (a key lookup costs a
    pooled connection and a query; a check must stay a few milliseconds). A remembered key
    is answered on the event loop; a lookup goes to a worker thread."""
    digest = access.hash_key(x_api_key) if x_api_key else ""
    remembered = platform.principal_cache.get(digest) if digest else None
    if remembered is not None:
        return remembered
    return await anyio.to_thread.run_sync(_look_up, platform, x_api_key, digest)


async def get_optional_principal(
    platform: PlatformDep, x_api_key: Annotated[str | None, Header()] = None
) -> access.Principal | None:
    return await get_principal(platform, x_api_key) if x_api_key else None


PrincipalDep = Annotated[access.Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[access.Principal | None, Depends(get_optional_principal)]


def require_role(who: access.Principal, *roles: str) -> None:
    """403 unless the caller's role is one of ``roles``."""
    if who.role not in roles:
        names = {"department": "部门业务系统", "office": "信用办", "auditor": "审计"}
        allowed = "、".join(names.get(r, r) for r in roles)
        raise error(
            403,
            PermissionDenied(
                f"role {who.role} not allowed (needs one of {', '.join(roles)})",
                f"当前角色无权执行此操作，仅限：{allowed}",
            ),
        )
