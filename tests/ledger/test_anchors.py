"""Signed heads (anchors): signing, idempotence, and what a kept anchors file reveals.

Each tampering is done as a tamperer with DDL rights would: the write guards dropped first
(tests.helpers.drop_write_guards)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import DBAPIError

from tests.helpers import add_department, csv_bytes, drop_write_guards, penalty
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.errors import ConfigurationError, Conflict, InputError
from xinyong.ledger import anchorkey
from xinyong.ledger import repository as ledger_repo
from xinyong.ledger import service as ledger
from xinyong.ledger.anchors import (
    Anchor,
    jsonl,
    load_public_key,
    message,
    parse_jsonl,
    public_pem,
    public_raw_base64,
)
from xinyong.ledger.hashing import GENESIS, chain_hash, entry_hash, merkle_root
from xinyong.ledger.tables import batches, entries, ledger_anchors, ledger_head

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _import(platform: Platform, name: str, n: int) -> None:
    result = platform.importer().import_bytes(
        csv_bytes([penalty(CF_WSH=f"{name}{i}号") for i in range(n)]),
        filename=f"{name}.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert result.accepted == n


def _anchor(platform: Platform) -> tuple[Anchor, bool]:
    with platform.engine.begin() as conn:
        return ledger.anchor_head(conn, KEY, platform.clock.now(), audit_head=access.audit_head)


def _kept(platform: Platform, clock: FixedClock) -> list[Anchor]:
    """Three batches, two daily anchors (after batch 2 and after batch 3), as downloaded."""
    add_department(platform)
    _import(platform, "a", 3)
    _import(platform, "b", 2)
    _anchor(platform)
    clock.advance(dt.timedelta(days=1))
    _import(platform, "c", 4)
    _anchor(platform)
    with platform.engine.connect() as conn:
        return parse_jsonl(jsonl(ledger.all_anchors(conn)))


def _check(platform: Platform, kept: list[Anchor]) -> list[str]:
    with platform.engine.connect() as conn:
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
    return [p.kind for p in report.problems]


def test_untampered_ledger_matches_its_anchors(platform: Platform, clock: FixedClock) -> None:
    kept = _kept(platform, clock)
    assert [(a.batch_id, a.entry_count) for a in kept] == [(2, 5), (3, 9)]
    with platform.engine.connect() as conn:
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
        head = conn.execute(select(ledger_head.c.chain_hash)).scalar_one()
    assert report.problems == ()
    assert (report.kept, report.stored, report.checked_up_to) == (2, 2, 3)
    assert kept[-1].head_hash == head
    # Later imports do not disturb the earlier anchors.
    _import(platform, "d", 1)
    assert _check(platform, kept) == []


def test_anchor_is_idempotent_while_the_head_stays(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    _import(platform, "a", 2)
    first, new = _anchor(platform)
    assert new
    clock.advance(dt.timedelta(days=1))
    again, new = _anchor(platform)
    assert not new
    assert again == first
    with platform.engine.connect() as conn:
        assert ledger.anchors_page(conn, 10, 0)[0] == 1
    _import(platform, "b", 1)
    moved, new = _anchor(platform)
    assert new
    assert moved.batch_id == 2
    assert moved.id == first.id + 1


def test_the_signature_covers_the_documented_message(platform: Platform) -> None:
    add_department(platform)
    _import(platform, "a", 2)
    anchor, _ = _anchor(platform)
    assert anchor.anchored_at == dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
    with platform.engine.connect() as conn:
        audit_row, audit_hash = access.audit_head(conn)
    assert audit_row > 0  # the import was audited
    assert (anchor.audit_row_id, anchor.audit_hash) == (audit_row, audit_hash)
    expected = (
        "xinyong-ledger-anchor-v2\n"
        "batch_id=1\n"
        f"head_hash={anchor.head_hash}\n"
        "entry_count=2\n"
        f"audit_row_id={audit_row}\n"
        f"audit_hash={audit_hash}\n"
        "anchored_at=2026-06-15T02:00:00Z\n"
    ).encode()
    assert message(1, anchor.head_hash, 2, anchor.anchored_at, audit_row, audit_hash) == expected
    KEY.public_key().verify(bytes.fromhex(anchor.signature), expected)  # raises if not


def test_an_empty_ledger_is_anchored_at_genesis(platform: Platform) -> None:
    anchor, new = _anchor(platform)
    assert new
    assert (anchor.batch_id, anchor.head_hash, anchor.entry_count) == (0, GENESIS, 0)
    assert _check(platform, [anchor]) == []


def test_truncation_is_detected(platform: Platform, clock: FixedClock) -> None:
    kept = _kept(platform, clock)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(delete(entries).where(entries.c.batch_id == 3))
        conn.execute(delete(batches).where(batches.c.id == 3))
        two = conn.execute(select(batches.c.chain_hash).where(batches.c.id == 2)).scalar_one()
        conn.execute(update(ledger_head).values(last_batch_id=2, chain_hash=two))
        # and the anchor that would betray it
        conn.execute(delete(ledger_anchors).where(ledger_anchors.c.batch_id == 3))
    with platform.engine.connect() as conn:
        assert ledger.verify(conn)[2] == []  # the chain alone cannot tell
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
    kinds = [p.kind for p in report.problems]
    assert kinds == ["anchor_missing", "truncated"]
    assert "账本头只到批次 2" in report.problems[1].message_zh
    assert "head is at batch 2" in report.problems[1].message_en


def test_a_deleted_batch_below_an_anchor_is_named(platform: Platform, clock: FixedClock) -> None:
    kept = _kept(platform, clock)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(delete(entries).where(entries.c.batch_id == 2))
        conn.execute(delete(batches).where(batches.c.id == 2))
    with platform.engine.connect() as conn:
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
    assert [p.kind for p in report.problems] == ["truncated", "truncated"]
    assert "批次 2 已不存在" in report.problems[0].message_zh


def _rewrite_from(conn: Connection, first: int) -> None:
    """Alter an entry of batch ``first`` and recompute every hash after it, head included:
    what `verify` cannot see."""
    drop_write_guards(conn)
    row = dict(conn.execute(select(entries).where(entries.c.batch_id == first)).first()._mapping)  # type: ignore[union-attr]
    row["payload"] = row["payload"].replace("号", "号（改）")
    conn.execute(
        update(entries)
        .where(entries.c.id == row["id"])
        .values(payload=row["payload"], entry_hash=entry_hash(row))
    )
    prev = (
        conn.execute(select(batches.c.chain_hash).where(batches.c.id == first - 1)).scalar()
        or GENESIS
    )
    for b in conn.execute(
        select(batches).where(batches.c.id >= first).order_by(batches.c.id)
    ).all():
        batch = dict(b._mapping)
        leaves = list(
            conn.execute(
                select(entries.c.entry_hash)
                .where(entries.c.batch_id == batch["id"])
                .order_by(entries.c.seq)
            ).scalars()
        )
        batch.update(merkle_root=merkle_root(leaves), prev_hash=prev)
        batch["chain_hash"] = chain_hash(prev, batch)
        conn.execute(
            update(batches)
            .where(batches.c.id == batch["id"])
            .values(
                merkle_root=batch["merkle_root"], prev_hash=prev, chain_hash=batch["chain_hash"]
            )
        )
        prev = batch["chain_hash"]
    conn.execute(update(ledger_head).values(chain_hash=prev))


def test_a_consistently_rewritten_suffix_is_detected(platform: Platform, clock: FixedClock) -> None:
    kept = _kept(platform, clock)
    with platform.engine.begin() as conn:
        _rewrite_from(conn, 2)
    with platform.engine.connect() as conn:
        assert ledger.verify(conn)[2] == []  # every hash recomputes
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
    assert [p.kind for p in report.problems] == ["rewritten", "rewritten"]
    first = report.problems[0]
    assert first.batch_id == 2
    assert "批次 2 的链哈希" in first.message_zh
    assert "rewritten" in first.message_en


def test_a_rewrite_after_the_last_anchor_is_refused_when_signing(
    platform: Platform, clock: FixedClock
) -> None:
    _kept(platform, clock)
    _import(platform, "d", 1)
    with platform.engine.begin() as conn:
        # entry altered without its hash: the chain still "recomputes" from stored hashes
        drop_write_guards(conn)
        conn.execute(update(entries).where(entries.c.batch_id == 4).values(severity="轻微"))
    with pytest.raises(Conflict, match="batch 4"):
        _anchor(platform)
    with platform.engine.begin() as conn:
        _rewrite_from(conn, 2)
    with pytest.raises(Conflict) as exc:
        _anchor(platform)
    assert "拒绝签署" in exc.value.message_zh


def test_a_bad_signature_is_detected(platform: Platform, clock: FixedClock) -> None:
    kept = _kept(platform, clock)
    forged = Anchor(**{**_fields(kept[0]), "entry_count": kept[0].entry_count + 1})
    assert _check(platform, [forged, kept[1]]).count("bad_signature") == 1
    # in the table too: a row altered behind the guards
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(
            update(ledger_anchors).where(ledger_anchors.c.id == 2).values(signature="00" * 64)
        )
    kinds = _check(platform, kept)
    assert kinds == ["bad_signature", "anchor_missing"]
    other = Ed25519PrivateKey.generate().public_key()
    with platform.engine.connect() as conn:
        report = ledger.verify_anchors(conn, kept[:1], [other], audit_chain=access.audit_chain_at)
    assert {p.kind for p in report.problems} == {"unknown_key"}


def _fields(a: Anchor) -> dict[str, object]:
    return {name: getattr(a, name) for name in Anchor.__slots__}


def test_anchors_deleted_from_the_table_are_detected(platform: Platform, clock: FixedClock) -> None:
    kept = _kept(platform, clock)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(delete(ledger_anchors).where(ledger_anchors.c.id == 1))
    with platform.engine.connect() as conn:
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
    assert [(p.kind, p.anchor_id) for p in report.problems] == [("anchor_missing", 1)]
    assert "锚点表中已没有" in report.problems[0].message_zh


def test_anchors_cannot_be_changed_or_deleted(platform: Platform) -> None:
    add_department(platform)
    _import(platform, "a", 1)
    _anchor(platform)
    for statement in (
        update(ledger_anchors).values(head_hash="0" * 64),
        delete(ledger_anchors),
    ):
        with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as conn:
            conn.execute(statement)
    with platform.engine.connect() as conn:
        assert ledger.anchors_page(conn, 10, 0)[0] == 1


def test_keygen_writes_a_private_key_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "anchor.pem"
    public = anchorkey.generate(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    with pytest.raises(Conflict, match="exists"):
        anchorkey.generate(path)
    assert path.read_bytes() == before
    loaded = anchorkey.load_public(path)
    assert public_raw_base64(loaded) == public_raw_base64(public)
    assert public_raw_base64(load_public_key(public_pem(public).encode())) == public_raw_base64(
        public
    )
    assert public_raw_base64(load_public_key(public_raw_base64(public).encode())) == (
        public_raw_base64(public)
    )
    os.chmod(path, 0o644)
    with pytest.raises(ConfigurationError, match="group or others"):
        anchorkey.load_private(path)
    with pytest.raises(ConfigurationError, match="XINYONG_ANCHOR_KEY_FILE"):
        anchorkey.generate(None)
    assert anchorkey.configured_public(None) is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json", "不是 JSON"),
        ("[1]", "JSON 对象"),
        ('{"id": 0}', "id"),
        ('{"id": 1, "batch_id": 1, "entry_count": 1, "head_hash": "xyz"}', "head_hash"),
        ("x" * 3000, "过长"),
    ],
)
def test_a_malformed_anchors_file_names_the_line(line: str, reason: str) -> None:
    good = json.dumps(
        {
            "id": 1,
            "anchored_at": "2026-06-15T02:00:00Z",
            "batch_id": 1,
            "head_hash": "a" * 64,
            "entry_count": 1,
            "algorithm": "Ed25519",
            "key_fingerprint": "b" * 64,
            "signature": "c" * 128,
        }
    )
    assert len(parse_jsonl(f"{good}\n\n".encode())) == 1
    with pytest.raises(InputError) as exc:
        parse_jsonl(f"{good}\n{line}\n".encode())
    assert "第 2 行" in exc.value.message_zh
    assert reason in exc.value.message_zh


# Database roles are PostgreSQL's; SQLite is guarded by its triggers alone.
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_application_role_may_anchor_but_not_delete_anchors(platform: Platform) -> None:
    from sqlalchemy import text

    with platform.engine.connect() as conn:
        conn.execute(text("SET ROLE xinyong_app"))
        ledger.anchor_head(conn, KEY, platform.clock.now(), audit_head=access.audit_head)
        for statement in (
            delete(ledger_anchors),
            text("TRUNCATE ledger_anchors"),
            text("ALTER TABLE ledger_anchors DISABLE TRIGGER USER"),
        ):
            nested = conn.begin_nested()
            with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                conn.execute(statement)
            nested.rollback()
        conn.rollback()


def test_the_job_without_a_key_is_skipped_and_logged(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from xinyong.jobs.registry import run_job

    with caplog.at_level(logging.ERROR, logger="xinyong.jobs"):
        assert run_job(platform, "anchor_ledger")["skipped"] == "no anchor key"
    assert any("XINYONG_ANCHOR_KEY_FILE" in r.getMessage() for r in caplog.records)
    with platform.engine.connect() as conn:
        assert ledger.anchors_page(conn, 10, 0)[0] == 0


def test_a_chain_that_does_not_recompute_leaves_later_anchors_unconfirmed(
    platform: Platform, clock: FixedClock
) -> None:
    kept = _kept(platform, clock)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(batches).where(batches.c.id == 1).values(row_count=99))
    with platform.engine.connect() as conn:
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
    assert [p.kind for p in report.problems] == ["chain_broken", "chain_broken"]
    assert "链在批次 1 处无法重算" in report.problems[0].message_zh
    assert report.checked_up_to == 0


# -- the audit log's head, signed with the ledger's ------------------------------------------


def _rewrite_audit_from(conn: Connection, first: int) -> None:
    """Alter audit row ``first`` and recompute every later row's link and hash: what a full
    `verify_audit` cannot see."""
    from xinyong.access.service import AUDIT_GENESIS, _audit_hash
    from xinyong.access.tables import audit_log

    drop_write_guards(conn)
    prev = (
        conn.execute(
            select(audit_log.c.hash).where(audit_log.c.id < first).order_by(audit_log.c.id.desc())
        ).scalar()
        or AUDIT_GENESIS
    )
    rows = conn.execute(
        select(audit_log).where(audit_log.c.id >= first).order_by(audit_log.c.id)
    ).all()
    for r in rows:
        row = dict(r._mapping)
        purpose = "改过" if row["id"] == first else row["purpose"]
        digest = _audit_hash(
            prev, row["at"], row["actor"], row["action"], row["target"], purpose, row["detail"]
        )
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == row["id"])
            .values(purpose=purpose, prev_hash=prev, hash=digest)
        )
        prev = digest


def test_an_audit_row_moves_the_head_to_sign(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    _import(platform, "a", 1)
    first, _ = _anchor(platform)
    with platform.engine.begin() as conn:
        access.audit(conn, "cli:甲", "read_file", "subject:x", platform.clock.now(), "核查")
    moved, new = _anchor(platform)
    assert new
    assert (moved.batch_id, moved.head_hash) == (first.batch_id, first.head_hash)
    assert first.audit_row_id is not None
    assert moved.audit_row_id == first.audit_row_id + 1
    assert _check(platform, [first, moved]) == []


def test_a_consistently_rewritten_audit_log_is_detected(
    platform: Platform, clock: FixedClock
) -> None:
    kept = _kept(platform, clock)
    with platform.engine.begin() as conn:
        _rewrite_audit_from(conn, 2)
    with platform.engine.connect() as conn:
        assert access.verify_audit(conn)[1] is None  # every hash recomputes
    problems = _check(platform, kept)
    assert problems == ["audit_rewritten", "audit_rewritten"]
    with platform.engine.connect() as conn:
        report = ledger.verify_anchors(
            conn, kept, [KEY.public_key()], audit_chain=access.audit_chain_at
        )
    assert "审计日志被改写" in report.problems[0].message_zh


def test_a_truncated_or_edited_audit_log_is_detected(platform: Platform, clock: FixedClock) -> None:
    from xinyong.access.tables import audit_log

    kept = _kept(platform, clock)
    last = kept[-1].audit_row_id
    assert last is not None
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(delete(audit_log).where(audit_log.c.id == last))
    assert _check(platform, kept) == ["audit_truncated"]
    with platform.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 1).values(purpose="改过"))
    assert _check(platform, kept) == ["audit_chain_broken", "audit_chain_broken"]


def test_a_v1_anchor_without_the_audit_head_still_verifies(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    _import(platform, "a", 1)
    with platform.engine.connect() as conn:
        head_id, head_hash = ledger_repo.head(conn)
    when = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
    old = Anchor(
        id=99,
        anchored_at=when,
        batch_id=head_id,
        head_hash=head_hash,
        entry_count=1,
        signature=KEY.sign(message(head_id, head_hash, 1, when)).hex(),
        key_fingerprint=_anchor(platform)[0].key_fingerprint,
    )
    assert message(head_id, head_hash, 1, when).startswith(b"xinyong-ledger-anchor-v1\n")
    # in the file only (not the table): the signature and the ledger check out
    assert _check(platform, [old]) == ["anchor_missing"]
