"""All SQL of the ledger."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from xinyong.ledger.hashing import GENESIS
from xinyong.ledger.model import StoredEntry
from xinyong.ledger.tables import (
    batch_headers,
    batches,
    entries,
    ledger_anchors,
    ledger_head,
    rejected_rows,
)
from xinyong.store.db import bulk_insert, byte_order, is_postgres, matching

ENTRY_COLUMNS = [c.name for c in entries.columns if c.name != "id"]


def lock_head(conn: Connection) -> tuple[int, str]:
    """Lock the chain head for this transaction and return (last batch id, chain hash).

    The head row is created if missing by an insert that does nothing when it exists (two
    first imports at once both get there; a plain insert failed the second on the primary
    key). That insert is also a write, so on SQLite it takes the database's write lock at once
    (waiting up to the busy timeout) before anything is read; on PostgreSQL the row lock that
    follows serialises concurrent appends.
    """
    values = {"id": 1, "last_batch_id": 0, "chain_hash": GENESIS}
    if is_postgres(conn):
        conn.execute(pg_insert(ledger_head).values(values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite_insert(ledger_head).values(values).on_conflict_do_nothing())
    stmt = select(ledger_head.c.last_batch_id, ledger_head.c.chain_hash).where(
        ledger_head.c.id == 1
    )
    if is_postgres(conn):
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).one()
    return int(row[0]), str(row[1])


def set_head(conn: Connection, batch_id: int, chain: str) -> None:
    conn.execute(
        update(ledger_head)
        .where(ledger_head.c.id == 1)
        .values(last_batch_id=batch_id, chain_hash=chain)
    )


def head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(ledger_head.c.last_batch_id, ledger_head.c.chain_hash)).first()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def insert_batch(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(batches).values(**values))


def insert_batch_headers(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(batch_headers).values(**values))


def insert_entries(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, entries, rows)


def insert_rejected(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(conn, rejected_rows, rows)


def entry_ids_of_batch(conn: Connection, batch_id: int) -> list[int]:
    return [
        int(r[0])
        for r in conn.execute(
            select(entries.c.id).where(entries.c.batch_id == batch_id).order_by(entries.c.seq)
        )
    ]


def latest_by_record(
    conn: Connection,
    item_code: str,
    record_keys: Sequence[str],
    department_code: str | None = None,
) -> dict[str, tuple[int, str, str]]:
    """Latest entry per record key: {record_key: (entry id, content hash, action)}, of one
    department's records when ``department_code`` is given."""
    out: dict[str, tuple[int, str, str]] = {}
    cols = (entries.c.record_key, entries.c.id, entries.c.content_hash, entries.c.action)
    scope = [entries.c.item_code == item_code]
    if department_code is not None:
        scope.append(entries.c.department_code == department_code)
    for where in matching(conn, entries.c.record_key, record_keys):
        rows = conn.execute(select(*cols).where(*scope, where).order_by(entries.c.id))
        for key, eid, chash, action in rows:
            out[key] = (int(eid), chash, action)
    return out


def _stored(row: Any) -> StoredEntry:
    m = row._mapping
    return StoredEntry(
        id=int(m["id"]),
        batch_id=int(m["batch_id"]),
        seq=int(m["seq"]),
        subject_key=m["subject_key"],
        subject_kind=m["subject_kind"],
        item_code=m["item_code"],
        item_version=m["item_version"],
        record_key=m["record_key"],
        action=m["action"],
        supersedes_id=m["supersedes_id"],
        decision_date=m["decision_date"],
        severity=m["severity"],
        disclosure=m["disclosure"],
        payload=json.loads(m["payload"]),
        department_code=m["department_code"],
        source_row=m["source_row"],
        received_at=m["received_at"],
        public=bool(m["public"]),
        public_from=m["public_from"],
        public_until=m["public_until"],
        repair_from=m["repair_from"],
        policy_code=m["policy_code"],
        window_reason=m["window_reason"],
        due_date=m["due_date"],
        late=bool(m["late"]),
        source_name=m.get("source_name", ""),
        due_provisional=bool(m.get("due_provisional", False)),
        due_earliest=m.get("due_earliest"),
        due_latest=m.get("due_latest"),
    )


def entries_for_subject(
    conn: Connection, subject_key: str, known_by: dt.datetime | None
) -> list[StoredEntry]:
    """Every entry about a subject recorded up to ``known_by`` (UTC), oldest first."""
    stmt = (
        select(entries, batches.c.source_name)
        .join(batches, batches.c.id == entries.c.batch_id)
        .where(entries.c.subject_key == subject_key)
        .order_by(entries.c.id)
    )
    if known_by is not None:
        # Times are stored in UTC on both engines (SQLite drops the offset, keeping UTC).
        stmt = stmt.where(entries.c.received_at <= known_by.astimezone(dt.UTC))
    return [_stored(r) for r in conn.execute(stmt)]


def entries_by_ids(conn: Connection, ids: Sequence[int]) -> list[StoredEntry]:
    stmt = (
        select(entries, batches.c.source_name)
        .join(batches, batches.c.id == entries.c.batch_id)
        .where(entries.c.id.in_(list(ids)))
    )
    return [_stored(r) for r in conn.execute(stmt)]


def iter_batches(conn: Connection) -> Iterator[dict[str, Any]]:
    for row in conn.execute(select(batches).order_by(batches.c.id)):
        yield dict(row._mapping)


def iter_entry_rows(conn: Connection, batch_id: int) -> Iterator[dict[str, Any]]:
    # yield_per on the statement: Connection.execution_options sets it on the connection for
    # good, and every later statement of the transaction (an insert) would get a server-side
    # cursor on PostgreSQL.
    stmt = (
        select(entries)
        .where(entries.c.batch_id == batch_id)
        .order_by(entries.c.seq)
        .execution_options(yield_per=5000)
    )
    for row in conn.execute(stmt):
        yield dict(row._mapping)


def iter_for_derivation(conn: Connection, batch_size: int) -> Iterator[Mapping[str, Any]]:
    """Every entry (but its sealed values) in id order, with what its derived columns depend
    on beyond the entry: its batch's backfill flag and catalogue snapshot, and the policy
    and class of the entry it supersedes (a revocation keeps them). Streamed."""
    prior = entries.alias("prior")
    stmt = (
        select(
            *(c for c in entries.c if c.name not in ("sealed", "entry_hash")),
            batches.c.backfill,
            batches.c.catalogue_version,
            prior.c.policy_code.label("prior_policy_code"),
            prior.c.severity.label("prior_severity"),
        )
        .select_from(
            entries.join(batches, batches.c.id == entries.c.batch_id).outerjoin(
                prior, prior.c.id == entries.c.supersedes_id
            )
        )
        .order_by(entries.c.id)
    )
    for row in conn.execute(stmt.execution_options(yield_per=batch_size)):
        yield cast(Mapping[str, Any], row._mapping)  # read-only, no copy per row


def get_batch(conn: Connection, batch_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(batches).where(batches.c.id == batch_id)).first()
    return None if row is None else dict(row._mapping)


def list_batches(
    conn: Connection,
    *,
    department_code: str | None,
    formats: Sequence[str],
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Batches read from files of ``formats`` (not the ones the platform writes itself),
    newest first, with the total that matches; one department's, or every one's (None)."""
    where: list[ColumnElement[bool]] = [batches.c.format.in_(list(formats))]
    if department_code is not None:
        where.append(batches.c.department_code == department_code)
    total = conn.execute(select(func.count()).select_from(batches).where(*where)).scalar_one()
    columns = [c for c in batches.c if c.name not in ("merkle_root", "prev_hash", "chain_hash")]
    rows = conn.execute(
        select(*columns).where(*where).order_by(batches.c.id.desc()).limit(limit).offset(offset)
    ).mappings()
    return [dict(r) for r in rows], int(total)


def batch_with_file(
    conn: Connection, department_code: str, item_code: str, file_sha256: str
) -> int | None:
    row = conn.execute(
        select(batches.c.id)
        .where(
            batches.c.department_code == department_code,
            batches.c.item_code == item_code,
            batches.c.file_sha256 == file_sha256,
        )
        .limit(1)
    ).first()
    return None if row is None else int(row[0])


def get_batch_headers(conn: Connection, batch_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(batch_headers).where(batch_headers.c.batch_id == batch_id)).first()
    return None if row is None else dict(row._mapping)


def rejected_of_batch(conn: Connection, batch_id: int) -> list[dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in conn.execute(
            select(rejected_rows)
            .where(rejected_rows.c.batch_id == batch_id)
            .order_by(rejected_rows.c.row_number)
        )
    ]


def rejected_rows_after(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
    """Rejected rows with id after ``after``, in id order (for re-sealing)."""
    return [
        dict(r._mapping)
        for r in conn.execute(
            select(rejected_rows)
            .where(rejected_rows.c.id > after)
            .order_by(rejected_rows.c.id)
            .limit(limit)
        )
    ]


def update_rejected(conn: Connection, row_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(rejected_rows).where(rejected_rows.c.id == row_id).values(**values))


def late_by_department(conn: Connection) -> list[tuple[str, int, int]]:
    """(department, entries with a deadline, late entries), backfilled batches left out:
    history loaded after the fact says nothing about how promptly a department publishes."""
    stmt = (
        select(
            entries.c.department_code,
            func.count().filter(entries.c.due_date.is_not(None)),
            func.count().filter(entries.c.late.is_(True)),
        )
        .select_from(entries.join(batches, batches.c.id == entries.c.batch_id))
        .where(entries.c.action != "revoke", batches.c.backfill.is_(False))
        .group_by(entries.c.department_code)
    )
    return [(r[0], int(r[1]), int(r[2])) for r in conn.execute(stmt)]


def import_counts_by_department(
    conn: Connection, formats: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Per department, over the batches read from files of ``formats`` (not the ones the
    platform writes itself): rows submitted, rows rejected, and the rows and batches that
    were backfills."""
    backfill = batches.c.backfill.is_(True)
    stmt = (
        select(
            batches.c.department_code,
            func.sum(batches.c.row_count),
            func.sum(batches.c.rejected),
            func.sum(batches.c.row_count).filter(backfill),
            func.count().filter(backfill),
        )
        .where(batches.c.format.in_(list(formats)))
        .group_by(batches.c.department_code)
    )
    return {
        r[0]: {
            "rows": int(r[1] or 0),
            "rejected": int(r[2] or 0),
            "backfill_rows": int(r[3] or 0),
            "backfill_batches": int(r[4] or 0),
        }
        for r in conn.execute(stmt)
    }


def count_entries(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(entries)).scalar_one())


# -- publication deadlines after a calendar change (derived columns, not hashed) ---------------

DUE_COLUMNS = ("due_date", "due_provisional", "due_earliest", "due_latest", "late")


def due_candidates(
    conn: Connection, since: dt.date, items: Sequence[str], uncomputed_from: dt.date
) -> list[dict[str, Any]]:
    """Entries of ``items`` whose publication deadline may depend on days from ``since`` on:
    its latest bound is on or after ``since``, or it could not be computed (no calendar year
    then) for a decision from ``uncomputed_from`` on. Revocations carry no deadline."""
    if not items:
        return []
    rows = conn.execute(
        select(
            entries.c.id,
            entries.c.item_code,
            entries.c.item_version,
            entries.c.decision_date,
            entries.c.received_at,
            entries.c.department_code,
            *(entries.c[name] for name in DUE_COLUMNS),
            batches.c.backfill,
        )
        .select_from(entries.join(batches, batches.c.id == entries.c.batch_id))
        .where(
            entries.c.item_code.in_(sorted(items)),
            entries.c.decision_date.is_not(None),
            entries.c.action != "revoke",
            (entries.c.due_latest >= since)
            | (entries.c.due_date.is_(None) & (entries.c.decision_date >= uncomputed_from)),
        )
        .order_by(entries.c.id)
    )
    return [dict(r._mapping) for r in rows]


def set_due(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rewrite the derived deadline columns of entries (``id`` plus ``DUE_COLUMNS`` each)."""
    if not rows:
        return
    stmt = (
        update(entries)
        .where(entries.c.id == bindparam("entry_id"))
        .values({name: bindparam(f"new_{name}") for name in DUE_COLUMNS})
    )
    conn.execute(
        stmt,
        [{"entry_id": r["id"], **{f"new_{name}": r[name] for name in DUE_COLUMNS}} for r in rows],
    )


def iter_relation_sources(
    conn: Connection, item_codes: Sequence[str], batch_size: int = 5000
) -> Iterator[Mapping[str, Any]]:
    """The entries of ``item_codes`` about organisations (the ones that name legal
    representatives and other related persons), ordered by subject then id, in byte order on
    both engines. Streamed; no sealed values."""
    stmt = (
        select(
            entries.c.id,
            entries.c.subject_key,
            entries.c.item_code,
            entries.c.item_version,
            entries.c.action,
            entries.c.decision_date,
            entries.c.payload,
        )
        .where(entries.c.item_code.in_(list(item_codes)), entries.c.subject_kind != "person")
        .order_by(byte_order(conn, entries.c.subject_key), entries.c.id)
    )
    for row in conn.execute(stmt.execution_options(yield_per=batch_size)):
        yield cast(Mapping[str, Any], row._mapping)


# -- anchors (signed heads) ---------------------------------------------------------------------


def iter_batches_after(conn: Connection, after: int, upto: int) -> Iterator[dict[str, Any]]:
    """Batches with ``after < id <= upto`` in id order."""
    stmt = select(batches).where(batches.c.id > after, batches.c.id <= upto).order_by(batches.c.id)
    for row in conn.execute(stmt):
        yield dict(row._mapping)


def entry_hashes_of_batch(conn: Connection, batch_id: int) -> list[str]:
    stmt = (
        select(entries.c.entry_hash).where(entries.c.batch_id == batch_id).order_by(entries.c.seq)
    )
    return [str(r[0]) for r in conn.execute(stmt)]


def entries_up_to(conn: Connection, batch_id: int) -> int:
    """Entries the batches 1..``batch_id`` recorded (each batch's stated count)."""
    stmt = select(func.coalesce(func.sum(batches.c.entry_count), 0)).where(batches.c.id <= batch_id)
    return int(conn.execute(stmt).scalar_one())


def insert_anchor(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(ledger_anchors).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def last_anchor(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(select(ledger_anchors).order_by(ledger_anchors.c.id.desc()).limit(1)).first()
    return None if row is None else dict(row._mapping)


def count_anchors(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(ledger_anchors)).scalar_one())


def anchors_page(conn: Connection, limit: int, offset: int) -> list[dict[str, Any]]:
    """Anchors newest first."""
    stmt = select(ledger_anchors).order_by(ledger_anchors.c.id.desc()).limit(limit).offset(offset)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def iter_anchors(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every anchor, oldest first (streamed)."""
    stmt = select(ledger_anchors).order_by(ledger_anchors.c.id).execution_options(yield_per=1000)
    for row in conn.execute(stmt):
        yield dict(row._mapping)
