"""``xinyong audit keygen / anchor-key / anchor / anchors-export / verify --anchors``."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, update
from typer.testing import CliRunner

from tests.helpers import csv_bytes, drop_write_guards, penalty
from xinyong.kernel.settings import get_settings
from xinyong.ledger.tables import ledger_anchors
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    monkeypatch.setenv("XINYONG_ANCHOR_KEY_FILE", str(tmp_path / "keys" / "anchor.pem"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _import(env: Path, name: str) -> None:
    path = env / f"{name}.csv"
    path.write_bytes(csv_bytes([penalty(CF_WSH=f"{name}号")]))
    code, out = _run("import", str(path), "--source", "scjg", "--item", "XZCF")
    assert code == 0, out


def test_keygen_anchor_export_and_verify(env: Path, engine: Engine) -> None:
    code, out = _run("audit", "keygen")
    assert code == 0, out
    key_file = env / "keys" / "anchor.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "-----BEGIN PUBLIC KEY-----" in out
    before = key_file.read_bytes()
    code, out = _run("audit", "keygen")
    assert code == 2
    assert "不予覆盖" in out
    assert key_file.read_bytes() == before

    code, out = _run("audit", "anchor-key", "--json")
    assert code == 0
    published = json.loads(out)
    (env / "anchor.pub.pem").write_text(published["public_key"])

    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    _import(env, "a")
    code, out = _run("audit", "anchor", "--json")
    assert code == 0, out
    first = json.loads(out)
    assert first["new"] is True
    assert first["batch_id"] == 1
    assert first["key_fingerprint"] == published["key_fingerprint"]
    code, out = _run("audit", "anchor")
    assert code == 0
    assert "未重复签署" in out
    _import(env, "b")
    code, out = _run("audit", "anchor")
    assert code == 0
    assert "已签署新锚点 #2" in out

    kept = env / "outside" / "anchors.jsonl"
    kept.parent.mkdir()
    code, out = _run("audit", "anchors-export", str(kept))
    assert code == 0
    assert "2 个锚点" in out
    assert len(kept.read_text().splitlines()) == 2

    args = ("audit", "verify", "--anchors", str(kept), "--public-key", str(env / "anchor.pub.pem"))
    code, out = _run(*args)
    assert code == 0, out
    assert "锚点文件 2 个锚点签名有效" in out

    # An anchor deleted from the table (behind the guards) is named, in Chinese and English.
    with engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(delete(ledger_anchors).where(ledger_anchors.c.id == 1))
    code, out = _run(*args)
    assert code == 1
    assert "锚点不符：锚点 #1" in out
    assert "not in the anchors table" in out
    assert "锚点 1 处不符（第一处：锚点 #1" in out


def test_verify_names_a_bad_signature_and_refuses_a_bad_file(env: Path, engine: Engine) -> None:
    _run("audit", "keygen")
    _run("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")
    _import(env, "a")
    _run("audit", "anchor")
    kept = env / "anchors.jsonl"
    _run("audit", "anchors-export", str(kept))
    with engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(ledger_anchors).values(signature="00" * 64))
    code, out = _run("audit", "verify", "--anchors", str(kept))  # the configured key
    assert code == 1
    assert "锚点表中的锚点 #1（批次 1）签名无效" in out
    assert "bad signature" in out

    kept.write_text("{broken\n")
    code, out = _run("audit", "verify", "--anchors", str(kept))
    assert code == 2
    assert "锚点文件第 1 行" in out
    code, out = _run("audit", "verify", "--anchors", str(env / "missing.jsonl"))
    assert code == 2
    assert "无法读取锚点文件" in out


def test_anchor_without_a_key_says_how_to_make_one(env: Path) -> None:
    code, out = _run("audit", "anchor")
    assert code == 2
    assert "xinyong audit keygen" in out
    code, out = _run("audit", "anchor-key")
    assert code == 2
    assert "XINYONG_ANCHOR_KEY_FILE" in out
