"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is at XINYONG_TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres). When it is
unreachable the PostgreSQL half is skipped with the reason, except where
XINYONG_TEST_REQUIRE_POSTGRES=1 (CI), where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text

from tests.helpers import LEDGER_GUARDED
from xinyong.bootstrap import Platform, build_platform
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.loader import load_catalogue
from xinyong.catalog.sanctions import SanctionsCatalogue, load_sanctions
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import Settings
from xinyong.store.db import make_engine
from xinyong.store.metadata import load_all_tables
from xinyong.store.migrate import upgrade

# No per-example deadline: on a loaded 2-core machine a 200 ms deadline fails properties that
# take 0.7 s alone. CI also derandomises, so a red run is reproducible from its output.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

PG_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("XINYONG_TEST_REQUIRE_POSTGRES") == "1"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TEST_KEY = "11" * 32


def shared_data() -> Path:
    """../shared/data beside the checkout; skip (or fail in CI) when absent."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have ../shared/data at {SHARED_DATA}")
        pytest.skip(f"../shared/data not present at {SHARED_DATA}: real-data tests need it")
    return SHARED_DATA


def _pg_admin() -> Engine | None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable at {PG_URL}: {exc}")
        return None
    return engine


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    admin = _pg_admin()
    if admin is None:
        yield None
        return
    name = f"xinyong_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _truncate_all(engine: Engine) -> None:
    tables = list(load_all_tables().tables)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY")
            )
            # A tamper test may have disabled the ledger's guards (tests.helpers).
            for t in LEDGER_GUARDED:
                conn.execute(text(f'ALTER TABLE "{t}" ENABLE TRIGGER USER'))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))  # noqa: S608 - names from our metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        path.write_bytes(template.read_bytes())
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    url = request.getfixturevalue("pg_database")
    if url is None:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    eng = make_engine(url)
    _truncate_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The check read model catches up before every check: API tests see what they just wrote.
    # Cheap argon2id parameters (allowed only with password_hash_test_mode): sign-ins stay fast.
    # No search rate limit: tests drive the API many times from one client (the limit is
    # tested on its own, tests/web/test_search_web.py).
    return Settings(
        data_dir=tmp_path / "var",
        secret_key=TEST_KEY,
        check_cache_refresh_ms=0,
        password_hash_test_mode=True,
        password_time_cost=1,
        password_memory_kib=8,
        password_parallelism=1,
        # As deployed, whatever an in-process `xinyong demo` left in the environment.
        console_cookie_secure=True,
        search_rate_per_minute=0,
    )


@pytest.fixture(scope="session")
def national() -> tuple[Catalogue, SanctionsCatalogue, WorkCalendar]:
    """The shipped catalogue, sanctions and calendar, loaded once: they are immutable."""
    catalogue = load_catalogue()
    return catalogue, load_sanctions(catalogue=catalogue), WorkCalendar.load()


@pytest.fixture
def platform(
    engine: Engine,
    clock: FixedClock,
    settings: Settings,
    national: tuple[Catalogue, SanctionsCatalogue, WorkCalendar],
) -> Iterator[Platform]:
    if settings.local_catalog_dir is not None:  # a test's own catalogue: load it
        built = build_platform(settings, clock=clock, engine=engine)
    else:
        catalogue, sanctions, calendar = national
        built = build_platform(
            settings,
            clock=clock,
            engine=engine,
            catalogue=catalogue,
            sanctions=sanctions,
            calendar=calendar,
        )
    yield built
    built.stop_import_jobs()  # the worker threads of a test's import jobs, if it started any
    built.stop_rescorer()  # and the re-score worker, before the database goes
