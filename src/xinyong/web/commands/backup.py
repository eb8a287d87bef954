"""``xinyong backup`` and ``xinyong restore``: the database with a manifest of what it holds.

The manifest (``FILE.json`` beside the backup) records the ledger head, the rows of every
table and the schema revision as the backup holds them, the file's SHA-256, and a check value
of the secret key. A restore refuses a file that does not match its manifest or a secret key
other than the one the data was sealed with, writes only into an empty database, and then
compares the restored database with the manifest and verifies the ledger. The secret key is
never in the backup: it is backed up on its own and stored apart (docs/operations.md).
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from xinyong.kernel.clock import CHINA_TZ, SystemClock
from xinyong.kernel.errors import InputError, XinyongError
from xinyong.kernel.settings import get_settings
from xinyong.ledger import repository as ledger_repo
from xinyong.web.commands.common import _fail, operator_actor

MANIFEST_FORMAT = "xinyong-backup/1"
_KEY_CHECK_LABEL = b"xinyong/backup/key-check/v1"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def describe(conn: Connection) -> dict[str, Any]:
    """What a backup holds, read from the backup's own snapshot (or the restored database)."""
    from xinyong.store.backup import table_counts

    batch, chain = ledger_repo.head(conn)
    return {
        "schema_revision": MigrationContext.configure(conn).get_current_revision(),
        "ledger_head": {"batch": batch, "chain_hash": chain},
        "tables": table_counts(conn),
    }


def key_check() -> str:
    """A value that tells whether two secret keys are the same, and nothing about the key."""
    key = get_settings().resolved_secret_key()
    return hmac.new(key, _KEY_CHECK_LABEL, "sha256").hexdigest()[:16]


def backup_cmd(
    target: Annotated[Path, typer.Argument(help="备份文件（不得已存在），旁边另写 FILE.json 清单")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（清单内容）")] = False,
) -> None:
    """备份数据库（SQLite：在线备份接口；PostgreSQL：pg_dump 自定义格式），并写清单。"""
    from xinyong.access.service import audit
    from xinyong.store.backup import backup
    from xinyong.store.db import make_engine

    engine = make_engine()
    clock = SystemClock()
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        check = key_check()
        try:
            done, content = backup(engine, target, describe)
        except (OperationalError, ProgrammingError) as exc:
            raise InputError(
                f"database unavailable or not initialised ({type(exc).__name__})",
                "数据库不可用或尚未初始化（先运行 xinyong db upgrade），未备份",
            ) from None
    except XinyongError as exc:
        _fail(exc, as_json)
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": clock.now().astimezone(CHINA_TZ).isoformat(),
        "engine": done.engine,
        "file": done.path.name,
        "size": done.size,
        "sha256": done.sha256,
        "key_check": check,
        **content,
    }
    manifest_path(target).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    with engine.begin() as conn:
        audit(
            conn,
            operator_actor(),
            "backup",
            done.path.name,
            clock.now(),
            detail={"sha256": done.sha256, "ledger_head": content["ledger_head"]},
        )
    engine.dispose()
    if as_json:
        typer.echo(json.dumps(manifest, ensure_ascii=False))
        return
    head = content["ledger_head"]
    typer.echo(
        f"已备份到 {target}（{done.size:,} 字节，SHA-256 {done.sha256[:16]}…），"
        f"清单 {manifest_path(target)}"
    )
    typer.echo(
        f"账本头：批次 {head['batch']}，链哈希 {head['chain_hash']}；"
        f"{len(content['tables'])} 张表，共 {sum(content['tables'].values()):,} 行"
    )
    typer.echo(
        "注意：备份中不含密钥。XINYONG_SECRET_KEY（及签名密钥文件）须与备份一同另行备份、分开保存；"
        "没有它，恢复后的身份证号无法解密，新数据的键值也与旧数据不符。"
    )


def _read_manifest(source: Path) -> dict[str, Any]:
    path = manifest_path(source)
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise InputError(
            f"no manifest {path}",
            f"找不到清单 {path}：恢复须有 xinyong backup 写的清单（手工 pg_dump 的文件请用 "
            "pg_restore，见 docs/operations.md）",
        ) from None
    except ValueError:
        raise InputError(f"manifest {path} is not JSON", f"清单 {path} 不是有效的 JSON") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise InputError(
            f"manifest {path}: unknown format", f"清单 {path} 的格式不是 {MANIFEST_FORMAT}"
        )
    return manifest


def restore_cmd(
    source: Annotated[
        Path, typer.Argument(help="xinyong backup 写的备份文件（旁边须有 FILE.json）")
    ],
) -> None:
    """把备份恢复到 XINYONG_DATABASE_URL 指定的空数据库，随后核对清单并校验账本。"""
    from xinyong.access.service import audit
    from xinyong.ledger.service import verify
    from xinyong.store.backup import file_sha256, restore
    from xinyong.store.db import make_engine

    try:
        manifest = _read_manifest(source)
        if file_sha256(source) != manifest["sha256"]:
            raise InputError(
                f"{source} does not match its manifest (SHA-256)",
                f"备份文件 {source} 与清单的 SHA-256 不符（文件损坏或被改动），不予恢复",
            )
        if key_check() != manifest["key_check"]:
            raise InputError(
                "XINYONG_SECRET_KEY differs from the key of the backup",
                "当前 XINYONG_SECRET_KEY 与备份时的密钥不同：恢复后身份证号无法解密、键值不符。"
                "请先配置备份时的密钥",
            )
        engine = make_engine()
        restore(source, engine)
    except XinyongError as exc:
        _fail(exc)
    with engine.connect() as conn:
        now = describe(conn)
        n_batches, n_entries, problems = verify(conn)
    expected = {k: manifest[k] for k in ("schema_revision", "ledger_head", "tables")}
    differs = [k for k in expected if now[k] != expected[k]]
    differs_tables = [
        t
        for t in sorted(set(now["tables"]) | set(expected["tables"]))
        if now["tables"].get(t) != expected["tables"].get(t)
    ]
    head = now["ledger_head"]
    if differs or problems:
        for k in differs:
            typer.echo(f"与清单不符：{k}", err=True)
        for t in differs_tables:
            typer.echo(
                f"  表 {t}：清单 {expected['tables'].get(t)} 行，恢复后 {now['tables'].get(t)} 行",
                err=True,
            )
        for p in problems:
            typer.echo(f"篡改/缺失：{p.message}", err=True)
        typer.echo("恢复后的数据库未通过核对，请勿投入使用", err=True)
        engine.dispose()
        raise typer.Exit(1)
    clock = SystemClock()
    with engine.begin() as conn:
        audit(
            conn,
            operator_actor(),
            "restore",
            source.name,
            clock.now(),
            detail={"sha256": manifest["sha256"], "ledger_head": head},
        )
    engine.dispose()
    typer.echo(
        f"已恢复 {source}：账本头批次 {head['batch']}、链哈希 {head['chain_hash']} 与清单一致，"
        f"{len(now['tables'])} 张表行数一致；账本完整（{n_batches} 个批次，{n_entries} 条记录）"
    )
    typer.echo("请再与对外公布的账本头（锚点）核对，并另行恢复密钥文件")
