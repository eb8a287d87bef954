"""The portal in a real browser: Debian's Chromium driven by Playwright, against a live server.

The server is uvicorn in a thread over a demo province imported through the real pipeline
(``xinyong.demo.run``), once per engine (SQLite and PostgreSQL) per test process. Playwright
cannot download its own browser here; it drives ``/usr/bin/chromium`` (``.ci/run`` installs
it). Without it the tests are skipped, except under CI, where that is a failure.

Every page a test opens goes through ``Visit`` (``visit`` fixture), which fails the test on a
console error, an uncaught script error, a Content-Security-Policy violation, a failed
request, an error status of any sub-resource, or any request to another host (aborted); and
which runs axe-core (vendored, ``vendor/README.md``) and fails on serious or critical
violations. With ``XINYONG_SCREENSHOTS=<dir>`` (``make screenshots``) each visit also saves a
full-page JPEG there (not of the vendored API documentation pages).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from tests.conftest import PG_URL, TEST_KEY, _pg_admin
from tests.helpers import live_server
from xinyong.bootstrap import Platform, build_platform
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.creditfile.service import build_credit_file
from xinyong.demo.run import DEMO_PASSWORD, run_demo
from xinyong.identity import repository as identity_repo
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import Settings
from xinyong.store.db import make_engine
from xinyong.web.app import create_app

CHROMIUM = os.environ.get("XINYONG_TEST_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SITE_ICP = "陕ICP备00000000号-1"
SITE_CONTACT = "省社会信用体系建设办公室 029-00000000"
DEMO_SUBJECTS = 40

# Records a page's CSP violations where the test can read them (an init script runs before
# the page's own scripts and is not itself subject to the page's policy).
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


@dataclasses.dataclass(frozen=True)
class LiveSite:
    """The server's base URL and what the journeys look for in its data."""

    url: str
    platform: Platform
    subject_code: str  # the organisation with the most highlights (名单与严重失信信息)
    subject_name: str
    highlights: int


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if shutil.which(CHROMIUM) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


# Module scope: while sync_playwright runs, its event loop is the thread's running loop, and a
# later test of the same worker calling asyncio.run() (tests/web/test_security.py) would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the browser tests: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _richest_subject(platform: Platform) -> tuple[str, str, int]:
    """The organisation whose public file has the most highlights, then the most records."""
    best: tuple[int, int, str, str] | None = None
    with platform.engine.connect() as conn:
        for s in identity_repo.search_subjects(conn, "", limit=10_000):
            cf = build_credit_file(
                conn,
                platform.catalogue,
                s["key"],
                as_of=platform.clock.today(),
                view="public",
                sanctions=platform.sanctions,
            ).as_dict()
            score = (len(cf["highlights"]), cf["counts"]["records"], s["key"], s["name"])
            if best is None or score[:2] > best[:2]:
                best = score
    assert best is not None, "the demo province has no organisations"
    assert best[0] > 0, "the demo province has no subject with highlights"
    return best[2], best[3], best[0]


VENDORED_PAGES = frozenset({"docs", "redoc"})


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    national: tuple[Catalogue, SanctionsCatalogue, WorkCalendar],
) -> Iterator[LiveSite]:
    """The demo province on this engine, served on a free port, with a filled-in footer."""
    data_dir = tmp_path_factory.mktemp(f"browser-{request.param}")
    database = None
    admin = None
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{data_dir / 'xinyong.db'}")
    else:
        admin = _pg_admin()
        if admin is None:
            pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
        # Its own database: the other tests of this process truncate the shared one.
        database = f"xinyong_browser_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        engine = make_engine(PG_URL.rsplit("/", 1)[0] + "/" + database)
    settings = Settings(
        data_dir=data_dir,
        secret_key=TEST_KEY,
        check_cache_refresh_ms=0,
        site_icp=SITE_ICP,
        site_contact=SITE_CONTACT,
    )
    catalogue, sanctions, calendar = national
    platform = build_platform(
        settings,
        clock=FixedClock(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ)),
        engine=engine,
        catalogue=catalogue,
        sanctions=sanctions,
        calendar=calendar,
    )
    try:
        run_demo(platform, subjects=DEMO_SUBJECTS, echo=lambda _: None)
        code, name, highlights = _richest_subject(platform)
        with live_server(create_app(platform)) as url:
            yield LiveSite(url, platform, code, name, highlights)
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Visit:
    """One browser tab on the live site that records everything that went wrong on it."""

    def __init__(self, context: Any, base_url: str, label: str) -> None:
        self.context = context
        self.base = urlsplit(base_url)
        self.label = label
        self.problems: list[str] = []
        # Error statuses a test expects (the main document of an error page).
        self.expected_errors: set[tuple[str, int]] = set()
        context.add_init_script(_CSP_LISTENER)
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        self.page.on(
            "requestfailed",
            lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"),
        )
        self.page.on("response", self._response)

    def _route(self, route: Any) -> None:
        where = urlsplit(route.request.url)
        if (where.scheme, where.netloc) != (self.base.scheme, self.base.netloc):
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort("blockedbyclient")
            return
        route.continue_()

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # Chromium logs the error status of the page it was sent to open; the status itself
        # is checked by the test.
        status_line = "Failed to load resource: the server responded with a status of"
        if message.text.startswith(status_line) and any(
            where == url for url, _ in self.expected_errors
        ):
            return
        self.problems.append(f"console error: {message.text} ({where})")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and (response.url, response.status) not in self.expected_errors:
            self.problems.append(f"{response.status} for {response.url}")

    def console_sign_in(self, name: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in to the console as ``name`` through its login form, as staff do."""
        self.open("/console/login")
        self.page.get_by_label("用户名").fill(name)
        self.page.get_by_label("口令").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url("**/console")

    def open(self, path: str, *, status: int = 200) -> Any:
        """Go to ``path`` and wait until the network is idle; its status must be ``status``."""
        url = f"{self.base.scheme}://{self.base.netloc}{path}"
        if status >= 400:
            self.expected_errors.add((url, status))
        response = self.page.goto(url, wait_until="networkidle")
        assert response is not None
        assert response.status == status, (path, response.status)
        return response

    def expect_error_status(self, path: str, status: int) -> None:
        """Allow the error status of a page that a click or a form will open."""
        self.expected_errors.add((f"{self.base.scheme}://{self.base.netloc}{path}", status))

    def check(self, name: str, *, axe_exclude: tuple[str, ...] = ()) -> None:
        """Fail on anything recorded so far, on a CSP violation and on serious or critical
        accessibility violations of the page as it is now; save a screenshot if asked."""
        self.page.wait_for_load_state("networkidle")
        self.problems.extend(
            f"CSP violation: {v}" for v in self.page.evaluate("window.__cspViolations || []")
        )
        for v in _axe(self.page, axe_exclude):
            nodes = "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
            self.problems.append(f"axe {v['impact']} {v['id']}: {v['help']} ({nodes})")
        shots = os.environ.get("XINYONG_SCREENSHOTS")
        # The API documentation pages are vendored (Swagger UI, ReDoc): not ours to show.
        if shots and name not in VENDORED_PAGES:
            Path(shots).mkdir(parents=True, exist_ok=True)
            # JPEG: full pages of tables as PNG run to megabytes each (docs/screenshots/ is
            # committed); quality 70 keeps Chinese text legible.
            self.page.screenshot(
                path=str(Path(shots) / f"{name}-{self.label}.jpg"),
                full_page=True,
                type="jpeg",
                quality=70,
            )
        assert self.problems == [], f"{name} ({self.label}):\n" + "\n".join(self.problems)

    def no_horizontal_scroll(self) -> None:
        """The page fits the screen's width: nothing makes the reader scroll sideways."""
        wide = self.page.evaluate("document.documentElement.scrollWidth")
        assert wide <= self.page.viewport_size["width"], (self.page.url, wide)


def _axe(page: Any, exclude: tuple[str, ...]) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol: the page's policy does not apply to it, and
    # nothing is loaded from anywhere.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """(exclude) => axe.run(document, {
            resultTypes: ['violations'],
            rules: Object.fromEntries(exclude.map((id) => [id, {enabled: false}])),
        })""",
        list(exclude),
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def visit(browser: Any, live_site: LiveSite, viewport: str) -> Iterator[Visit]:
    phone = viewport == "phone"
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        service_workers="block",
    )
    context.set_default_timeout(30_000)
    try:
        yield Visit(context, live_site.url, f"{viewport}-{live_site.platform.engine.dialect.name}")
    finally:
        context.close()


@pytest.fixture
def tab(browser: Any, live_site: LiveSite) -> Iterator[Callable[[str], Visit]]:
    """A fresh desktop browser per person of a journey: ``tab(label)`` opens one signed-out
    Visit (its screenshots named ``<label>-<engine>``); all are closed at the end."""
    contexts: list[Any] = []

    def open_tab(label: str) -> Visit:
        context = browser.new_context(
            viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="block"
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        return Visit(context, live_site.url, f"{label}-{live_site.platform.engine.dialect.name}")

    try:
        yield open_tab
    finally:
        for c in contexts:
            c.close()
