"""``xinyong audit keygen``, ``anchor-key``, ``anchor``, ``anchors-export`` and the anchor
check of ``xinyong audit verify --anchors``: the signed heads of the ledger and the audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xinyong.kernel.errors import InputError, XinyongError
from xinyong.kernel.settings import get_settings
from xinyong.ledger import anchorkey
from xinyong.ledger.anchors import fingerprint, jsonl, load_public_key, parse_jsonl, public_pem
from xinyong.web.commands.common import AsJson, _fail, _platform, operator_actor

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from sqlalchemy import Connection

    from xinyong.bootstrap import Platform
    from xinyong.ledger.anchors import AnchorReport

# An anchors file is one short line a day: a file this large is not one.
MAX_ANCHORS_FILE_BYTES = 64 * 1024 * 1024


def keygen_cmd() -> None:
    """生成账本锚点签名密钥（Ed25519，写入 XINYONG_ANCHOR_KEY_FILE，权限 600，已存在则拒绝覆盖）。"""
    path = get_settings().anchor_key_file
    try:
        public = anchorkey.generate(path)
    except XinyongError as exc:
        _fail(exc)
    typer.echo(f"已生成签名密钥：{path}（权限 600，请另行备份，勿与数据库备份放在一起）")
    typer.echo(f"公钥指纹（SHA-256）：{fingerprint(public)}")
    typer.echo(public_pem(public), nl=False)


def anchor_key_cmd(as_json: AsJson = False) -> None:
    """显示用于核验账本锚点的公钥（PEM）及其指纹，供公布和外部保存。"""
    try:
        public = anchorkey.load_public(get_settings().anchor_key_file)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        out = {"algorithm": "Ed25519", "public_key": public_pem(public)}
        typer.echo(json.dumps({**out, "key_fingerprint": fingerprint(public)}))
        return
    typer.echo(f"公钥指纹（SHA-256）：{fingerprint(public)}")
    typer.echo(public_pem(public), nl=False)


def anchor_cmd(as_json: AsJson = False) -> None:
    """签署当前账本头（批次、链哈希、记录数）与审计日志头（最后一条审计记录及其哈希）并存为锚点；两者均未变则不重复签署。"""
    from xinyong.access import service as access
    from xinyong.ledger import service as ledger

    platform = _platform()
    try:
        key = anchorkey.load_private(platform.settings.anchor_key_file)
        now = platform.clock.now()

        def record(conn: Connection, batch_id: int) -> None:
            # Before signing, so the anchor covers the row that records it.
            access.audit(
                conn,
                operator_actor(),
                "anchor_ledger",
                "ledger_anchors",
                now,
                "签署账本锚点",
                detail={"batch_id": batch_id},
            )

        with platform.engine.begin() as conn:
            anchor, new = ledger.anchor_head(
                conn, key, now, audit_head=access.audit_head, record=record
            )
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        typer.echo(json.dumps({"new": new, **anchor.as_json()}))
        return
    what = "已签署新锚点" if new else "账本头与审计日志头自上次签署以来未变，未重复签署；最近的锚点"
    typer.echo(
        f"{what} #{anchor.id}：批次 {anchor.batch_id}，链哈希 {anchor.head_hash}，"
        f"记录 {anchor.entry_count} 条，审计日志至第 {anchor.audit_row_id} 条"
        f"（哈希 {anchor.audit_hash}），签署时间 {anchor.as_json()['anchored_at']}"
    )


def anchors_export_cmd(
    out: Annotated[Path, typer.Argument(help="保存锚点文件（JSON Lines）的路径")],
) -> None:
    """导出全部账本锚点（JSON Lines，与公开下载的文件相同），供外部保存。"""
    from xinyong.ledger import service as ledger

    platform = _platform()
    with platform.engine.connect() as conn:
        anchors = ledger.all_anchors(conn)
    out.write_bytes(jsonl(anchors))
    typer.echo(f"已导出 {len(anchors)} 个锚点：{out}")


def read_kept(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_ANCHORS_FILE_BYTES:
            raise InputError(
                "anchors file too large", f"锚点文件过大（超过 {MAX_ANCHORS_FILE_BYTES} 字节）"
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc}", f"无法读取锚点文件 {path}：{exc.strerror}"
        ) from None


def public_keys(platform: Platform, paths: list[Path] | None) -> list[Ed25519PublicKey]:
    """The keys to check signatures with: the files given, else the configured key's."""
    if not paths:
        return [anchorkey.load_public(platform.settings.anchor_key_file)]
    keys = []
    for p in paths:
        try:
            data = p.read_bytes()[:16384]
        except OSError as exc:
            raise InputError(
                f"cannot read {p}: {exc}", f"无法读取公钥文件 {p}：{exc.strerror}"
            ) from None
        keys.append(load_public_key(data))
    return keys


def check_anchors(
    platform: Platform, anchors_file: Path, key_files: list[Path] | None
) -> AnchorReport:
    """The anchors check of ``xinyong audit verify --anchors`` (a bad file or key: exit 2):
    the ledger's heads and the audit log's."""
    from xinyong.access import service as access
    from xinyong.ledger import service as ledger

    try:
        kept = parse_jsonl(read_kept(anchors_file))
        keys = public_keys(platform, key_files)
    except XinyongError as exc:
        _fail(exc)
    with platform.engine.connect() as conn:
        return ledger.verify_anchors(conn, kept, keys, audit_chain=access.audit_chain_at)
