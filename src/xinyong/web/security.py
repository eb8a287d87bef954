"""Transport-level guards, as one pure ASGI middleware in front of the application.

- **Key before body.** A write under ``/api/`` with a body is refused (401) before a byte of
  the body is read when it has no ``X-API-Key`` or a key that does not authenticate: a
  200 MB upload with a missing or wrong key costs the server nothing. The check here is
  needed: FastAPI reads and parses a route's body *before* it resolves the route's
  dependencies, the key among them. It goes through the same per-process key cache as the
  route's own dependency, so the route's second look at the key is a memory hit. The console's
  upload form (``POST /console/imports``) is the one page write treated alike: its session
  cookie must be a department officer's before the body is read, and its refusals are the
  Chinese error page rather than JSON.
- **Bounded bodies.** A declared ``Content-Length`` over the limit is refused (413) at once; a
  body sent without one (chunked) is counted as it arrives and refused the moment it passes
  the limit. Imports get ``XINYONG_MAX_IMPORT_BYTES`` plus room for the multipart envelope;
  a form with attachments (``upload_paths``) the attachment limits; every other request
  ``XINYONG_MAX_JSON_BODY_BYTES``.
- **Security headers** on every response: a Content-Security-Policy that allows this host only
  (the API documentation's one inline start-up script by its hash; inline styles on those two
  pages only, the portal's styles are a file), no framing, no referrer,
  no MIME sniffing, and ``Cache-Control: no-store`` on any answer to a request that carried a
  key (internal data must not sit in a proxy or browser cache).

Errors have the application's one shape (``web/errors.py``), in Chinese with English beside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.kernel.errors import Unauthenticated, XinyongError
from xinyong.web.errors import error_payload

IMPORT_PATH = "/api/v1/imports"
# The console's upload form posts here: the import limit, and the session before the body.
CONSOLE_IMPORT_PATH = "/console/imports"
IMPORT_PATHS = frozenset({IMPORT_PATH, CONSOLE_IMPORT_PATH})
# Multipart headers, boundaries and the other form fields around the file.
MULTIPART_ALLOWANCE = 64 * 1024
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyTooLarge(XinyongError):
    status = 413
    code = "body_too_large"


def content_security_policy(script_hashes: Iterable[str], *, inline_styles: bool = False) -> str:
    """The policy of every answer. Styles come from this host only (the portal's
    ``static/portal.css``); ``inline_styles`` is for the API documentation pages, whose
    vendored Swagger UI and ReDoc write their styles inline (styles cannot run code)."""
    scripts = " ".join(f"'{h}'" for h in sorted(set(script_hashes)))
    styles = "style-src 'self' 'unsafe-inline'" if inline_styles else "style-src 'self'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {scripts}".rstrip(),
            styles,
            "img-src 'self' data:",
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _headers(csp: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", csp),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
    ]


def security_headers(script_hashes: Iterable[str]) -> dict[str, str]:
    """The guard's headers for an answer written outside it (an unexpected error's 500,
    which is never to be cached either)."""
    csp = content_security_policy(script_hashes).encode()
    out = {k.decode(): v.decode() for k, v in _headers(csp)}
    out["cache-control"] = "no-store"
    return out


class Guard:
    """The ASGI middleware: key before body, bounded bodies, security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        import_limit: int,
        body_limit: int,
        script_hashes: Iterable[str] = (),
        inline_style_paths: Iterable[str] = (),
        upload_paths: re.Pattern[str] | None = None,
        upload_limit: int = 0,
        authenticate: Callable[[str, str], Awaitable[object]] | None = None,
        authenticate_session: Callable[[str], Awaitable[object]] | None = None,
        render_page: Callable[[XinyongError], bytes] | None = None,
    ) -> None:
        """``authenticate(key, path)`` raises a ``XinyongError`` for a key that is refused
        (401), or whose role may not write to ``path`` at all (403), before the body is read;
        ``authenticate_session(cookie header)`` does the same for the console's upload form.
        ``render_page`` writes a refusal of a page request (not under ``/api/``) as HTML."""
        self.app = app
        self.authenticate = authenticate
        self.authenticate_session = authenticate_session
        self.render_page = render_page
        self.import_limit = import_limit + MULTIPART_ALLOWANCE
        self.body_limit = body_limit
        # Forms that carry files (a case step's attachments): their own, larger limit.
        self.upload_paths = upload_paths
        self.upload_limit = upload_limit + MULTIPART_ALLOWANCE
        hashes = list(script_hashes)
        self.csp = content_security_policy(hashes).encode()
        self.inline_style_paths = frozenset(inline_style_paths)
        self.csp_inline_styles = content_security_policy(hashes, inline_styles=True).encode()

    def _limit(self, path: str) -> int:
        if path in IMPORT_PATHS:
            return self.import_limit
        if self.upload_paths is not None and self.upload_paths.match(path):
            return max(self.upload_limit, self.body_limit)
        return self.body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        headers = dict(raw_headers)
        keyed = b"x-api-key" in headers
        overflow = False

        path: str = scope.get("path", "")
        csp = self.csp_inline_styles if path in self.inline_style_paths else self.csp

        async def send_with_headers(message: Message) -> None:
            if overflow:  # the application's answer to a cut-off body is replaced by the 413
                return
            await send(self._with_headers(message, keyed, csp))

        async def send_refusal(message: Message) -> None:
            await send(self._with_headers(message, keyed, csp))

        page = not path.startswith("/api/")

        method: str = scope.get("method", "GET")
        has_body = b"transfer-encoding" in headers or headers.get(b"content-length", b"0") != b"0"
        if method in _WRITE_METHODS and path.startswith("/api/") and has_body:
            if not keyed:
                await self._refuse(_unauthenticated(), send_refusal)
                return
            if self.authenticate is not None:
                # The first of repeated headers, as the route reads it (Starlette's Headers).
                key = next(v for k, v in raw_headers if k == b"x-api-key").decode("latin-1")
                try:
                    await self.authenticate(key, path)
                except XinyongError as exc:
                    await self._refuse(_body_unread(exc), send_refusal)
                    return
        elif (
            method == "POST"
            and path == CONSOLE_IMPORT_PATH
            and has_body
            and self.authenticate_session is not None
        ):
            cookie = b"; ".join(v for k, v in raw_headers if k == b"cookie").decode("latin-1")
            try:
                await self.authenticate_session(cookie)
            except XinyongError as exc:
                await self._refuse(_body_unread(exc), send_refusal, page)
                return
        limit = self._limit(path)
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size > limit:
                await self._refuse(_too_large(limit), send_refusal, page)
                return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received, overflow
            if overflow:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # To the application the client has gone: it stops reading and its
                    # answer is dropped for ours.
                    overflow = True
                    return {"type": "http.disconnect"}
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except Exception:
            if not overflow:
                raise
        if overflow:
            await self._refuse(_too_large(limit), send_refusal, page)

    def _with_headers(self, message: Message, keyed: bool, csp: bytes) -> Message:
        if message["type"] != "http.response.start":
            return message
        extra = _headers(csp)
        if keyed:
            extra.append((b"cache-control", b"no-store"))
        have = {k.lower() for k, _ in message.get("headers", [])}
        message["headers"] = [
            *message.get("headers", []),
            *((k, v) for k, v in extra if k not in have),
        ]
        return message

    async def _refuse(self, exc: XinyongError, send: Any, page: bool = False) -> None:
        if page and self.render_page is not None:
            body, media = self.render_page(exc), b"text/html; charset=utf-8"
        else:
            payload = error_payload(exc.code, exc.message_zh, exc.message_en)
            body, media = json.dumps(payload, ensure_ascii=False).encode(), b"application/json"
        headers = [
            (b"content-type", media),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        if exc.status == 401 and not page:  # as web/errors.py answers a 401
            headers.append((b"www-authenticate", b"ApiKey"))
        await send({"type": "http.response.start", "status": exc.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> BodyTooLarge:
    mib = limit / (1024 * 1024)
    return BodyTooLarge(
        f"request body over the limit of {limit} bytes",
        f"请求体超过上限 {mib:,.1f} MiB（{limit:,} 字节），未处理",
    )


def _body_unread(exc: XinyongError) -> XinyongError:
    """The refusal of the key, saying the body was not read."""
    return type(exc)(f"{exc.message_en}; the body was not read", f"{exc.message_zh}，请求体未读取")


def _unauthenticated() -> XinyongError:
    return Unauthenticated(
        "missing API key (X-API-Key); the body was not read",
        "缺少 API 密钥（请求头 X-API-Key），请求体未读取",
    )
