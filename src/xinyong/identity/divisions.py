"""GB/T 2260 administrative division codes with their history since 1981.

The shipped table (``data/divisions.csv``, built by ``tools/build_divisions.py``) has one row
per period in which a code carried one name. Periods are in whole years because the official
lists are yearly: a code "retired in 2016" was still in use for part of 2016, so year
boundaries are inclusive on both sides. That makes checks lenient, which is what we want:
division problems in identifiers are warnings, never grounds for rejecting a record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from xinyong.kernel.errors import ConfigurationError

DivisionState = Literal["in_use", "retired", "unknown"]

# Central-level registration authorities (e.g. SAMR itself) put 100000 in chars 3-8 of the
# unified social credit code; GB/T 2260 has no such row, so we add it ourselves.
NATIONAL_CODE = "100000"

_RECORD_STATUSES = frozenset({"in_use", "retired", "changed"})
_LEVELS = frozenset({"national", "province", "prefecture", "county", ""})
_REQUIRED_COLUMNS = ("code", "name", "status")


@dataclass(frozen=True, slots=True)
class DivisionRecord:
    """One period of one code. ``status`` is "in_use", "retired" or "changed" (the code kept
    going under another name or moved; ``successors`` says where)."""

    code: str
    name: str
    full_name: str
    level: str
    status: str
    valid_from: int | None
    retired_on: int | None
    successors: tuple[str, ...]

    def covers(self, year: int) -> bool:
        started = self.valid_from is None or self.valid_from <= year
        return started and (self.retired_on is None or year <= self.retired_on)


@dataclass(frozen=True, slots=True)
class DivisionStatus:
    """What a code meant on a given day (or today).

    ``valid_from`` and ``retired_on`` are years. For "unknown" codes that exist only later
    than the requested date, the fields describe that later period so messages can say so;
    for codes in no list at all they are empty.
    """

    code: str
    status: DivisionState
    name: str | None = None
    full_name: str | None = None
    level: str | None = None
    valid_from: int | None = None
    retired_on: int | None = None
    successors: tuple[str, ...] = ()

    @property
    def in_use(self) -> bool:
        return self.status == "in_use"


_NATIONAL = DivisionRecord(
    code=NATIONAL_CODE,
    name="全国",
    full_name="中华人民共和国",
    level="national",
    status="in_use",
    valid_from=None,
    retired_on=None,
    successors=(),
)


def _status(record: DivisionRecord, state: DivisionState) -> DivisionStatus:
    return DivisionStatus(
        code=record.code,
        status=state,
        name=record.name,
        full_name=record.full_name,
        level=record.level,
        valid_from=record.valid_from,
        retired_on=record.retired_on,
        successors=record.successors,
    )


def _newest(records: Iterable[DivisionRecord]) -> DivisionRecord:
    return max(records, key=lambda r: (r.valid_from or 0, r.retired_on or 9999))


class DivisionTable:
    """Lookup of division codes; build with :meth:`load` or :func:`default_divisions`."""

    def __init__(self, records: Iterable[DivisionRecord]) -> None:
        history: dict[str, list[DivisionRecord]] = {}
        for record in records:
            history.setdefault(record.code, []).append(record)
        self._history: dict[str, tuple[DivisionRecord, ...]] = {
            code: tuple(sorted(rows, key=lambda r: (r.valid_from or 0, r.retired_on or 9999)))
            for code, rows in history.items()
        }
        # Most lookups ask "today"; answering those from a dict keeps identifier checks of
        # million-row imports cheap.
        self._current: dict[str, DivisionStatus] = {
            code: self._current_status(rows) for code, rows in self._history.items()
        }

    @staticmethod
    def _current_status(rows: tuple[DivisionRecord, ...]) -> DivisionStatus:
        live = [r for r in rows if r.retired_on is None]
        if live:
            return _status(_newest(live), "in_use")
        last = max(rows, key=lambda r: (r.retired_on or 0, r.valid_from or 0))
        return _status(last, "retired")

    @classmethod
    def load(cls, extra: Path | None = None) -> DivisionTable:
        """The shipped table, plus a deployment's own rows from ``extra``.

        ``extra`` uses the shipped CSV layout (columns code, name, status required; full_name,
        level, valid_from, retired_on, successors optional). Its rows replace every shipped
        row of the same code, so a deployment can both add local codes and correct ours.
        """
        shipped_text = (
            resources.files("xinyong.identity")
            .joinpath("data/divisions.csv")
            .read_text(encoding="utf-8")
        )
        merged: dict[str, list[DivisionRecord]] = {}
        for record in _parse(shipped_text, "xinyong/identity/data/divisions.csv"):
            merged.setdefault(record.code, []).append(record)
        if extra is not None:
            try:
                extra_text = extra.read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise ConfigurationError(
                    f"cannot read division file {extra}: {exc}",
                    f"无法读取行政区划补充文件 {extra}：{exc}",
                ) from exc
            local: dict[str, list[DivisionRecord]] = {}
            for record in _parse(extra_text, str(extra)):
                local.setdefault(record.code, []).append(record)
            merged.update(local)
        merged.setdefault(NATIONAL_CODE, [_NATIONAL])
        return cls(r for rows in merged.values() for r in rows)

    def lookup(self, code: str, on: date | None = None) -> DivisionStatus:
        """Status of ``code`` today (``on`` None) or on a given date (year precision)."""
        code = code.strip()
        rows = self._history.get(code)
        if rows is None:
            return DivisionStatus(code=code, status="unknown")
        if on is None:
            return self._current[code]
        covering = [r for r in rows if r.covers(on.year)]
        if covering:
            # In a year of renaming both periods cover the year; the newer one is what a
            # record dated that year most likely refers to.
            return _status(_newest(covering), "in_use")
        ended = [r for r in rows if r.retired_on is not None and r.retired_on < on.year]
        if ended:
            return _status(max(ended, key=lambda r: r.retired_on or 0), "retired")
        return _status(rows[0], "unknown")

    def history(self, code: str) -> tuple[DivisionRecord, ...]:
        """Every period of ``code``, oldest first (empty if the code was never listed)."""
        return self._history.get(code.strip(), ())

    def codes_in_use(self, prefix: str = "", *, level: str | None = None) -> list[DivisionStatus]:
        """Codes in use today that start with ``prefix``, sorted by code.

        ``level`` ("province", "prefecture", "county", "national") narrows the result, e.g.
        ``codes_in_use("61", level="county")`` for the counties of Shaanxi.
        """
        return [
            status
            for code, status in sorted(self._current.items())
            if code.startswith(prefix)
            and status.in_use
            and (level is None or status.level == level)
        ]

    def __len__(self) -> int:
        return len(self._history)

    def __iter__(self) -> Iterator[DivisionRecord]:
        for code in sorted(self._history):
            yield from self._history[code]


@lru_cache(maxsize=1)
def default_divisions() -> DivisionTable:
    """The shipped table, loaded once per process."""
    return DivisionTable.load()


def _year(value: str, column: str, where: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise ConfigurationError(
            f"{where}: {column} must be a four-digit year, got {value!r}",
            f"{where}：{column} 应为四位年份，实际为“{value}”",
        )
    return int(value)


def _parse(text: str, source: str) -> Iterator[DivisionRecord]:
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in _REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ConfigurationError(
            f"{source}: missing columns {', '.join(missing)}",
            f"行政区划文件 {source} 缺少列：{'、'.join(missing)}",
        )
    for line, row in enumerate(reader, start=2):
        where = f"{source} line {line}"
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        status = (row.get("status") or "").strip()
        level = (row.get("level") or "").strip()
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ConfigurationError(
                f"{where}: code must be six digits, got {code!r}",
                f"行政区划文件 {source} 第{line}行：代码应为6位数字，实际为“{code}”",
            )
        if not name:
            raise ConfigurationError(
                f"{where}: empty name", f"行政区划文件 {source} 第{line}行：名称为空"
            )
        if status not in _RECORD_STATUSES:
            raise ConfigurationError(
                f"{where}: status must be in_use, retired or changed, got {status!r}",
                f"行政区划文件 {source} 第{line}行：状态应为 in_use、retired 或 changed，"
                f"实际为“{status}”",
            )
        if level not in _LEVELS:
            raise ConfigurationError(
                f"{where}: unknown level {level!r}",
                f"行政区划文件 {source} 第{line}行：未知级别“{level}”",
            )
        valid_from = _year(row.get("valid_from") or "", "valid_from", where)
        retired_on = _year(row.get("retired_on") or "", "retired_on", where)
        if (status == "in_use") != (retired_on is None):
            raise ConfigurationError(
                f"{where}: retired_on must be empty exactly when status is in_use",
                f"行政区划文件 {source} 第{line}行：仅当状态为 in_use 时停用年份可为空",
            )
        successors = tuple(s.strip() for s in (row.get("successors") or "").split(";") if s.strip())
        yield DivisionRecord(
            code=code,
            name=name,
            full_name=(row.get("full_name") or "").strip() or name,
            level=level,
            status=status,
            valid_from=valid_from,
            retired_on=retired_on,
            successors=successors,
        )
