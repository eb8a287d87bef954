"""All SQL of voluntary registration: the counts behind the share of voluntary records (the
registrations themselves are kernel cases)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, case, func, select
from sqlalchemy.sql import ColumnElement

from xinyong.ledger.tables import entries

# Entries the platform writes about its own procedure or decisions: not collected records.
_CASE_PREFIX = "case:"
_LIST_VERSION = "list"


def _collected() -> list[ColumnElement[bool]]:
    e = entries.c
    return [
        e.action == "assert",
        ~e.item_code.startswith(_CASE_PREFIX),
        e.item_version != _LIST_VERSION,
    ]


def _counts(
    conn: Connection, key: ColumnElement[str], items: Sequence[str], department: str | None
) -> dict[str, tuple[int, int]]:
    e = entries.c
    voluntary = func.sum(case((e.item_code.in_(list(items)), 1), else_=0))
    conds = _collected()
    if department is not None:
        conds.append(e.department_code == department)
    rows = conn.execute(
        select(key.label("k"), voluntary.label("vol"), func.count().label("total"))
        .where(*conds)
        .group_by(key)
    )
    return {str(r.k or ""): (int(r.vol or 0), int(r.total)) for r in rows}


def counts_by_department(
    conn: Connection, items: Sequence[str], department: str | None
) -> dict[str, tuple[int, int]]:
    """{department: (voluntary records, records collected)}."""
    return _counts(conn, entries.c.department_code, items, department)


def counts_by_region(
    conn: Connection, items: Sequence[str], department: str | None
) -> dict[str, tuple[int, int]]:
    """{city-level division (the first 4 digits of the USCC's registration division):
    (voluntary records, records collected)}; a natural person's key ("P…") counts under ""."""
    key = case(
        (entries.c.subject_key.startswith("P"), ""),
        else_=func.substr(entries.c.subject_key, 3, 4),
    )
    return _counts(conn, key, items, department)
