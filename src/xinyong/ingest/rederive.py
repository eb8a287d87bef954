"""Verification of the derived columns of every ledger entry (``xinyong audit verify``).

The entry hash covers what a department sent; the publication window, policy, severity class
and publication deadline stored beside it are derived (publication.derived) and outside it.
This recomputes them from the hashed facts, the catalogue version each entry names, its
department's sector and the calendar, with the very functions the importer and the platform's
own writers use, and names every column that differs.

Streaming: entries are read in id order in chunks (no ledger in memory); catalogue, policy and
calendar lookups are memoised per (item version, decision date, sector).

The calendar-derived columns (``due_*``, ``late``) are the only ones a legitimate update
rewrites (``xinyong calendar apply``, migration 0015). They are compared with the loaded
calendar; where an entry's interval touches a year the loaded calendar has not been applied
for yet, a difference is expected until the next apply and is reported as pending, not as
tampering.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.cases.recalc import pending_years
from xinyong.cases.service import CASE_ITEM_PREFIX
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import Disclosure
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.errors import NotFound
from xinyong.ledger import service as ledger
from xinyong.publication.derived import (
    CALENDAR_COLUMNS,
    DERIVED_COLUMNS,
    REPAIR_REASONS,
    Derived,
    Deriver,
    RecordFacts,
    case_step,
    list_exit,
    list_window,
    received_on,
    repaired,
    revoked,
)

LIST_VERSION = "list"  # item_version of the entries lists.service writes


@dataclass(frozen=True, slots=True)
class DerivedMismatch:
    """One derived column of one entry that differs from its recomputation. Values are
    column values (dates, flags, codes, the Chinese window reason): never personal data."""

    entry_id: int
    column: str  # "*" when the entry cannot be recomputed at all
    stored: object
    recomputed: object
    pending: bool = False  # a calendar year not applied yet: expected until `calendar apply`
    note_zh: str = ""
    note_en: str = ""

    @property
    def message_zh(self) -> str:
        if self.column == "*":
            return f"条目 {self.entry_id} 无法重算派生字段：{self.note_zh}"
        text = (
            f"条目 {self.entry_id} 的派生字段 {self.column}：存储值 {_zh(self.stored)}，"
            f"按账本事实重算为 {_zh(self.recomputed)}"
        )
        return text + (f"（{self.note_zh}）" if self.note_zh else "")

    @property
    def message_en(self) -> str:
        if self.column == "*":
            return f"entry {self.entry_id}: derived columns cannot be recomputed: {self.note_en}"
        text = (
            f"entry {self.entry_id} derived column {self.column}: stored {_en(self.stored)}, "
            f"recomputed {_en(self.recomputed)}"
        )
        return text + (f" ({self.note_en})" if self.note_en else "")


@dataclass
class DerivedSummary:
    entries: int = 0
    mismatched_entries: int = 0
    mismatches: int = 0
    pending: int = 0
    by_column: dict[str, int] | None = None


def _zh(value: object) -> str:
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return f"“{value}”"


def _en(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


class _Checker:
    def __init__(
        self,
        conn: Connection,
        catalogue: Catalogue,
        sanctions: SanctionsCatalogue | None,
        calendar: WorkCalendar,
    ) -> None:
        self.catalogue = catalogue
        self.sanctions = sanctions
        self.deriver = Deriver(catalogue, calendar)
        self.sectors = {str(d["code"]): d["sector"] for d in access.departments(conn)}
        self.pending = pending_years(conn, calendar)
        self.snapshot = catalogue.snapshot.version

    def expected(self, row: Mapping[str, Any]) -> list[Derived] | str:
        """The derived columns the entry must have (any of them, for a listing whose list
        type changed its name across versions), or why they cannot be recomputed."""
        item_code = str(row["item_code"])
        version = str(row["item_version"])
        if item_code.startswith(CASE_ITEM_PREFIX):
            return [case_step()]
        if version == LIST_VERSION:
            return self._listing(row)
        if row["action"] == "revoke":
            return [revoked(row["prior_policy_code"], row["prior_severity"])]
        item = self.deriver.item_version(item_code, version)
        if item is None:
            return f"信息目录中没有信息项 {item_code} 的 {version} 版本"
        department = str(row["department_code"])
        if department not in self.sectors:
            return f"报送部门 {department} 不存在"
        derived = self.deriver.record(
            RecordFacts(
                item=item,
                subject_kind=str(row["subject_kind"]),
                decision_date=row["decision_date"],
                values=json.loads(row["payload"]),
                sector=self.sectors[department],
                received_on=received_on(row["received_at"]),
                backfill=bool(row["backfill"]),
            )
        )
        if row["action"] in REPAIR_REASONS:  # credit repair: the record, publication stopped
            return [repaired(derived, str(row["action"]))]
        return [derived]

    def _listing(self, row: Mapping[str, Any]) -> list[Derived] | str:
        if row["action"] == "revoke":
            return [list_exit()]
        payload = json.loads(row["payload"])
        code = str(payload.get("名单类型", ""))
        if self.sanctions is None:
            return "未加载名单类型目录"
        try:
            versions = self.sanctions.list_type_versions(code)
        except NotFound:
            return f"名单类型目录中没有 {code}"
        try:
            public_item = self.catalogue.item(str(row["item_code"])).disclosure is (
                Disclosure.PUBLIC
            )
        except NotFound:  # a list without a catalogue item is not published
            public_item = False
        until = payload.get("期满日期")
        return [
            list_window(
                item_public=public_item,
                subject_kind=str(row["subject_kind"]),
                list_kind=lt.kind,
                list_name=lt.name,
                listed_on=row["decision_date"],
                until=dt.date.fromisoformat(until) if until else None,
            )
            for lt in versions
        ]

    def touches_pending(self, row: Mapping[str, Any], derived: Derived) -> bool:
        if not self.pending or row["decision_date"] is None:
            return False
        ends = [d for d in (row["due_latest"], derived.due_latest) if d is not None]
        last = max(ends) if ends else row["decision_date"]
        return any(y in self.pending for y in range(row["decision_date"].year, last.year + 1))

    def check(self, row: Mapping[str, Any]) -> list[DerivedMismatch]:
        expected = self.expected(row)
        entry_id = int(row["id"])
        if isinstance(expected, str):
            return [DerivedMismatch(entry_id, "*", None, None, note_zh=expected, note_en=expected)]
        stored = tuple(row[c] for c in DERIVED_COLUMNS)
        if any(stored == d.columns() for d in expected):
            return []
        best: list[DerivedMismatch] | None = None
        for derived in expected:
            found = [
                DerivedMismatch(entry_id, c, row[c], derived.column(c))
                for c in DERIVED_COLUMNS
                if row[c] != derived.column(c)
            ]
            if not found:
                return []
            if best is None or len(found) < len(best):
                best = found
                pending = self.touches_pending(row, derived)
        assert best is not None  # noqa: S101 - expected is never empty
        out = []
        note_zh = note_en = ""
        if row["catalogue_version"] != self.snapshot:
            note_zh = f"该批次按目录 {row['catalogue_version']} 导入，现为 {self.snapshot}"
            note_en = (
                f"batch imported under catalogue {row['catalogue_version']}, now {self.snapshot}"
            )
        for m in best:
            waits = pending and m.column in CALENDAR_COLUMNS
            out.append(
                DerivedMismatch(
                    m.entry_id,
                    m.column,
                    m.stored,
                    m.recomputed,
                    pending=waits,
                    note_zh="日历变更尚未应用，运行 xinyong calendar apply 后复核"
                    if waits
                    else note_zh,
                    note_en="calendar change not applied yet" if waits else note_en,
                )
            )
        return out


def derived_differences(
    conn: Connection,
    catalogue: Catalogue,
    sanctions: SanctionsCatalogue | None,
    calendar: WorkCalendar,
    summary: DerivedSummary | None = None,
) -> Iterator[DerivedMismatch]:
    """Every derived column of every entry that differs from its recomputation, in entry id
    order, as the ledger is read (streamed). ``summary`` (if given) is filled as it goes."""
    checker = _Checker(conn, catalogue, sanctions, calendar)
    summary = summary if summary is not None else DerivedSummary()
    summary.by_column = summary.by_column or {}
    for row in ledger.iter_for_derivation(conn):
        summary.entries += 1
        found = checker.check(row)
        if not found:
            continue
        if any(not m.pending for m in found):
            summary.mismatched_entries += 1
        for m in found:
            if m.pending:
                summary.pending += 1
            else:
                summary.mismatches += 1
                summary.by_column[m.column] = summary.by_column.get(m.column, 0) + 1
            yield m
