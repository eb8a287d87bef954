"""Errors that carry both a Chinese message for end users and an English one for logs."""

from __future__ import annotations

from dataclasses import dataclass


class XinyongError(Exception):
    """Base error. ``message_zh`` is shown to users, ``str(exc)`` (English) goes to logs."""

    def __init__(self, message_en: str, message_zh: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en


class ConfigurationError(XinyongError):
    """A catalogue, calendar or settings file is invalid; raised at load time."""


class UnknownCalendarYear(XinyongError):
    """A working-day computation reached a year with no official schedule loaded."""


class NotFound(XinyongError):
    """A subject, batch or other record does not exist."""


class PermissionDenied(XinyongError):
    """The caller may not perform this action."""


class InputError(XinyongError):
    """A whole input (file, request) cannot be processed at all."""


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
