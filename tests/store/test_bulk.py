"""bulk_insert keeps every value exactly (COPY csv on PostgreSQL, executemany on SQLite)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    select,
)

from xinyong.store.db import bulk_insert

meta = MetaData()
probe = Table(
    "bulk_probe",
    meta,
    Column("id", Integer, primary_key=True),
    Column("s", Text),
    Column("n", Integer),
    Column("b", Boolean),
    Column("d", Date),
    Column("t", DateTime(timezone=True)),
    Column("blob", LargeBinary),
    Column("short", String(10)),
)

TRICKY = ["", "\\N", 'a"b', "line1\nline2", "逗号,分号;", "\\x00", "  spaced  ", "NULL", "'='"]


def test_bulk_insert_round_trips_tricky_values(engine: Engine) -> None:
    meta.create_all(engine)
    when = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
    rows = [
        {
            "id": i,
            "s": s,
            "n": i * 7,
            "b": i % 2 == 0,
            "d": dt.date(2026, 1, 1 + i),
            "t": when,
            "blob": bytes([0, i, 255]),
            "short": None,
        }
        for i, s in enumerate(TRICKY, start=1)
    ]
    rows.append(
        {
            "id": 100,
            "s": None,
            "n": None,
            "b": None,
            "d": None,
            "t": None,
            "blob": None,
            "short": "",
        }
    )
    try:
        with engine.begin() as conn:
            bulk_insert(conn, probe, rows)
        with engine.connect() as conn:
            got = [dict(r._mapping) for r in conn.execute(select(probe).order_by(probe.c.id))]
        for want, have in zip(rows, got, strict=True):
            have["t"] = (
                have["t"]
                if have["t"] is None or have["t"].tzinfo
                else have["t"].replace(tzinfo=dt.UTC)
            )
            have["blob"] = bytes(have["blob"]) if have["blob"] is not None else None
            assert have == want
    finally:
        meta.drop_all(engine)
