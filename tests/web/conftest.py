"""A real uvicorn server for tests that need real sockets (browsers, concurrent clients)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import live_server
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    """The application served by uvicorn on a free loopback port, in a thread; its base URL."""
    with live_server(create_app(platform)) as url:
        yield url
