"""All SQL of the search: the index table, and the subjects and ledger rows it is built from.

Substrings use the trigram index of each engine: ``LIKE '%…%'`` (escaped) answered by the
pg_trgm GIN index on PostgreSQL, a phrase ``MATCH`` on the FTS5 trigram table on SQLite.
Exact and prefix matches use B-tree ranges (code-point order: SQLite BINARY, PostgreSQL with
the C / C.UTF-8 collation, as ``checks.fuzzy`` assumes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import Connection, delete, func, or_, select, text

from xinyong.identity.tables import subjects
from xinyong.ledger.tables import entries
from xinyong.search.rules import escape_like, fts_phrase, prefix_bound, probe_patterns
from xinyong.search.tables import search_index
from xinyong.store.db import bulk_insert, is_postgres, matching

TrigramColumn = Literal["doubled", "initials", "codes"]
_ORDER = (func.length(search_index.c.name_key), search_index.c.name_key)
_T = search_index.c


def organisations(conn: Connection, keys: Sequence[str]) -> list[tuple[str, str, str]]:
    """(key, kind, name) of these subjects that are not natural persons."""
    cols = (subjects.c.key, subjects.c.kind, subjects.c.name)
    out: list[tuple[str, str, str]] = []
    for where in matching(conn, subjects.c.key, keys):
        rows = conn.execute(select(*cols).where(where).where(subjects.c.kind != "person"))
        out.extend((k, kind, name) for k, kind, name in rows)
    return out


def organisations_after(conn: Connection, after: str, limit: int) -> list[tuple[str, str, str]]:
    """The next ``limit`` organisations in key order after ``after`` (reindex pages)."""
    rows = conn.execute(
        select(subjects.c.key, subjects.c.kind, subjects.c.name)
        .where(subjects.c.key > after)
        .where(subjects.c.kind != "person")
        .order_by(subjects.c.key)
        .limit(limit)
    )
    return [(k, kind, name) for k, kind, name in rows]


def legacy_codes(conn: Connection, fields: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(subject key, value) of each ledger entry of an organisation that carries the old
    registration number field named per item (``fields``: item code → field code), in entry
    order, so the last value per subject is the newest."""
    if not fields:
        return
    query = (
        select(entries.c.subject_key, entries.c.item_code, entries.c.payload)
        .where(entries.c.item_code.in_(list(fields)))
        .where(entries.c.subject_kind != "person")
        .order_by(entries.c.id)
        .execution_options(yield_per=5000)
    )
    for key, item, payload in conn.execute(query):
        value = json.loads(payload).get(fields[item])
        if isinstance(value, str) and value.strip():
            yield key, value


def indexed(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """{subject key: (name, old_reg_no)} of the indexed rows among ``keys``."""
    out: dict[str, tuple[str, str | None]] = {}
    for where in matching(conn, _T.subject_key, keys):
        for key, name, old in conn.execute(
            select(_T.subject_key, _T.name, _T.old_reg_no).where(where)
        ):
            out[key] = (name, old)
    return out


def replace(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Put these index rows in place of any for the same subjects."""
    remove(conn, [r["subject_key"] for r in rows])
    bulk_insert(conn, search_index, rows)


def remove(conn: Connection, keys: Sequence[str]) -> None:
    for where in matching(conn, _T.subject_key, keys):
        conn.execute(delete(search_index).where(where))


def remove_all(conn: Connection) -> None:
    conn.execute(delete(search_index))


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(search_index)).scalar_one())


def _keys(conn: Connection, query: Any) -> list[str]:
    return [k for (k,) in conn.execute(query)]


def code_exact(conn: Connection, code: str, limit: int) -> list[str]:
    base = select(_T.subject_key).where(_T.public.is_(True))
    found = _keys(conn, base.where(_T.uscc == code).limit(limit))
    return found + _keys(conn, base.where(_T.old_reg_no == code).order_by(*_ORDER).limit(limit))


def code_prefix(conn: Connection, code: str, limit: int) -> list[str]:
    out: list[str] = []
    for column in (_T.uscc, _T.old_reg_no):
        out += _keys(
            conn,
            select(_T.subject_key)
            .where(_T.public.is_(True))
            .where(column > code, column < prefix_bound(code))
            .order_by(column)
            .limit(limit),
        )
    return out


def name_exact(conn: Connection, key: str, limit: int) -> list[str]:
    query = select(_T.subject_key).where(_T.public.is_(True), _T.name_key == key)
    return _keys(conn, query.order_by(_T.subject_key).limit(limit))


def name_prefix(conn: Connection, key: str, limit: int) -> list[str]:
    query = select(_T.subject_key).where(
        _T.public.is_(True), _T.name_key > key, _T.name_key < prefix_bound(key)
    )
    return _keys(conn, query.order_by(*_ORDER).limit(limit))


def initials_prefix(conn: Connection, initials: str, limit: int) -> list[str]:
    query = select(_T.subject_key).where(
        _T.public.is_(True), _T.initials >= initials, _T.initials < prefix_bound(initials)
    )
    return _keys(conn, query.order_by(*_ORDER).limit(limit))


def substring(conn: Connection, column: TrigramColumn, value: str, limit: int) -> list[str]:
    """Subjects whose ``column`` contains ``value`` (at least three characters), by the
    trigram index; % and _ are literal. Up to ``limit`` of them are fetched unordered and
    sorted here (shorter names first): a common word matches tens of thousands of names,
    and sorting them all in the database is what made this the slow tier."""
    if is_postgres(conn):
        query = (
            select(_T.subject_key, _T.name_key)
            .where(_T.public.is_(True))
            .where(search_index.c[column].like(f"%{escape_like(value)}%", escape="\\"))
            .limit(limit)
        )
        rows = list(conn.execute(query))
    else:
        rows = list(
            conn.execute(
                text(
                    "SELECT i.subject_key, i.name_key FROM search_fts f "
                    "JOIN search_index i ON i.id = f.rowid "
                    "WHERE search_fts MATCH :q AND i.public LIMIT :n"
                ),
                {"q": f"{column} : {fts_phrase(value)}", "n": limit},
            )
        )
    return [k for k, _ in sorted(rows, key=lambda r: (len(r[1]), r[1], r[0]))]


def similar(conn: Connection, key: str, doubled: str, limit: int) -> list[tuple[str, str]]:
    """(subject key, name key) of up to ``limit`` names near the query (``key``, its doubled
    form ``doubled``); the caller scores them. PostgreSQL: names containing the query after
    one edit, probed with ``rules.probe_patterns`` (a superset, which the caller narrows with
    ``rules.near``), fetched unordered through the trigram index.
    SQLite: FTS5 bm25 over any of the doubled query's trigrams."""
    if is_postgres(conn):
        patterns = probe_patterns(key)
        if not patterns:
            return []
        # Planned apart from the LIMIT (a materialised CTE): with it, the planner expects
        # the few hundred estimated matches early in a sequential scan and reads the table
        # (27 s at 1,000,000 names) instead of the index (docs/benchmarks.md).
        near = (
            select(_T.subject_key, _T.name_key)
            .where(or_(*(_T.doubled.like(p, escape="\\") for p in patterns)))
            .where(_T.public.is_(True))
            .cte("near")
            .prefix_with("MATERIALIZED")
        )
        query = select(near.c.subject_key, near.c.name_key).limit(limit)
        rows = conn.execute(query)
        return [(k, n) for k, n in rows]
    grams = sorted({doubled[i : i + 3] for i in range(len(doubled) - 2)})
    if not grams:
        return []
    match = "doubled : (" + " OR ".join(fts_phrase(g) for g in grams) + ")"
    rows = conn.execute(
        text(
            "SELECT i.subject_key, i.name_key FROM "
            "(SELECT rowid, rank FROM search_fts WHERE search_fts MATCH :q "
            "ORDER BY rank LIMIT :n) f JOIN search_index i ON i.id = f.rowid WHERE i.public"
        ),
        {"q": match, "n": limit},
    )
    return [(k, n) for k, n in rows]


def shown(conn: Connection, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The display fields of these indexed subjects, by key."""
    cols = (_T.subject_key, _T.name, _T.kind, _T.uscc, _T.old_reg_no)
    out: dict[str, dict[str, Any]] = {}
    for where in matching(conn, _T.subject_key, keys):
        for row in conn.execute(select(*cols).where(where, _T.public.is_(True))):
            out[row.subject_key] = dict(row._mapping)
    return out
