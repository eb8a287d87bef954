"""One error handler for the whole application.

Every error has its HTTP status from its class (``XinyongError.status``, see
``kernel/errors.py``) and one shape: ``{"detail": {"code", "message": 中文, "message_en":
English}}``, plus ``fields`` for a malformed request. A page (any path outside ``/api/``)
gets the Chinese error page instead, never JSON.

A malformed request never echoes a value: the ID number typed into ``subject``, a name in
``q`` or a record number in ``record`` would otherwise come back in clear. Each problem
names its location, field and reason; the caller still has the value it sent. A service's
message may quote a code the caller typed; anything in it that looks like an ID number is
masked (``identity.redact``) before it is shown or logged.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import RateLimited, XinyongError
from xinyong.web.schemas.common import PATTERN_LABELS

log = logging.getLogger("xinyong.web")

# Paths outside /api/ that answer JSON.
_JSON_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json"})

_LOCATIONS = {
    "body": ("请求体字段", "body"),
    "query": ("查询参数", "query"),
    "path": ("路径参数", "path"),
    "header": ("请求头", "header"),
    "cookie": ("Cookie", "cookie"),
}

_REASONS: dict[str, tuple[str, str]] = {
    "missing": ("必须填写", "required"),
    "string_type": ("应为文本", "must be a string"),
    "int_type": ("应为整数", "must be an integer"),
    "int_parsing": ("应为整数", "must be an integer"),
    "int_from_float": ("应为整数", "must be an integer"),
    "int_parsing_size": ("整数超出允许范围", "integer out of range"),
    "float_type": ("应为数字", "must be a number"),
    "float_parsing": ("应为数字", "must be a number"),
    "finite_number": ("应为有限的数字", "must be a finite number"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "date_type": ("应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_parsing": ("应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": ("应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": ("应为日期，不能带时间", "must be a date without a time"),
    "datetime_type": ("应为日期时间（ISO 8601）", "must be a datetime (ISO 8601)"),
    "datetime_parsing": ("应为日期时间（ISO 8601）", "must be a datetime (ISO 8601)"),
    "datetime_from_date_parsing": ("应为日期时间（ISO 8601）", "must be a datetime (ISO 8601)"),
    "json_invalid": ("不是有效的 JSON", "invalid JSON"),
    "json_type": ("应为 JSON", "must be JSON"),
    "model_attributes_type": ("应为 JSON 对象", "must be a JSON object"),
    "model_type": ("应为 JSON 对象", "must be a JSON object"),
    "dict_type": ("应为 JSON 对象", "must be a JSON object"),
    "list_type": ("应为数组", "must be an array"),
    "extra_forbidden": ("不认识的字段", "unknown field"),
    "string_unicode": ("应为文本", "must be text"),
    "bytes_type": ("应为文件或文本", "must be a file or text"),
    "url_parsing": ("应为网址", "must be a URL"),
    "uuid_parsing": ("应为 UUID", "must be a UUID"),
    "value_error": ("取值无效", "invalid value"),
    "assertion_error": ("取值无效", "invalid value"),
}

_STATUS_TEXT = {
    400: ("请求有误", "bad request"),
    401: ("需要授权", "authentication required"),
    403: ("无权访问", "forbidden"),
    404: ("未找到", "not found"),
    405: ("不支持该请求方式", "method not allowed"),
    409: ("与当前状态冲突", "conflict"),
    413: ("请求过大", "request too large"),
    415: ("不支持的内容类型", "unsupported media type"),
    422: ("请求有误", "unprocessable request"),
    429: ("访问过于频繁", "too many requests"),
    500: ("系统内部错误", "internal error"),
    503: ("服务暂不可用", "service unavailable"),
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_payload(
    code: str, message: str, message_en: str, fields: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The one shape of an API error (also written by web/security.py before any route runs)."""
    detail: dict[str, Any] = {"code": code, "message": message, "message_en": message_en}
    if fields is not None:
        detail["fields"] = fields
    return {"detail": detail}


def _reason(err: dict[str, Any]) -> tuple[str, str]:
    """Chinese and English reason for one pydantic error, from its type and context only:
    never from the input, and not from pydantic's message (a custom validator's message
    may quote the value)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in ("string_too_long", "too_long"):
        n = ctx.get("max_length")
        unit, unit_en = ("个字符", "characters") if kind == "string_too_long" else ("项", "items")
        return f"过长（最多 {n} {unit}）", f"too long (at most {n} {unit_en})"
    if kind in ("string_too_short", "too_short"):
        n = ctx.get("min_length")
        unit, unit_en = ("个字符", "characters") if kind == "string_too_short" else ("项", "items")
        return f"过短（至少 {n} {unit}）", f"too short (at least {n} {unit_en})"
    bounds = {
        "greater_than_equal": ("ge", "应不小于", "must be >="),
        "greater_than": ("gt", "应大于", "must be >"),
        "less_than_equal": ("le", "应不大于", "must be <="),
        "less_than": ("lt", "应小于", "must be <"),
    }
    if kind in bounds:
        key, zh, en = bounds[kind]
        return f"{zh} {ctx.get(key)}", f"{en} {ctx.get(key)}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        label = PATTERN_LABELS.get(pattern)
        if label is not None:
            return f"格式不正确：{label[0]}", f"bad format: {label[1]}"
        return "格式不正确", f"does not match {pattern}"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        return (
            f"取值不在允许范围内，可选：{expected.replace(' or ', '、')}",
            f"must be one of {expected}",
        )
    return _REASONS.get(kind, ("格式不正确", f"invalid ({kind})"))


def field_problems(exc: RequestValidationError) -> list[dict[str, str]]:
    """One entry per problem: where (``location``, ``field``), why (``reason`` in Chinese,
    ``reason_en``) and the machine ``type``; no entry carries the value received."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        where = loc[0] if loc and loc[0] in _LOCATIONS else "body"
        names = loc[1:] if loc and loc[0] in _LOCATIONS else loc
        # A JSON syntax error is located by character offset, not by field.
        field = "" if err.get("type") == "json_invalid" else ".".join(names)
        reason, reason_en = _reason(err)
        out.append(
            {
                "location": _LOCATIONS[where][1],
                "field": field,
                "reason": reason,
                "reason_en": reason_en,
                "type": str(err.get("type", "")),
            }
        )
    return out


def _validation_messages(problems: list[dict[str, str]]) -> tuple[str, str]:
    zh, en = [], []
    for p in problems:
        label = _LOCATIONS[p["location"]][0]
        if p["field"]:
            zh.append(f"{label} {p['field']}：{p['reason']}")
            en.append(f"{p['location']}.{p['field']}: {p['reason_en']}")
        else:
            zh.append(f"请求体：{p['reason']}")
            en.append(f"{p['location']}: {p['reason_en']}")
    return "；".join(zh), "; ".join(en)


def _loggable(exc: Exception) -> str:
    """What of an unexpected error may go to the log: a validation error's text quotes the
    values it refused (personal data among them), so only its locations and types."""
    if isinstance(exc, ResponseValidationError | RequestValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('type')}" for e in exc.errors()
        )
    return redact_identifiers(str(exc))


def _retry_after(headers: Mapping[str, str] | None) -> int | None:
    """The seconds of a ``Retry-After`` header, for the 429 page (None for a date or none)."""
    value = (headers or {}).get("Retry-After", "")
    return int(value) if value.isdigit() and len(value) <= 6 else None


def new_request_id() -> str:
    """The number of one failed request, shown to the reader and written in the log."""
    return secrets.token_hex(8)


def is_page(request: Request) -> bool:
    """Whether the request is for a page (answered in HTML) rather than the JSON API."""
    path = request.url.path
    return not path.startswith("/api/") and path not in _JSON_PATHS


def install(
    app: FastAPI, templates: Jinja2Templates, *, unexpected_headers: dict[str, str] | None = None
) -> None:
    """Register the handlers on ``app``; pages render ``error.html`` from ``templates``.
    ``unexpected_headers`` go on the answer to an unexpected error (a 500 is sent from
    outside the middleware, see ``web/security.py``)."""

    def answer(
        request: Request,
        status: int,
        code: str,
        message: str,
        message_en: str,
        fields: list[dict[str, str]] | None = None,
        *,
        request_id: str | None = None,
        retry_after: int | None = None,
    ) -> Response:
        headers = {"X-Request-ID": request_id} if request_id else {}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        if is_page(request):
            # A page's reader sees 400 for anything wrong with the request.
            shown = 400 if status == 422 else status
            title = _STATUS_TEXT.get(shown, _STATUS_TEXT[500 if shown >= 500 else 400])[0]
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "status": shown,
                    "title": title,
                    "message": message,
                    "request_id": request_id,
                    "retry_after": retry_after,
                },
                status_code=shown,
                headers=headers or None,
            )
        if status == 401:
            headers["WWW-Authenticate"] = "ApiKey"
        return JSONResponse(
            error_payload(code, message, message_en, fields), status, headers=headers or None
        )

    async def platform_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, XinyongError)  # noqa: S101 - registered for this class only
        zh, en = redact_identifiers(exc.message_zh), redact_identifiers(exc.message_en)
        if exc.status >= 500:
            log.error("%s on %s %s: %s", exc.code, request.method, request.url.path, en)
        else:
            log.info("%s %s: %s (%s)", request.method, request.url.path, exc.status, en)
        retry = exc.retry_after if isinstance(exc, RateLimited) else None
        return answer(request, exc.status, exc.code, zh, en, retry_after=retry)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        problems = field_problems(exc)
        zh, en = _validation_messages(problems)
        if is_page(request):
            zh = f"请求参数有误：{zh}"
        return answer(request, 422, "validation_error", zh, en, problems)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        if exc.status_code == 400:
            # FastAPI and Starlette say 400 for a body they cannot parse at all (not UTF-8,
            # broken multipart); it is a malformed request like invalid JSON, so the same 422.
            problem = {
                "location": "body",
                "field": "",
                "reason": "无法解析（JSON 应为 UTF-8 编码，文件应为完整的 multipart/form-data）",
                "reason_en": "cannot be parsed",
                "type": "body_unparsable",
            }
            zh, en = _validation_messages([problem])
            return answer(request, 422, "validation_error", zh, en, [problem])
        zh, en = _STATUS_TEXT.get(exc.status_code, ("请求有误", "error"))
        if exc.status_code == 404:
            zh = "请求的页面或接口不存在"
        if isinstance(exc.detail, str) and exc.detail:
            en = exc.detail
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        response = answer(
            request, exc.status_code, code, zh, en, retry_after=_retry_after(exc.headers)
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def unexpected(request: Request, exc: Exception) -> Response:
        # The server logs the traceback as well; this line names the request, and the number
        # the reader is shown (page, API message, X-Request-ID) finds it in the log.
        request_id = new_request_id()
        log.error(
            "unhandled %s on %s %s: %s [request %s]",
            type(exc).__name__,
            request.method,
            request.url.path,
            _loggable(exc),
            request_id,
        )
        # The page shows the number on a line of its own.
        quoted = "" if is_page(request) else f"并提供请求编号 {request_id}"
        response = answer(
            request,
            500,
            "internal_error",
            "系统内部错误，请求未能正常完成。请先查询确认办理结果再决定是否重试；"
            f"如果问题持续，请联系平台管理员{quoted}。",
            f"internal error ({type(exc).__name__}); request {request_id}",
            request_id=request_id,
        )
        for name, value in (unexpected_headers or {}).items():
            response.headers.setdefault(name, value)
        return response

    app.add_exception_handler(XinyongError, platform_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
