"""/docs and /redoc work with no network: every asset comes from the application itself."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from xinyong.bootstrap import Platform
from xinyong.web.app import create_app
from xinyong.web.docs import STATIC_DIR

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_every_asset_from_the_application(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assert not re.search(r"https?://", html.text), "a page that reaches another host"
    assets = ASSET.findall(html.text)
    assert len(assets) >= 2
    for url in assets:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        got = client.get(url)
        assert got.status_code == 200, url
        kind = got.headers["content-type"]
        assert kind.split(";")[0] in (
            "text/javascript",
            "application/javascript",
            "text/css",
            "image/png",
        ), (url, kind)
        assert len(got.content) > 500
    assert "/openapi.json" in html.text
    assert client.get("/openapi.json").status_code == 200


def test_vendored_files_are_packaged_with_their_licences() -> None:
    vendor = STATIC_DIR / "vendor"
    folders = sorted(p.name for p in vendor.iterdir() if p.is_dir())
    assert folders == ["echarts-6.1.0", "redoc-2.5.2", "swagger-ui-dist-5.35.0"]
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    for folder in folders:
        assert (vendor / folder / "LICENSE").stat().st_size > 500
        assert folder.rsplit("-", 1)[1] in readme
    assert "sha512" in readme
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["xinyong"]
    package = STATIC_DIR.parents[1]  # src/xinyong
    # Expanded as setuptools expands package-data: glob, recursive, from the package.
    packaged = {Path(f) for pat in patterns for f in glob.glob(str(package / pat), recursive=True)}
    unpackaged = [p for p in vendor.rglob("*") if p.is_file() and p not in packaged]
    assert unpackaged == []


def _rendered(*urls: str) -> list[tuple[str, str]]:
    """The DOM of each page after its scripts ran, in headless Chromium (run side by side),
    and the browser's log (its console: a Content-Security-Policy violation is logged
    there as "... violates the following Content Security Policy directive ...")."""
    assert CHROMIUM is not None
    # Every host but this machine resolves to nothing: the pages must need no network.
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--virtual-time-budget=5000",
        "--dump-dom",
        "--enable-logging=stderr",
        "--v=0",
    ]
    runs = [
        subprocess.Popen(  # noqa: S603
            [CHROMIUM, *flags, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for url in urls
    ]
    out = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * len(runs)
    return out


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="headless Chromium is not installed"
)
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_docs_render_the_api_in_a_browser_without_network(server: str) -> None:
    (docs, docs_log), (redoc, redoc_log), (_, home_log) = _rendered(
        f"{server}/docs", f"{server}/redoc", f"{server}/"
    )
    # The pages' own policy (web/security.py) allows what they need and they need no more:
    # a blocked inline script or a load from another host would be logged here.
    for log in (docs_log, redoc_log, home_log):
        assert "Content Security Policy" not in log, log
        assert "Content-Security-Policy" not in log, log
    assert 'class="swagger-ui' in docs
    operations = re.findall(r'class="opblock opblock-(get|post)', docs)
    assert len(operations) >= 24
    for summary in ("报送文件", "办理业务前核查", "提出拟列入", "预警列表", "主体信用档案"):
        assert summary in docs, summary
        assert summary in redoc, summary
