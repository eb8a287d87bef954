"""Engine and connection handling for both engines (SQLite embedded, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    insert,
)
from sqlalchemy.dialects.postgresql import ARRAY

from xinyong.kernel.errors import ConfigurationError
from xinyong.kernel.settings import Settings, get_settings

SQLITE_SYNCHRONOUS = frozenset({"NORMAL", "FULL", "EXTRA"})


def _sqlite_pragmas(synchronous: str) -> Any:
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ConfigurationError(
            f"XINYONG_SQLITE_SYNCHRONOUS must be one of {sorted(SQLITE_SYNCHRONOUS)}",
            f"XINYONG_SQLITE_SYNCHRONOUS 只能是 {'、'.join(sorted(SQLITE_SYNCHRONOUS))}",
        )

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets the web server read while an import writes; foreign keys are off by
        # default. FULL (the default) syncs the WAL at every commit, so a committed import
        # survives a power cut, not only a crash of the process (NORMAL: the last commits
        # may be lost on power loss).
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return on_connect


def make_engine(url: str | None = None, settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    url = url or settings.resolved_database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True)
        event.listen(engine, "connect", _sqlite_pragmas(settings.sqlite_synchronous.upper()))
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=10, max_overflow=20)


def is_postgres(conn: Connection | Engine) -> bool:
    return conn.dialect.name == "postgresql"


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the caller's transaction: COPY on PostgreSQL, executemany on SQLite.

    COPY is several times faster than multi-row INSERT for large batches, and it runs inside
    the transaction, so a failure still rolls the whole unit of work back.
    """
    if not rows:
        return
    if is_postgres(conn):
        columns = list(rows[0])
        copy_rows(conn, table.name, columns, ([row[c] for c in columns] for row in rows))
    else:
        conn.execute(insert(table), list(rows))


def copy_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Stream rows into ``table`` with COPY (psycopg adapts each value in C).

    Measured here: 200,000 ledger-shaped rows in 2.5 s this way, 10.7 s when formatted as
    CSV text in Python first.
    """
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("connection has no driver connection")
    cols = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def byte_order(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` for ORDER BY in byte order on both engines (SQLite's BINARY, PostgreSQL's
    "C"), so two ordered reads can be merged by comparing values in Python."""
    return column.collate("C") if is_postgres(conn) else column


def matching(
    conn: Connection, column: ColumnElement[Any], values: Sequence[Any], chunk: int = 2000
) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that together select ``column IN values``.

    PostgreSQL gets one ``= ANY(array)`` with a single parameter (compiling thousands of IN
    parameters costs more than the query); SQLite gets IN lists under its variable limit.
    """
    if not values:
        return
    if is_postgres(conn):
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for i in range(0, len(values), chunk):
        yield column.in_(values[i : i + chunk])
