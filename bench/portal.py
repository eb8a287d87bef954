"""The 双公示 listing query on PostgreSQL over N generated penalty entries: EXPLAIN ANALYZE of
the first page and the count, without and with ix_entries_item_decided (migration 0020).

    .venv/bin/python bench/portal.py [rows]    # default 300000; uses database xinyong_bench_portal
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from sqlalchemy import create_engine, text

from xinyong.kernel.clock import CHINA_TZ
from xinyong.portal import repository as repo
from xinyong.store.metadata import metadata

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/xinyong_bench_portal"


def main(rows: int) -> None:
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text("DROP DATABASE IF EXISTS xinyong_bench_portal"))
        c.execute(text("CREATE DATABASE xinyong_bench_portal"))
    engine = create_engine(URL)
    metadata.create_all(engine)
    with engine.begin() as c:
        c.execute(text("DROP INDEX IF EXISTS ix_entries_item_decided"))
        # Penalties (60 %) and licences over 6 years, 8 departments, 1 in 20 corrected and
        # 1 in 50 revoked later, 5 % persons; windows of 36 months from the decision.
        c.execute(
            text(
                """
            INSERT INTO entries (id, batch_id, seq, subject_key, subject_kind, item_code,
              item_version, record_key, action, decision_date, disclosure, content_hash,
              payload, department_code, received_at, public, public_from, public_until,
              window_reason, late, entry_hash)
            SELECT g, 1, g, 'S' || (g % 50000), CASE WHEN g % 20 = 0 THEN 'person'
                ELSE 'organisation' END,
              CASE WHEN g % 5 < 3 THEN 'XZCF' ELSE 'XZXK' END, '2024.1',
              'R' || (CASE WHEN g % 20 = 1 AND g > 20 THEN g - 20 ELSE g END),
              CASE WHEN g % 50 = 7 THEN 'revoke' ELSE 'assert' END,
              DATE '2026-06-15' - (g % 2190), '社会公开', 'h', '{}', 'd' || (g % 8),
              TIMESTAMPTZ '2026-06-01', g % 50 <> 7, DATE '2026-06-15' - (g % 2190),
              DATE '2026-06-15' - (g % 2190) + 1095, '', false, 'h'
            FROM generate_series(1, :n) AS g
            """
            ),
            {"n": rows},
        )
        c.execute(text("ANALYZE entries"))
    day = dt.date(2026, 6, 15)
    for label in ("baseline (no index)", "with ix_entries_item_decided"):
        if label.startswith("with"):
            with engine.begin() as c:
                c.execute(
                    text(
                        "CREATE INDEX ix_entries_item_decided ON entries "
                        "(item_code, decision_date, id)"
                    )
                )
                c.execute(text("ANALYZE entries"))
        for q in (
            repo.PublicityQuery("XZCF", day),
            repo.PublicityQuery("XZCF", day, department="d3"),
        ):
            best = []
            for _ in range(5):
                with engine.connect() as c:
                    start = time.perf_counter()
                    _got, total = repo.publicity(c, q, CHINA_TZ, limit=20, offset=0)
                    best.append(time.perf_counter() - start)
            print(
                f"{label:32} dept={q.department or '-':4} rows={rows} total={total} "
                f"page+count p50 {sorted(best)[2] * 1000:.1f} ms min {min(best) * 1000:.1f} ms"
            )
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
