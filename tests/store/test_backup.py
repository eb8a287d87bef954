"""Backup and restore on both engines: real data in, `xinyong backup`, `xinyong restore` into a
fresh database, and the restored database is the same database (ledger head, every table's
rows) and passes `audit verify`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text, update
from typer.testing import CliRunner

from tests.conftest import PG_URL, shared_data
from tests.helpers import add_department, drop_write_guards, revoke
from xinyong.access import service as access
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.demo.generator import DEPARTMENTS, department_uscc, generate_files
from xinyong.kernel.settings import get_settings
from xinyong.ledger import repository as ledger_repo
from xinyong.ledger.tables import entries
from xinyong.store.db import make_engine
from xinyong.store.metadata import load_all_tables
from xinyong.web.cli import app

runner = CliRunner()
SECRET = "11" * 32  # the platform fixture's key (tests.conftest.TEST_KEY): the data's key


def _point_at(monkeypatch: pytest.MonkeyPatch, url: str, key: str = SECRET) -> None:
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    monkeypatch.setenv("XINYONG_SECRET_KEY", key)
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _fill(platform: Platform) -> None:
    """Real registrations of 1995, a generated province (penalties, permits, the court's
    失信被执行人 feed that makes list memberships, rejected rows) and a revocation."""
    now = platform.clock.now()
    with platform.engine.begin() as conn:
        for code, name, sector, _ in DEPARTMENTS:
            access.add_department(conn, code, name, sector, department_uscc(code), now)
    importer = platform.importer()
    real = shared_data() / "registrations-1995" / "陕西.csv"
    result = importer.import_bytes(
        real.read_bytes(), filename=real.name, department_code="scjg", item_code=None
    )
    assert result.accepted == 982
    files = generate_files(
        platform.settings.data_dir / "demo", subjects=60, today=platform.clock.today()
    )
    for f in files:
        importer.import_bytes(
            f.path.read_bytes(),
            filename=f.path.name,
            department_code=f.department,
            item_code=f.item,
        )
    with platform.engine.connect() as conn:
        penalty = conn.execute(
            select(entries.c.subject_key, entries.c.record_key, entries.c.department_code)
            .where(entries.c.item_code == "XZCF", entries.c.subject_key.not_like("P%"))
            .limit(1)
        ).one()
    revoke(platform, penalty[2], "XZCF", penalty[0], penalty[1].split("|", 1)[1], "行政复议撤销")


def _digests(engine: Engine, audit_rows: int | None = None) -> dict[str, tuple[int, str]]:
    """Rows and a SHA-256 of every row (in primary-key order) of each table; ``audit_rows``
    limits the audit log to its first rows (backup and restore each append their own)."""
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(load_all_tables().tables.items()):
            stmt = select(table).order_by(*table.primary_key.columns)
            if table is audit_log and audit_rows is not None:
                stmt = stmt.where(audit_log.c.id <= audit_rows)
            h, n = hashlib.sha256(), 0
            for row in conn.execute(stmt):
                h.update(repr(tuple(row)).encode())
                n += 1
            out[name] = (n, h.hexdigest())
    return out


@pytest.fixture
def fresh(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the same engine."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'xinyong.db'}"
        return
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have pg_dump and pg_restore on PATH")
        pytest.skip("pg_dump/pg_restore not on PATH (apt-get install postgresql-client)")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"xinyong_restore_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield engine.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.shared
def test_backup_and_restore_give_the_same_database(
    platform: Platform, fresh: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(platform)
    before = _digests(platform.engine)
    with platform.engine.connect() as conn:
        head = ledger_repo.head(conn)
    assert head[0] > 5
    assert before["list_memberships"][0] > 0
    assert before["rejected_rows"][0] > 0

    _point_at(monkeypatch, platform.engine.url.render_as_string(hide_password=False))
    target = tmp_path / "backup.dump"
    code, out = _run("--operator", "备份员", "backup", str(target))
    assert code == 0, out
    assert f"链哈希 {head[1]}" in out
    assert "备份中不含密钥" in out
    manifest = json.loads((tmp_path / "backup.dump.json").read_text(encoding="utf-8"))
    assert manifest["ledger_head"] == {"batch": head[0], "chain_hash": head[1]}
    assert manifest["tables"] == {name: n for name, (n, _) in before.items()}
    assert manifest["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert not (tmp_path / "backup.dump.partial").exists()
    with platform.engine.connect() as conn:  # the backup is in the audit log
        last = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).one()
    assert (last.action, last.actor, last.target) == ("backup", "cli:备份员", "backup.dump")

    code, out = _run("backup", str(target))  # never overwritten
    assert code == 2
    assert "已存在" in out

    _point_at(monkeypatch, fresh)
    code, out = _run("restore", str(target))
    assert code == 0, out
    assert f"链哈希 {head[1]} 与清单一致" in out
    assert "账本完整" in out

    restored = make_engine(fresh)
    try:
        audit_rows = before["audit_log"][0]
        assert _digests(restored, audit_rows) == before
        with restored.connect() as conn:
            assert ledger_repo.head(conn) == head
        code, out = _run("audit", "verify")
        assert code == 0, out
        assert "哈希链一致" in out

        # A restore never writes into a database that holds tables (this one, now).
        code, out = _run("restore", str(target))
        assert code == 2
        assert "已有数据表" in out
    finally:
        restored.dispose()


def test_restore_refuses_an_altered_file_and_another_key(
    platform: Platform, fresh: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_department(platform)
    _point_at(monkeypatch, platform.engine.url.render_as_string(hide_password=False))
    target = tmp_path / "b.dump"
    assert _run("backup", str(target))[0] == 0

    _point_at(monkeypatch, fresh, key="33" * 32)
    code, out = _run("restore", str(target))
    assert code == 2
    assert "密钥不同" in out

    _point_at(monkeypatch, fresh)
    data = bytearray(target.read_bytes())
    data[-1] ^= 1
    altered = tmp_path / "altered.dump"
    altered.write_bytes(bytes(data))
    shutil.copy(tmp_path / "b.dump.json", tmp_path / "altered.dump.json")
    code, out = _run("restore", str(altered))
    assert code == 2
    assert "SHA-256 不符" in out

    code, out = _run("restore", str(tmp_path / "none.dump"))
    assert code == 2
    assert "找不到清单" in out
    # Nothing was written by the refusals: the database is still empty.
    probe = make_engine(fresh)
    try:
        with probe.connect() as conn:
            assert not conn.execute(
                text(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                    if probe.dialect.name == "sqlite"
                    else "SELECT 1 FROM pg_tables WHERE schemaname = 'public'"
                )
            ).first()
    finally:
        probe.dispose()


def test_restore_names_what_differs_from_the_manifest(
    platform: Platform, fresh: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup whose content was changed and whose manifest was rewritten to match the file
    still fails: the ledger no longer verifies."""
    add_department(platform)
    _fill_small(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(entries).where(entries.c.id == 1).values(severity="一般" + "x"))
    _point_at(monkeypatch, platform.engine.url.render_as_string(hide_password=False))
    target = tmp_path / "t.dump"
    assert _run("backup", str(target))[0] == 0
    _point_at(monkeypatch, fresh)
    code, out = _run("restore", str(target))
    assert code == 1
    assert "entry 1 was altered" in out
    assert "请勿投入使用" in out


def _fill_small(platform: Platform) -> None:
    from tests.helpers import csv_bytes, penalty

    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # pg_dump is PostgreSQL's
def test_backup_without_pg_dump_says_so_in_chinese(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(monkeypatch, engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without the PostgreSQL client
    code, out = _run("backup", str(tmp_path / "x.dump"))
    assert code == 2
    assert "找不到 pg_dump" in out
    assert "postgresql-client" in out
    assert not (tmp_path / "x.dump").exists()
