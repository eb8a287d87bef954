"""Backup and restore of the whole database, on both engines.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot of a
live WAL database page by page; copying the file itself while the server writes can miss what
is still in ``-wal`` or catch a page half written. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore``, the binaries of the PostgreSQL client installed on the host.

``describe`` is run against exactly what the backup holds (the copy itself on SQLite, the dump's
exported snapshot on PostgreSQL), so a manifest built from it — ledger head, row counts — can be
compared with the database a restore produces. Neither function knows what is described: the
contexts above decide (store is below them).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import URL

from xinyong.kernel.errors import ConfigurationError, Conflict, InputError, XinyongError
from xinyong.store.metadata import load_all_tables

T = TypeVar("T")

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(XinyongError):
    """pg_dump / pg_restore or the SQLite backup failed; the detail is the tool's own."""

    code = "backup_error"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    engine: str  # "sqlite" | "postgresql"
    size: int
    sha256: str


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows per table of the schema, by name."""
    return {
        name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for name, table in sorted(load_all_tables().tables.items())
    }


def backup(
    engine: Engine, target: Path, describe: Callable[[Connection], T]
) -> tuple[BackupFile, T]:
    """Write a backup of ``engine``'s database to ``target`` (which must not exist) and return
    it with ``describe`` of its content. The file appears under its name only when complete."""
    if target.exists():
        raise InputError(
            f"backup target {target} exists", f"备份文件 {target} 已存在，不会覆盖，请换一个文件名"
        )
    if not target.parent.is_dir():
        raise InputError(f"no directory {target.parent}", f"备份目录 {target.parent} 不存在")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            described = _backup_sqlite(engine, partial, describe)
        elif engine.dialect.name == "postgresql":
            described = _backup_postgres(engine, partial, describe)
        else:
            raise ConfigurationError(
                f"no backup for {engine.dialect.name}", f"不支持备份 {engine.dialect.name} 数据库"
            )
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return (
        BackupFile(target, engine.dialect.name, target.stat().st_size, file_sha256(target)),
        described,
    )


def restore(source: Path, engine: Engine) -> None:
    """Restore ``source`` into ``engine``'s database, which must hold no table: a restore never
    overwrites or merges into a database in use."""
    try:
        with source.open("rb") as f:
            magic = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InputError(
            f"cannot read {source}: {exc}", f"无法读取备份文件 {source}：{exc.strerror}"
        ) from None
    kind = (
        "sqlite"
        if magic == SQLITE_MAGIC
        else "postgresql"
        if magic.startswith(PGDUMP_MAGIC)
        else None
    )
    if kind is None:
        raise InputError(
            f"{source} is neither a SQLite database nor a pg_dump custom-format file",
            f"{source} 不是 SQLite 数据库，也不是 pg_dump 自定义格式（-Fc）的备份文件",
        )
    if kind != engine.dialect.name:
        raise InputError(
            f"a {kind} backup cannot be restored into {engine.dialect.name}",
            f"这是 {_label(kind)} 的备份，不能恢复到 {_label(engine.dialect.name)} 数据库",
        )
    if kind == "sqlite":
        _restore_sqlite(source, engine)
    else:
        _restore_postgres(source, engine)


def _label(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(kind, kind)


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise ConfigurationError("in-memory SQLite", "内存中的 SQLite 数据库无法备份或恢复")
    return Path(database)


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()
    if result is None or result[0] != "ok":
        raise BackupError(
            f"{path} fails PRAGMA quick_check: {result}",
            f"SQLite 文件 {path} 未通过完整性检查（quick_check）",
        )


def _backup_sqlite(engine: Engine, partial: Path, describe: Callable[[Connection], T]) -> T:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        if not isinstance(source, sqlite3.Connection):
            raise ConfigurationError("not a sqlite3 connection", "SQLite 连接类型不符")
        copy = sqlite3.connect(partial)
        try:
            # One step (pages=-1): the copy is the database as of one moment, even while the
            # server writes (a writer's commit restarts a multi-step backup of a WAL database).
            source.backup(copy)
            _quick_check(copy, partial)
        finally:
            copy.close()
    finally:
        raw.close()
    described = create_engine(f"sqlite:///{partial}")
    try:
        with described.connect() as conn:
            return describe(conn)
    finally:
        described.dispose()


def _restore_sqlite(source: Path, engine: Engine) -> None:
    target = _sqlite_path(engine)
    engine.dispose()  # no pooled connection may hold the target file open
    if target.exists() and target.stat().st_size:
        probe = sqlite3.connect(target)
        try:
            tables = probe.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            if tables.fetchone()[0]:
                raise Conflict(
                    f"{target} already holds tables",
                    f"目标数据库 {target} 已有数据表：恢复只写入空数据库，请指定新的数据库文件",
                )
        finally:
            probe.close()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _quick_check(src, source)
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            _quick_check(dst, target)
        finally:
            dst.close()
    finally:
        src.close()


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigurationError(
            f"{name} not found on PATH",
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client，"
            f"版本不低于数据库服务器），并把其 bin 目录加入 PATH",
        )
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as a libpq connection string without the password (a command line is visible
    to every user of the host), and the environment that carries the password instead."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        last = detail[-1] if detail else f"exit status {done.returncode}"
        raise BackupError(f"{what} failed: {done.stderr.strip()}", f"{what} 失败：{last}")


def _backup_postgres(engine: Engine, partial: Path, describe: Callable[[Connection], T]) -> T:
    pg_dump = _pg_tool("pg_dump")
    conninfo, env = _libpq(engine.url)
    with engine.connect() as conn:
        # The description and the dump read one exported snapshot, so the manifest is exactly
        # what the file holds even while imports and checks go on.
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            described = describe(conn)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={partial}",
                    f"--dbname={conninfo}",
                ],
                env,
                "pg_dump",
            )
    return described


def _restore_postgres(source: Path, engine: Engine) -> None:
    pg_restore = _pg_tool("pg_restore")
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    if tables:
        raise Conflict(
            f"target database holds {len(tables)} tables",
            "目标数据库已有数据表：恢复只写入新建的空数据库（createdb），不覆盖在用的数据库",
        )
    engine.dispose()
    conninfo, env = _libpq(engine.url)
    # One transaction: a failure leaves the new database empty, never half restored. Owners
    # become the restoring role; grants are restored as dumped (create the roles first).
    _run(
        [
            pg_restore,
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            f"--dbname={conninfo}",
            str(source),
        ],
        env,
        "pg_restore",
    )
