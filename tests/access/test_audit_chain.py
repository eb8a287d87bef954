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
