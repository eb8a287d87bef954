"""Tamper evidence: any altered or removed stored entry is named by `verify`."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from tests.helpers import add_department, csv_bytes, drop_write_guards, penalty
from xinyong.bootstrap import Platform
from xinyong.ledger.service import verify
from xinyong.ledger.tables import batches, entries


def _fill(platform: Platform) -> None:
    add_department(platform)
    imp = platform.importer()
    imp.import_bytes(
        csv_bytes([penalty(CF_WSH=f"{i}号") for i in range(5)]),
        filename="a.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    imp.import_bytes(
        csv_bytes([penalty(CF_WSH=f"b{i}号") for i in range(3)]),
        filename="b.csv",
        department_code="scjg",
        item_code="XZCF",
    )


def test_untouched_ledger_verifies(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.connect() as conn:
        assert verify(conn) == (2, 8, [])


def test_altered_entry_is_named(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:
        target = conn.execute(
            select(entries.c.id).where(entries.c.seq == 3, entries.c.batch_id == 1)
        ).scalar_one()
        drop_write_guards(conn)
        conn.execute(
            update(entries).where(entries.c.id == target).values(payload='{"CF_NR_FK":"0.01"}')
        )
    with platform.engine.connect() as conn:
        _, _, problems = verify(conn)
    assert [p.entry_id for p in problems if p.entry_id is not None] == [target]
    assert any(f"entry {target} was altered" in p.message for p in problems)


def test_altered_decision_date_is_detected(platform: Platform) -> None:
    import datetime as dt

    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(
            update(entries).where(entries.c.id == 2).values(decision_date=dt.date(2020, 1, 1))
        )
    with platform.engine.connect() as conn:
        _, _, problems = verify(conn)
    assert any(p.entry_id == 2 for p in problems)


def test_removed_entry_is_named_by_batch_and_position(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(delete(entries).where(entries.c.batch_id == 2, entries.c.seq == 3))
    with platform.engine.connect() as conn:
        _, _, problems = verify(conn)
    assert any("entry 2/3 was removed" in p.message for p in problems)


def test_rewritten_hash_still_breaks_the_batch_root(platform: Platform) -> None:
    from xinyong.ledger.hashing import entry_hash

    _fill(platform)
    with platform.engine.begin() as conn:
        row = dict(conn.execute(select(entries).where(entries.c.id == 4)).one()._mapping)
        row["payload"] = '{"forged":true}'
        drop_write_guards(conn)
        conn.execute(
            update(entries)
            .where(entries.c.id == 4)
            .values(payload=row["payload"], entry_hash=entry_hash(row))
        )
    with platform.engine.connect() as conn:
        _, _, problems = verify(conn)
    assert any("Merkle root" in p.message and p.batch_id == 1 for p in problems)


def test_removed_batch_breaks_the_chain(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(delete(entries).where(entries.c.batch_id == 1))
        drop_write_guards(conn)
        conn.execute(delete(batches).where(batches.c.id == 1))
    with platform.engine.connect() as conn:
        _, _, problems = verify(conn)
    assert any("batch 1 is missing" in p.message for p in problems)


def test_swapped_entry_ids_are_detected(platform: Platform) -> None:
    """Ids are outside the entry hash; swapping two (everything else intact) breaks their
    append order, which verify checks."""
    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        for old, new in ((2, 900002), (3, 2), (900002, 3)):
            conn.execute(update(entries).where(entries.c.id == old).values(id=new))
    with platform.engine.connect() as conn:
        _, _, problems = verify(conn)
    assert any("out of append order" in p.message for p in problems), problems
    assert all("was altered" not in p.message for p in problems)  # the facts are intact
