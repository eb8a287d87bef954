"""A large upload runs off the event loop: the process keeps answering while it imports."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid

import pytest

from tests.helpers import add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.identity.uscc import make_uscc

ROWS = 5_000
# Generous: a probe stuck behind an import on the event loop waits for the whole import
# (about 5 s here); one served alongside it answers in milliseconds, with rare pauses of
# seconds on an overloaded machine (the importer thread holds the GIL, the multipart body
# is parsed on the loop), which stretches the import too: the bound grows with the import.
PROBE_LIMIT_S = 1.0


def _multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_healthz_answers_promptly_while_a_large_import_runs(
    platform: Platform, server: str
) -> None:
    key = add_department(platform)
    rows = [
        penalty(
            CF_WSH=f"陕市监罚〔2026〕{i + 1}号",
            CF_XDR_SHXYM=make_uscc("9", "1", "610102", f"MA{i:06d}"),
        )
        for i in range(ROWS)
    ]
    body, content_type = _multipart("penalties.csv", csv_bytes(rows))
    upload = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{server}/api/v1/imports?item=XZCF",
        data=body,
        method="POST",
        headers={"X-API-Key": key, "Content-Type": content_type},
    )
    answer: dict[str, object] = {}

    def post() -> None:
        with urllib.request.urlopen(upload, timeout=300) as resp:  # noqa: S310
            answer["status"] = resp.status
            answer["body"] = json.loads(resp.read())

    importing = threading.Thread(target=post)
    begun = time.monotonic()
    importing.start()
    waits: list[float] = []
    while importing.is_alive():
        started = time.monotonic()
        with urllib.request.urlopen(f"{server}/healthz", timeout=30) as resp:  # noqa: S310
            assert resp.status == 200
            assert json.loads(resp.read()) == {"status": "ok"}
        waits.append(time.monotonic() - started)
        time.sleep(0.05)
    importing.join()
    took = time.monotonic() - begun

    # Enough probes fell inside the import for the test to say something about it.
    assert len(waits) >= 5, waits
    assert took > 2 * PROBE_LIMIT_S, took  # long enough to stall a probe on the loop
    assert max(waits) < max(PROBE_LIMIT_S, took / 2), (max(waits), took)
    assert answer["status"] == 201
    result = answer["body"]
    assert isinstance(result, dict)
    assert result["accepted"] == ROWS, result
    assert result["rejected"] == 0, result
