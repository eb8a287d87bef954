"""The secret key is required: no key, an unreadable or over-shared key file stops the process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong.bootstrap import build_platform
from xinyong.kernel.errors import ConfigurationError
from xinyong.kernel.settings import Settings, demo_secret_key_file, get_settings
from xinyong.web.cli import app

KEY = "44" * 32


@pytest.fixture
def no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("XINYONG_SECRET_KEY", raising=False)
    monkeypatch.delenv("XINYONG_SECRET_KEY_FILE", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_a_missing_key_is_refused_never_generated(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    with pytest.raises(ConfigurationError) as err:
        settings.resolved_secret_key()
    assert "未配置个人信息主密钥" in err.value.message_zh
    assert not (tmp_path / "var" / "secret.key").exists()


def test_key_file_is_read_and_must_not_be_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(KEY + "\n")
    path.chmod(0o600)
    assert Settings(secret_key_file=path).resolved_secret_key() == bytes.fromhex(KEY)
    path.chmod(0o644)
    with pytest.raises(ConfigurationError) as err:
        Settings(secret_key_file=path).resolved_secret_key()
    assert "chmod 600" in err.value.message_zh
    with pytest.raises(ConfigurationError) as err:
        Settings(secret_key_file=tmp_path / "absent").resolved_secret_key()
    assert "无法读取密钥文件" in err.value.message_zh
    assert KEY not in err.value.message_zh + err.value.message_en


def test_previous_keys_are_parsed_by_version(tmp_path: Path) -> None:
    keys = Settings(
        secret_key=KEY, secret_key_version=3, previous_secret_keys=f"1:{'11' * 32}, 2:{'22' * 32}"
    ).resolved_secret_keys()
    assert list(keys) == [3, 1, 2]
    with pytest.raises(ConfigurationError):
        Settings(secret_key=KEY, previous_secret_keys="x:11").resolved_secret_keys()
    with pytest.raises(ConfigurationError):
        Settings(secret_key=KEY, previous_secret_keys=f"1:{KEY}").resolved_secret_keys()


def test_cli_without_a_key_stops_with_one_chinese_line(no_key: Path) -> None:
    result = CliRunner().invoke(app, ["department", "list"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("错误：未配置个人信息主密钥")
    assert not (no_key / "var" / "secret.key").exists()


def test_server_refuses_to_start_without_a_key(no_key: Path) -> None:
    from xinyong.web.app import create_app

    with pytest.raises(ConfigurationError):
        create_app()
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("错误：未配置个人信息主密钥")


def test_the_demo_key_is_generated_once_in_the_data_dir(tmp_path: Path) -> None:
    path, created = demo_secret_key_file(tmp_path / "var")
    assert created
    assert path.stat().st_mode & 0o077 == 0
    again, created_again = demo_secret_key_file(tmp_path / "var")
    assert (again, created_again) == (path, False)
    platform = build_platform(Settings(data_dir=tmp_path / "var", secret_key_file=path))
    assert platform.vault.version == 1
