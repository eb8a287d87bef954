"""A real uvicorn server for tests that need real sockets (browsers, concurrent clients)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from tests.helpers import free_port
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    """The application served by uvicorn on a free loopback port, in a thread; its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    for _ in range(100):
        if live.started:
            break
        time.sleep(0.05)
    assert live.started
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(timeout=10)
