"""All runtime settings in one place; each is read from an ``XINYONG_*`` environment variable."""

from __future__ import annotations

import os
import secrets
import stat
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
    # Key for keyed hashes and encryption of personal identifiers (hex, 32 bytes), or the path
    # of a file holding it (readable by the platform's user only). Required: without it the
    # process stops (only `xinyong demo` generates one, in data_dir/secret.key).
    secret_key: str = ""
    secret_key_file: Path | None = None
    # The version number of that key (stamped on every seal, see identity.pii); raised by one
    # at each rotation (docs/operations.md).
    secret_key_version: int = Field(default=1, ge=1, le=255)
    # Earlier keys still needed to open old seals until `xinyong key rotate-secret` has run:
    # "1:<64 hex>,2:<64 hex>".
    previous_secret_keys: str = ""
    # Extra catalogue/calendar files a deployment adds (地方补充目录, next year's holidays).
    local_catalog_dir: Path | None = None
    # Largest file an import accepts, in bytes.
    max_import_bytes: int = 512 * 1024 * 1024
    # SQLite's durability (PRAGMA synchronous): FULL survives a power cut; NORMAL is faster
    # and may lose the last commits on power loss (never on a crash of the process).
    sqlite_synchronous: str = "FULL"
    # Imports one web process runs at once, each in a worker thread off the event loop; more
    # wait their turn, so imports never take every thread the other sync routes need.
    import_workers: int = Field(default=2, ge=1, le=64)
    # An upload larger than this (bytes), or any sent with "Prefer: respond-async", is answered
    # 202 at once and imported by the job worker from a spool file under data_dir; smaller
    # ones are imported within the request (201), as before.
    async_import_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    # Runs of one import job a restart may start: a job that was interrupted this many times
    # (the file crashes the process?) is marked failed instead of being run again.
    import_job_attempts: int = Field(default=3, ge=1, le=100)
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
    # Rows per page of the public portal's listings (双公示, lists); the page number itself is
    # bounded by the routes (PAGE_MAX).
    portal_page_size: int = Field(default=20, ge=1, le=200)
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
    # The Ed25519 private key (PEM, mode 600) that signs the ledger's head for publication
    # (`xinyong audit keygen` writes it; `xinyong audit anchor` and the job anchor_ledger sign
    # with it). Keep it off the database host's backups: whoever holds it can sign a head.
    anchor_key_file: Path | None = None
    # The portal's frame (web/templates/base.html): the site's name in the header and the
    # page titles, and the footer's ICP filing number (备案号, shown only when set) and the
    # contact line (also named on the error pages).
    site_name: str = Field(default="信用信息公示平台", min_length=1, max_length=60)
    site_icp: str = Field(default="", max_length=60)
    site_contact: str = Field(default="", max_length=200)
    # Staff console accounts (access.accounts). Passwords are hashed with argon2id; these
    # are its time cost, memory (KiB) and lanes. Values under the safe floor (t=2, 19 MiB,
    # OWASP's minimum) are refused unless password_hash_test_mode is set, which only the test
    # suite does to stay fast.
    password_time_cost: int = Field(default=3, ge=1, le=20)
    password_memory_kib: int = Field(default=64 * 1024, ge=8, le=4 * 1024 * 1024)
    password_parallelism: int = Field(default=4, ge=1, le=64)
    password_hash_test_mode: bool = False
    # Shortest password accepted (等保: complexity and length); at most 128 characters.
    password_min_length: int = Field(default=12, ge=8, le=64)
    # Consecutive failed sign-ins that lock an account, and for how long.
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lock_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # A console session ends after this long without a request, and at the latest this long
    # after sign-in.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_minutes: int = Field(default=8 * 60, ge=5, le=7 * 24 * 60)
    # Subject accounts (selfservice.accounts): days a one-time activation code the credit
    # office issues stays valid. Their sign-in, lock-out and sessions follow the login_* and
    # session_* settings above, with their own cookie.
    subject_code_days: int = Field(default=14, ge=1, le=365)
    # Console cookies carry Secure (and the __Host- prefix). False only for plain http on the
    # loopback interface during development (`xinyong demo`); `xinyong serve` refuses it on
    # any other address.
    console_cookie_secure: bool = True
    # Public search (/search, /api/v1/search): query length after normalisation, how many
    # ranked matches are counted and paged at most, page size, fuzzy candidates and the
    # least rapidfuzz ratio a near name needs.
    search_max_query_chars: int = Field(default=60, ge=1, le=200)
    search_max_results: int = Field(default=1000, ge=1, le=100_000)
    search_max_page_size: int = Field(default=50, ge=1, le=500)
    search_fuzzy_candidates: int = Field(default=200, ge=0, le=10_000)
    search_fuzzy_min_score: float = Field(default=60.0, ge=0, le=100)
    # Searches per client (address) and minute, with bursts up to search_rate_burst; over it
    # a 429 (0 = no limit). Per server process.
    search_rate_per_minute: int = Field(default=60, ge=0, le=1_000_000)
    search_rate_burst: int = Field(default=20, ge=1, le=1_000_000)
    # Attachments to a list case's steps (console /console/cases/{id}): the largest file,
    # how many files one step may carry, and the media types accepted (checked against the
    # file's content: PDF, JPEG, PNG, OFD). Stored under data_dir/attachments/<sha256>.
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024)
    attachment_max_files: int = Field(default=5, ge=1, le=50)
    attachment_media_types: str = Field(
        default="application/pdf,image/jpeg,image/png,application/ofd", max_length=500
    )
    # The command line's log on stderr (DEBUG shows the traceback of an unexpected error).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    # A file that receives the command line's full log (DEBUG, tracebacks included).
    log_file: Path | None = None

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'xinyong.db').resolve()}"

    def resolved_secret_key(self) -> bytes:
        """The current key; a ConfigurationError (Chinese, one line) when none is configured
        or it cannot be read: a key generated on the fly would file the same people again as
        new subjects (their keyed hashes change)."""
        if self.secret_key:
            return _parse_key(self.secret_key, "XINYONG_SECRET_KEY")
        if self.secret_key_file is not None:
            return _read_key_file(self.secret_key_file)
        raise ConfigurationError(
            "no secret key: set XINYONG_SECRET_KEY or XINYONG_SECRET_KEY_FILE",
            "未配置个人信息主密钥：请设置 XINYONG_SECRET_KEY（64位十六进制）或 "
            "XINYONG_SECRET_KEY_FILE（密钥文件路径）；仅演示（xinyong demo）会自动生成密钥",
        )

    def resolved_secret_keys(self) -> dict[int, bytes]:
        """Every configured key by version, the current one first."""
        keys = {self.secret_key_version: self.resolved_secret_key()}
        for part in filter(None, (p.strip() for p in self.previous_secret_keys.split(","))):
            version, _, hexkey = part.partition(":")
            if not version.strip().isdigit() or not 1 <= int(version) <= 255:
                raise ConfigurationError(
                    "XINYONG_PREVIOUS_SECRET_KEYS: each entry is <version 1-255>:<64 hex>",
                    "XINYONG_PREVIOUS_SECRET_KEYS 的每一项应为“版本号（1–255）:64位十六进制密钥”",
                )
            if int(version) in keys:
                raise ConfigurationError(
                    f"key version {int(version)} configured twice",
                    f"密钥版本 {int(version)} 重复配置（XINYONG_PREVIOUS_SECRET_KEYS）",
                )
            keys[int(version)] = _parse_key(hexkey, "XINYONG_PREVIOUS_SECRET_KEYS")
        return keys


def _parse_key(text: str, variable: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ConfigurationError(
            f"{variable} must be 64 hex characters (32 bytes)",
            f"{variable} 应为64位十六进制字符（32字节）",
        )
    return key


def _read_key_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise ConfigurationError(
            "XINYONG_SECRET_KEY_FILE cannot be read",
            f"无法读取密钥文件（XINYONG_SECRET_KEY_FILE）：{path}",
        ) from None
    # Group or others able to read the key could recompute every person's subject key.
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            "XINYONG_SECRET_KEY_FILE is readable by group or others",
            f"密钥文件 {path} 的权限过宽（组或其他用户可访问）：请执行 chmod 600 {path}",
        )
    return _parse_key(text, "XINYONG_SECRET_KEY_FILE")


def demo_secret_key_file(data_dir: Path) -> tuple[Path, bool]:
    """The demo's key file in ``data_dir`` (created, mode 600, when missing) and whether it
    was created now. Only `xinyong demo` calls this: elsewhere a missing key stops."""
    path = data_dir / "secret.key"
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return path, True


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
