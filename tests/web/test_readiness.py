"""Readiness apart from liveness: a process still loading its check read model is alive
(/healthz) but not ready (/readyz 503) until the load has finished."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.helpers import add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import Settings
from xinyong.web.app import create_app


def test_ready_only_once_the_check_read_model_has_loaded(
    engine: Engine, clock: FixedClock, settings: Settings, platform: Platform
) -> None:
    key = add_department(platform)
    sent = TestClient(create_app(platform)).post(
        "/api/v1/imports",
        params={"item": "XZCF"},
        headers={"X-API-Key": key},
        files={"file": ("penalties.csv", csv_bytes([penalty()]), "text/csv")},
    )
    assert sent.status_code == 201, sent.text
    # As deployed: the read model refreshes in the background (not the tests' load-on-use).
    served = build_platform(
        settings.model_copy(update={"check_cache_refresh_ms": 60_000}), clock=clock, engine=engine
    )
    client = TestClient(create_app(served))  # no lifespan yet: nothing loaded
    assert client.get("/healthz").json() == {"status": "ok"}
    loading = client.get("/readyz")
    assert (loading.status_code, loading.json()) == (503, {"status": "loading"})

    model = served.check_read_model()
    assert model is not None
    model.current()  # the load the server starts in the background at start-up
    try:
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
        assert model.head > 0  # the imported penalty is in the loaded copy
    finally:
        served.close()


def test_ready_at_once_when_checks_load_on_first_use(platform: Platform) -> None:
    assert TestClient(create_app(platform)).get("/readyz").json() == {"status": "ready"}
