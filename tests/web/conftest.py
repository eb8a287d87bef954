"""A real uvicorn server for tests that need real sockets (browsers, concurrent clients), and
the environment of the in-process command line."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.helpers import live_server
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import get_settings
from xinyong.web import commands
from xinyong.web.app import create_app


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    """The application served by uvicorn on a free loopback port, in a thread; its base URL."""
    with live_server(create_app(platform)) as url:
        yield url


@pytest.fixture
def cli_env(
    engine: Engine, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """``xinyong`` run in-process against the test's engine with its moved clock: the settings
    from the environment (data under ``tmp_path/var``) and every command module's platform built
    with that clock, so a command folded into ``commands.common`` sees the same one."""
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    get_settings.cache_clear()

    def platform() -> Platform:
        built = build_platform(get_settings(), clock=clock, engine=engine)
        built.rescore_inline = True  # as commands.common._platform builds it
        return built

    modules = [
        importlib.import_module(f"{commands.__name__}.{found.name}")
        for found in pkgutil.iter_modules(commands.__path__)
    ]
    # The top-level commands (import, file, department …) bind commands.common's name.
    modules.append(importlib.import_module("xinyong.web.cli"))
    for module in modules:
        if hasattr(module, "_platform"):
            monkeypatch.setattr(module, "_platform", platform)
    yield tmp_path
    get_settings.cache_clear()
