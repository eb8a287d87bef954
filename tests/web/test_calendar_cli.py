"""``xinyong calendar`` and the calendar status in the list-case CLI and API: a provisional
deadline with its bounds, the official 2027 file applied, the department's notice."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.calendar_files import HYPOTHETICAL_OFFICIAL_2027, write_year
from tests.helpers import (
    ORG,
    add_department,
    cli_json,
    csv_bytes,
    listing_details,
    penalty,
    run_cli,
)
from xinyong.bootstrap import build_platform
from xinyong.jobs.registry import run_job
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import get_settings
from xinyong.web.app import create_app


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty local catalogue folder the test may drop year files into."""
    folder = tmp_path / "local"
    folder.mkdir()
    monkeypatch.setenv("XINYONG_LOCAL_CATALOG_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


# -- calendar add ------------------------------------------------------------------------------


def test_add_json_on_the_provisional_year() -> None:
    body = cli_json("calendar", "add", "2026-12-23", "7")
    assert {k: body[k] for k in ("date", "provisional", "earliest", "latest")} == {
        "date": "2027-01-04",
        "provisional": True,
        "earliest": "2027-01-02",
        "latest": "2027-01-05",
    }
    assert body["status_label"].startswith("暂定（2027年国务院放假安排尚未公布）")
    official = cli_json("calendar", "add", "2026-09-30", "1")
    assert (official["date"], official["provisional"]) == ("2026-10-08", False)
    assert official["earliest"] == official["latest"] == official["date"]


def test_add_text_says_provisional_and_gives_the_bounds() -> None:
    code, out = run_cli("calendar", "add", "2026-12-04", "20")
    assert code == 0
    assert "之后第 20 个工作日是 2027-01-04" in out
    assert "暂定（2027年国务院放假安排尚未公布）" in out
    assert "2027-01-02 至 2027-01-05" in out
    code, out = run_cli("calendar", "add", "2026-02-13", "1")
    assert (code, "暂定" in out) == (0, False)
    assert "2026-02-14（星期六，春节调休上班日）" in out


def test_add_into_a_year_without_any_file_is_an_error() -> None:
    code, out = run_cli("calendar", "add", "2027-12-28", "7")
    assert code == 2
    assert "2028年既无国务院公布的节假日安排，也无暂定安排" in out
    assert "Traceback" not in out
    code, out = run_cli("calendar", "add", "2027-12-28", "7", "--json")
    assert code == 2
    assert "2028" in json.loads(out)["error"]


def test_add_with_the_official_file_in_the_local_catalogue(local: Path) -> None:
    write_year(local / "calendar", HYPOTHETICAL_OFFICIAL_2027)
    body = cli_json("calendar", "add", "2026-12-23", "7")
    assert (body["date"], body["provisional"]) == ("2027-01-04", False)
    years = {r["year"]: r["status"] for r in cli_json("calendar", "years")}
    assert years[2027] == "official"
    assert years[2026] == "official"


def test_years_and_draft(tmp_path: Path) -> None:
    rows = cli_json("calendar", "years")
    assert rows[-1]["year"] == 2027
    assert rows[-1]["status_label"] == "暂定"
    assert rows[-1]["windows"][1]["name"] == "春节"
    code, out = run_cli("calendar", "draft", "2028")
    assert code == 0
    assert "status: provisional" in out
    assert "{name: 春节, from: 2028-01-25, to: 2028-01-28}" in out  # 除夕..初三
    code, out = run_cli("calendar", "draft", "2028", "--out", str(tmp_path))
    assert code == 0
    assert (tmp_path / "2028.yaml").is_file()
    code, out = run_cli("calendar", "draft", "2028", "--out", str(tmp_path))
    assert code == 2
    assert "已存在" in out


# -- a case on the provisional calendar, then the official file --------------------------------


@pytest.fixture
def env(cli_env: Path, local: Path) -> Path:
    return local


def test_a_list_case_from_provisional_to_official(env: Path, clock: FixedClock) -> None:
    assert (
        run_cli("department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation")[0]
        == 0
    )
    assert run_cli("department", "add", "xyb", "省信用办", "--sector", "other")[0] == 0
    path = env.parent / "p.csv"
    path.write_bytes(csv_bytes([penalty()]))
    assert run_cli("import", str(path), "--source", "scjg", "--item", "XZCF")[0] == 0
    clock.set(dt.datetime(2027, 2, 3, 10, 0, tzinfo=CHINA_TZ))
    case = cli_json("lists", "propose", "WATCH", ORG, "--department", "xyb")
    view = cli_json("lists", "step", str(case["id"]), "notify")
    assert view["due"]["provisional"] is True
    assert (view["due"]["date"], view["due"]["latest"], view["due"]["act_on"]) == (
        "2027-02-16",
        "2027-02-19",
        "2027-02-19",
    )
    assert next(t for t in view["transitions"] if t["name"] == "list")["not_before"] == "2027-02-20"
    code, out = run_cli("lists", "show", "--purpose", "办件核查", str(case["id"]))
    assert "办理期限：2027-02-16（暂定（2027年国务院放假安排尚未公布）" in out
    assert "按可能的最晚日期 2027-02-19 掌握" in out
    code, out = run_cli("lists", "inbox", "--purpose", "办件核查", "--department", "xyb")
    assert "暂定：2027-02-12 至 2027-02-19，按 2027-02-19 掌握" in out
    clock.set(dt.datetime(2027, 2, 17, 10, 0, tzinfo=CHINA_TZ))
    code, out = run_cli(
        "lists",
        "step",
        str(case["id"]),
        "list",
        "--decision-number",
        "陕市监信列〔2027〕1号",
        "--grounds",
        "提供虚假材料取得行政许可",
    )
    assert code == 2
    assert "陈述申辩期至 2027-02-19（含当日）届满" in out

    assert cli_json("calendar", "apply")["cases"] == []  # first run: the baseline
    code, out = run_cli("calendar", "apply")
    assert (code, out.strip()) == (0, "日历没有变化，已存的期限无需重算")

    write_year(env / "calendar", HYPOTHETICAL_OFFICIAL_2027)  # the notice arrives
    code, out = run_cli("calendar", "apply")
    assert code == 0, out
    assert "2027年：正式（国务院办公厅2027年节假日安排公布）" in out
    assert f"办件 {case['id']}（xyb，已告知，陈述申辩期）陈述申辩期：2027-02-16 → 2027-02-17" in out

    code, out = run_cli("lists", "inbox", "--purpose", "办件核查", "--department", "xyb")
    assert "提醒（未读 1 条）" in out
    assert "办理期限变更" in out
    assert "改为 2027-02-17（正式）" in out
    notices = cli_json("lists", "notices", "--department", "xyb")
    (notice,) = notices["notices"]
    shown = cli_json("lists", "show", "--purpose", "办件核查", str(case["id"]))
    assert shown["due"]["provisional"] is False
    assert shown["history"][-1]["label"] == "期限重算"
    assert shown["notices"][0]["id"] == notice["id"]
    code, out = run_cli("lists", "notices", "--department", "scjg", "--read", str(notice["id"]))
    assert code == 2
    assert "不属于本部门" in out
    read = cli_json("lists", "notices", "--department", "xyb", "--read", str(notice["id"]))
    assert read["unread"] == 0


def test_apply_is_a_scheduled_job(env: Path, clock: FixedClock, engine: Engine) -> None:
    platform = build_platform(get_settings(), clock=clock, engine=engine)
    first = run_job(platform, "apply_calendar")
    assert first["job"] == "apply_calendar"
    assert {y["year"] for y in first["years"]} >= {2026, 2027}
    write_year(env / "calendar", HYPOTHETICAL_OFFICIAL_2027)
    # This process loaded the draft at start; the job reads the files afresh.
    second = run_job(platform, "apply_calendar")
    assert [(y["year"], y["new_status"]) for y in second["years"]] == [(2027, "official")]
    assert second["restart_needed_for"] == [2027]


# -- the API -----------------------------------------------------------------------------------


def test_api_shows_the_status_and_the_department_reads_its_notice(
    env: Path, clock: FixedClock, engine: Engine
) -> None:
    platform = build_platform(get_settings(), clock=clock, engine=engine)
    client = TestClient(create_app(platform))
    add_department(platform)
    xyb = add_department(platform, "xyb", "other")
    other = add_department(platform, "sthj", "ecology")
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    clock.set(dt.datetime(2027, 2, 3, 10, 0, tzinfo=CHINA_TZ))
    h = {"X-API-Key": xyb}
    case_id = client.post(
        "/api/v1/list-cases", json={"list_type": "WATCH", "subject": ORG}, headers=h
    ).json()["id"]
    resp = client.post(
        f"/api/v1/list-cases/{case_id}/transitions", json={"name": "notify"}, headers=h
    )
    due = resp.json()["due"]
    assert (due["provisional"], due["earliest"], due["latest"]) == (
        True,
        "2027-02-12",
        "2027-02-19",
    )
    assert due["status_label"].startswith("暂定（2027年国务院放假安排尚未公布）")
    clock.set(dt.datetime(2027, 2, 18, 10, 0, tzinfo=CHINA_TZ))
    refused = client.post(
        f"/api/v1/list-cases/{case_id}/transitions",
        json={"name": "list", **listing_details("list")},
        headers=h,
    )
    assert refused.status_code == 409
    assert "2027-02-19" in refused.json()["detail"]["message"]

    run_job(platform, "apply_calendar")
    write_year(env / "calendar", HYPOTHETICAL_OFFICIAL_2027)
    run_job(platform, "apply_calendar")
    inbox = client.get("/api/v1/list-cases", params={"purpose": "查看办件"}, headers=h).json()
    (notice,) = inbox["notices"]["notices"]
    assert inbox["notices"]["unread"] == 1
    assert notice["detail"]["new"]["date"] == "2027-02-17"
    assert inbox["cases"][0]["due"]["provisional"] is False
    assert inbox["cases"][0]["overdue"] is True  # 02-17 has passed: the decision is due
    assert (
        client.get(
            "/api/v1/list-cases", params={"purpose": "查看办件"}, headers={"X-API-Key": other}
        ).json()["notices"]["notices"]
        == []
    )
    denied = client.post(f"/api/v1/case-notices/{notice['id']}/read", headers={"X-API-Key": other})
    assert denied.status_code == 403
    missing = client.post("/api/v1/case-notices/999999/read", headers=h)
    assert missing.status_code == 404
    done = client.post(f"/api/v1/case-notices/{notice['id']}/read", headers=h)
    assert done.status_code == 200
    assert done.json()["read_at"] is not None
    assert (
        client.get("/api/v1/list-cases", params={"purpose": "查看办件"}, headers=h).json()[
            "notices"
        ]["unread"]
        == 0
    )
    # After the official end the decision may be taken.
    ok = client.post(
        f"/api/v1/list-cases/{case_id}/transitions",
        json={"name": "list", **listing_details("list")},
        headers=h,
    )
    assert ok.status_code == 200, ok.text
