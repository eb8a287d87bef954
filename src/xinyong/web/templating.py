"""The portal's templates and static files, shared by every page route.

Every page extends ``templates/base.html``, which needs ``site`` (name, 备案号, contact from
the settings) and ``static_url`` (an asset's address with its content hash): both come from
here, for any template rendered with ``TEMPLATES``, so a route module never passes them.

Static files are served under ``/static`` with a long cache: the portal's own files are
addressed with ``?v=<hash of the content>`` (a new version is a new address) and the vendored
ones sit in folders named by their version.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
# A year: every address under /static changes when its content does.
STATIC_CACHE = "public, max-age=31536000, immutable"
DEFAULT_SITE_NAME = "信用信息公示平台"


@dataclass(frozen=True)
class Site:
    """What the frame of every page shows (settings ``XINYONG_SITE_*``)."""

    name: str
    icp: str
    contact: str


@functools.cache
def _digest(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """The address of ``static/<name>`` with its content hash, safe to cache for a year."""
    return f"{STATIC_URL}/{name}?v={_digest(name)}"


def site_of(request: Request) -> Site:
    """The site's frame for this request's application (its platform's settings); the
    defaults for an application without a platform."""
    platform = getattr(request.app.state, "platform", None)
    settings = getattr(platform, "settings", None)
    if settings is None:
        return Site(DEFAULT_SITE_NAME, "", "")
    return Site(settings.site_name, settings.site_icp, settings.site_contact)


def _frame(request: Request) -> dict[str, Any]:
    return {"site": site_of(request)}


TEMPLATES = Jinja2Templates(directory=str(TEMPLATE_DIR), context_processors=[_frame])


def compile_all() -> int:
    """Compile every template now (at start-up) instead of on its first request; the number
    compiled."""
    env = TEMPLATES.env
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)


# How an actor string (access.Principal.actor, selfservice.actor_of, the CLI's operator)
# reads in a case's history: the name first, then what kind of party acted.
ACTOR_KINDS = {"user": "控制台用户", "client": "业务系统接口", "cli": "命令行"}


def actor_label(actor: str) -> str:
    """``user:5:wang`` → ``wang（控制台用户）``, ``subject:<USCC>`` → ``主体本人（<USCC>）``,
    ``system`` → ``系统``; anything else as it is."""
    if actor == "system":
        return "系统"
    kind, _, rest = actor.partition(":")
    if kind in ("user", "client"):
        number, _, name = rest.partition(":")
        return f"{name or number}（{ACTOR_KINDS[kind]}）"
    if kind == "cli" and rest:
        return f"{rest}（{ACTOR_KINDS[kind]}）"
    if kind == "subject" and rest:
        return f"主体本人（{rest}）"
    return actor


TEMPLATES.env.globals["static_url"] = static_url
TEMPLATES.env.filters["actor"] = actor_label


class CachedStaticFiles(StaticFiles):
    """``StaticFiles`` whose answers may be cached for a year (see ``static_url``)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = STATIC_CACHE
        return response
