"""The audit log's hash chain: appends at once do not fork it, and tampering is named."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, update

from tests.helpers import drop_write_guards
from xinyong.access import service as access
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform

THREADS, EACH = 8, 25


def _append_concurrently(platform: Platform) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        barrier.wait()
        for i in range(EACH):
            try:
                with platform.engine.begin() as conn:
                    access.audit(
                        conn,
                        f"client:{n}",
                        "read_file",
                        f"subject:{i}",
                        platform.clock.now(),
                        "核查",
                    )
            except BaseException as exc:  # the test reports what failed
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return failures


def test_concurrent_appends_keep_one_chain(platform: Platform) -> None:
    assert _append_concurrently(platform) == []
    with platform.engine.connect() as conn:
        n, broken = access.verify_audit(conn)
    assert (n, broken) == (THREADS * EACH, None)


@pytest.mark.parametrize(
    ("tamper", "row", "says"),
    [
        (update(audit_log).where(audit_log.c.id == 3).values(purpose="改过"), 3, "被改动"),
        (delete(audit_log).where(audit_log.c.id == 3), 4, "链接不上"),
    ],
    ids=["edited", "deleted"],
)
def test_a_tampered_audit_log_is_named_at_its_first_broken_link(
    platform: Platform, tamper: object, row: int, says: str
) -> None:
    with platform.engine.begin() as conn:
        for i in range(5):
            access.audit(conn, "cli:甲", "read_file", f"subject:{i}", platform.clock.now(), "核查")
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(tamper)  # type: ignore[call-overload]
    with platform.engine.connect() as conn:
        _, broken = access.verify_audit(conn)
    assert broken is not None
    assert broken.row_id == row
    assert says in broken.message_zh


def test_swapped_audit_rows_break_the_chain(platform: Platform) -> None:
    with platform.engine.begin() as conn:
        for i in range(4):
            access.audit(conn, "cli:甲", "read_file", f"subject:{i}", platform.clock.now(), "核查")
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        for old, new in ((2, 900), (3, 2), (900, 3)):
            conn.execute(update(audit_log).where(audit_log.c.id == old).values(id=new))
    with platform.engine.connect() as conn:
        _, broken = access.verify_audit(conn)
    assert broken is not None
    assert broken.row_id == 2


def _rows(platform: Platform, n: int, start: int = 0) -> None:
    with platform.engine.begin() as conn:
        for i in range(start, start + n):
            access.audit(conn, "cli:甲", "read_file", f"subject:{i}", platform.clock.now(), "核查")


def _since(platform: Platform, max_rows: int = 1000) -> access.AuditVerification:
    with platform.engine.begin() as conn:
        return access.verify_audit_since_checkpoint(
            conn, "cli:乙", platform.clock.now(), max_rows=max_rows
        )


def test_verification_continues_from_its_checkpoint(platform: Platform) -> None:
    _rows(platform, 5)
    first = _since(platform)
    assert (first.checked, first.started_after, first.verified_to) == (5, 0, 5)
    assert first.broken is None
    assert first.checkpoint_id is not None
    _rows(platform, 3, 5)
    second = _since(platform)
    assert (second.checked, second.started_after, second.verified_to) == (3, 5, 8)
    idle = _since(platform)
    assert (idle.checked, idle.checkpoint_id) == (0, None)


def test_a_bounded_pass_leaves_the_rest_for_the_next(platform: Platform) -> None:
    _rows(platform, 5)
    part = _since(platform, max_rows=2)
    assert (part.checked, part.verified_to, part.remaining, part.full) == (2, 2, 3, False)
    assert part.last_full is None
    rest = _since(platform, max_rows=10)
    assert (rest.checked, rest.started_after, rest.remaining, rest.full) == (3, 2, 0, False)
    assert rest.last_full is None  # two passes, neither from the first row to the last


def test_a_checkpoint_row_rewritten_is_named_and_a_full_pass_finds_older_edits(
    platform: Platform,
) -> None:
    _rows(platform, 5)
    _since(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(purpose="改过"))
    # Before the checkpoint and the hashes left alone: the bounded pass does not look again.
    assert _since(platform).broken is None
    with platform.engine.begin() as conn:
        full = access.verify_audit_full(conn, "cli:乙", platform.clock.now())
    assert full.broken is not None
    assert full.broken.row_id == 2
    assert full.checkpoint_id is None  # a broken chain records no checkpoint
    with platform.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 5).values(hash="f" * 64))
    broken = _since(platform).broken
    assert broken is not None
    assert broken.row_id == 5
    assert "与上次校验时" in broken.message_zh


def test_a_full_pass_is_recorded_as_the_last_full_verification(platform: Platform) -> None:
    _rows(platform, 4)
    with platform.engine.begin() as conn:
        full = access.verify_audit_full(conn, "cli:乙", platform.clock.now())
    assert (full.checked, full.full, full.broken) == (4, True, None)
    assert full.last_full is not None
    assert (full.last_full["row_id"], full.last_full["actor"]) == (4, "cli:乙")
