"""What the pages of signed-in people share (the staff console, the subject's own pages):
their session cookies and their never-cached HTML answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.kernel.errors import XinyongError
from xinyong.web.templating import TEMPLATES


def set_session_cookie(
    response: Response, name: str, value: str, max_age: int, *, secure: bool
) -> None:
    """A session or login cookie: the whole site, unreadable by scripts, not sent on
    cross-site posts; ``secure`` off only for plain http on loopback (the demo)."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="lax"
    )


def clear_session_cookie(response: Response, name: str, *, secure: bool) -> None:
    response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")


def no_store(response: Response) -> Response:
    """A page with a person's data is never kept by a browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    no_store(response)
    return response


def sign_in_required(login_path: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    """The answer to a request without the session its pages need: a page is sent to
    ``login_path`` (303), any other method is the Chinese 401 page."""

    async def answer(request: Request, exc: Exception) -> Response:
        if request.method in ("GET", "HEAD"):
            return no_store(RedirectResponse(login_path, status_code=303))
        assert isinstance(exc, XinyongError)  # noqa: S101 - registered for such classes only
        context = {"status": 401, "title": "未登录", "message": exc.message_zh}
        return render(request, "error.html", context, 401)

    return answer
