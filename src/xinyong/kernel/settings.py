"""All runtime settings in one place; each is read from an ``XINYONG_*`` environment variable."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from xinyong.kernel.errors import ConfigurationError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", extra="ignore")

    # Where mutable state lives (the embedded database, the generated secret key).
    data_dir: Path = Field(default=Path("var"))
    # SQLAlchemy URL; empty means the embedded SQLite file in data_dir.
    database_url: str = ""
    # Key for keyed hashes and encryption of personal identifiers (hex, 32 bytes). Empty means
    # a key generated once and kept in data_dir/secret.key (fine for a demo, not for production).
    secret_key: str = ""
    # Extra catalogue/calendar files a deployment adds (地方补充目录, next year's holidays).
    local_catalog_dir: Path | None = None
    # Largest file an import accepts, in bytes.
    max_import_bytes: int = 512 * 1024 * 1024
    # Largest body of any other request (JSON API calls), in bytes (web/security.py).
    max_json_body_bytes: int = 1024 * 1024
    # Largest number of data rows an import accepts.
    max_import_rows: int = 5_000_000
    # Bounds on what one imported file may ask the readers to build (docs/operations.md,
    # 输入限制): each is checked before the work it bounds, so a hostile file costs little.
    max_import_columns: int = 1_000
    max_import_cell_chars: int = 32_767  # Excel's own cell limit
    max_import_csv_lines: int = 10_000_000
    max_import_xlsx_cells: int = 30_000_000  # rows x columns of a sheet's used range
    max_import_xlsx_uncompressed_bytes: int = 2 * 1024 * 1024 * 1024
    max_import_xlsx_ratio: int = 200  # uncompressed / compressed size of one zip member
    max_import_json_depth: int = 32
    max_import_json_number_digits: int = 64
    max_import_json_keys: int = 1_000  # keys of one JSON record
    # How much of a rejected value an error, a rejection or the rejection file repeats.
    max_echo_chars: int = 200
    # How long an authenticated API key is remembered in the server process: a revoked key
    # stops working within this many seconds (0 = look the key up on every request).
    api_key_cache_seconds: float = 30.0
    # The server writes check receipts in batches every this many milliseconds, off the
    # request path (see checks.writer); 0 writes each in its check's own transaction.
    check_receipt_batch_ms: int = 20
    # The server answers checks of organisations from an in-process copy of the status rows
    # and trigger records that catches up with the ledger at most this often (see
    # checks.readmodel); 0 catches up before every check; -1 reads the database every time.
    check_cache_refresh_ms: int = 1000
    # The command line's log on stderr (DEBUG shows the traceback of an unexpected error).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    # A file that receives the command line's full log (DEBUG, tracebacks included).
    log_file: Path | None = None

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'xinyong.db').resolve()}"

    def resolved_secret_key(self) -> bytes:
        if self.secret_key:
            try:
                key = bytes.fromhex(self.secret_key)
            except ValueError:
                key = b""
            if len(key) != 32:
                raise ConfigurationError(
                    "XINYONG_SECRET_KEY must be 64 hex characters (32 bytes)",
                    "XINYONG_SECRET_KEY 应为64位十六进制字符（32字节）",
                )
            return key
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return bytes.fromhex(path.read_text().strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment; a bad value is a ConfigurationError naming the
    variable (never its value: XINYONG_SECRET_KEY and the database URL are secrets)."""
    try:
        return Settings()
    except ValidationError as exc:
        names = "、".join(
            "XINYONG_" + ".".join(str(p) for p in e["loc"]).upper() for e in exc.errors()
        )
        raise ConfigurationError(
            f"invalid settings: {names}", f"环境变量 {names} 的值无效，请检查"
        ) from None
