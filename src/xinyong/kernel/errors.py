"""Errors that carry both a Chinese message for end users and an English one for logs."""

from __future__ import annotations

from dataclasses import dataclass


class XinyongError(Exception):
    """Base error. ``message_zh`` is shown to users, ``str(exc)`` (English) goes to logs.

    ``status`` is the HTTP status the web layer answers with and ``code`` a stable machine
    code for clients; subclasses set both, so the status of an error is decided where the
    error is defined and one handler (``web/errors.py``) serves every route.
    """

    status: int = 500
    code: str = "error"

    def __init__(self, message_en: str, message_zh: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en


class ConfigurationError(XinyongError):
    """A catalogue, calendar or settings file is invalid; raised at load time."""

    status = 500  # the deployment is at fault, not the request
    code = "configuration_error"


class UnknownCalendarYear(XinyongError):
    """A working-day computation reached a year with no official schedule loaded."""

    # The request asks for a date the platform cannot count working days in; retrying the
    # same request cannot succeed, so this is not a 503.
    status = 422
    code = "unknown_calendar_year"


class NotFound(XinyongError):
    """A subject, batch or other record does not exist."""

    status = 404
    code = "not_found"


class PermissionDenied(XinyongError):
    """The caller may not perform this action."""

    status = 403
    code = "permission_denied"


class Unauthenticated(PermissionDenied):
    """No API key, or a key that is unknown or revoked."""

    status = 401
    code = "unauthenticated"


class Conflict(XinyongError):
    """The request conflicts with the current state: a version or state that moved on, a
    step not allowed from the current state, a duplicate. Base of every conflict."""

    status = 409
    code = "conflict"


class RateLimited(XinyongError):
    """Too many requests from one client in a short time; ``retry_after`` in seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message_en: str, message_zh: str | None = None, retry_after: int = 1):
        super().__init__(message_en, message_zh)
        self.retry_after = retry_after


class InputError(XinyongError):
    """A whole input (file, request) cannot be processed at all."""

    status = 422
    code = "invalid_input"


class InputLimitExceeded(InputError):
    """A file exceeds one of the configured input limits (size, rows, columns, depth, …)."""

    code = "input_limit_exceeded"


class UnsupportedEncoding(InputError):
    """A text file is not UTF-8 or GB18030 (Big5, UTF-16 without BOM, …)."""

    code = "unsupported_encoding"


def clip_echo(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, marked with its full length when cut, so a
    huge cell is never repeated whole in a message, a rejection or the rejection file."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}…（共{len(value):,}字）"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one field of one input row.

    ``row`` is the 1-based data row number as the submitter sees it (for CSV/XLSX the
    spreadsheet line, header = line 1); ``reason`` is Chinese, ``reason_en`` English.
    """

    row: int
    field: str
    value: str
    reason: str
    reason_en: str
    severity: str = "error"  # "error" rejects the row; "warning" keeps it

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
            "reason_en": self.reason_en,
            "severity": self.severity,
        }
