"""The outbox feed (GET /api/v1/events) per caller, its keyset paging and bad parameters; the
messages API; the console's and the subject's 消息 pages with their mark-read forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    error_detail,
    penalty,
    resident_id,
)
from tests.notifications.support import open_case, step
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app


def _client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), base_url="https://testserver")


def _keys(platform: Platform) -> dict[str, dict[str, str]]:
    keys = {"scjg": add_department(platform), "swj": add_department(platform, "swj", "tax")}
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        keys["office"] = access.issue_key(conn, "信用办", "office", None, now)
        keys["auditor"] = access.issue_key(conn, "审计", "auditor", None, now)
    return {who: {"X-API-Key": key} for who, key in keys.items()}


def _feed(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every page of the feed, followed by next_after."""
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        resp = client.get("/api/v1/events", params={"after": after, **params}, headers=headers)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        out.extend(page["events"])
        if not page["more"]:
            return out
        assert page["next_after"] == page["events"][-1]["id"]
        after = page["next_after"]


def test_each_caller_sees_the_events_about_what_it_may_read(platform: Platform) -> None:
    keys = _keys(platform)
    person = platform.vault.subject_key(resident_id())
    scjg_case = open_case(platform, ORG, "scjg")
    step(platform, scjg_case.id, "notify")
    swj_case = open_case(platform, ORG2, "swj")
    person_case = open_case(platform, person, "swj")
    client = _client(platform)

    everything = _feed(client, keys["office"])
    assert _feed(client, keys["auditor"]) == everything
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)
    assert {e["case"]["id"] for e in everything} == {scjg_case.id, swj_case.id, person_case.id}
    first = everything[0]
    assert first["type"] == "case.list_determination.open"
    assert first["type_label"] == "名单认定·立案"
    assert first["at"].endswith("+08:00")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first["at_beijing"])
    assert first["subject"] == {
        "key": ORG,
        "kind": "organisation",
        "kind_label": first["subject"]["kind_label"],
        "code": ORG,
        "name": None,
    }
    assert first["case"] == {
        "id": scjg_case.id,
        "workflow": "list_determination",
        "workflow_label": "名单认定",
    }
    assert isinstance(first["record"]["entry"], int)
    assert first["detail"]["due"]["date"]
    notify = next(e for e in everything if e["type"].endswith(".notify"))
    assert notify["type_label"] == "名单认定·告知拟列入的事由、依据和权利"

    # A natural person: never the ID number, never the keyed subject key.
    about_person = [e for e in everything if e["case"]["id"] == person_case.id]
    assert about_person
    assert all(
        e["subject"]["key"] is None and e["subject"]["kind"] == "person" for e in about_person
    )
    text = client.get("/api/v1/events", params={"limit": 500}, headers=keys["office"]).text
    assert resident_id() not in text
    assert person not in text

    scjg = _feed(client, keys["scjg"])
    assert {e["case"]["id"] for e in scjg} == {scjg_case.id}
    swj = _feed(client, keys["swj"])
    assert {e["case"]["id"] for e in swj} == {swj_case.id, person_case.id}

    # A department sees what concerns the subjects of its cases, whoever made it.
    shared = open_case(platform, ORG, "swj")
    swj = _feed(client, keys["swj"])
    assert {e["case"]["id"] for e in swj} == {swj_case.id, person_case.id, scjg_case.id, shared.id}
    # ... and so does scjg, whose subject swj now has a case on; never swj's other subjects.
    assert {e["case"]["id"] for e in _feed(client, keys["scjg"])} == {scjg_case.id, shared.id}


def test_the_feed_pages_by_id_and_refuses_bad_parameters(platform: Platform) -> None:
    keys = _keys(platform)
    case = open_case(platform, ORG)
    for name in ("notify", "drop"):
        step(platform, case.id, name)
    client = _client(platform)
    whole = _feed(client, keys["office"], limit=500)
    assert len(whole) == 3
    assert _feed(client, keys["office"], limit=1) == whole  # one per page, nothing skipped
    page = client.get(
        "/api/v1/events", params={"after": whole[0]["id"], "limit": 1}, headers=keys["office"]
    ).json()
    assert [e["id"] for e in page["events"]] == [whole[1]["id"]]
    assert page["more"] is True
    end = client.get(
        "/api/v1/events", params={"after": whole[-1]["id"]}, headers=keys["office"]
    ).json()
    assert end == {
        "after": whole[-1]["id"],
        "limit": 100,
        "next_after": whole[-1]["id"],
        "more": False,
        "events": [],
    }
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"after": -1}, "after"),
        ({"after": "x"}, "after"),
    ):
        resp = client.get("/api/v1/events", params=params, headers=keys["office"])
        assert resp.status_code == 422, (params, resp.text)
        detail = error_detail(resp)
        assert field in detail["message"], detail
    assert client.get("/api/v1/events").status_code == 401


def test_the_messages_api_and_the_console_page(platform: Platform) -> None:
    keys = _keys(platform)
    case = open_case(platform, ORG, "scjg")
    client = _client(platform)
    mine = client.get("/api/v1/messages", headers=keys["scjg"]).json()
    assert mine["unread"] == 1
    (msg,) = mine["messages"]
    assert msg["body"].startswith(f"新办件：名单认定（编号 {case.id}）")
    assert msg["type"] == "case.list_determination.open"
    assert msg["recipient_kind_label"] == "部门"
    assert client.get("/api/v1/messages", headers=keys["swj"]).json()["total"] == 0
    assert client.get("/api/v1/messages", headers=keys["office"]).json()["total"] == 0
    assert client.get("/api/v1/messages", headers=keys["auditor"]).status_code == 403

    add_user(platform, "officer", "department_officer", "scjg")
    add_user(platform, "other", "department_officer", "swj")
    assert console_sign_in(client, "officer").status_code == 303
    home = client.get("/console")
    assert 'href="/console/messages">消息<span class="badge"' in home.text
    page = client.get("/console/messages")
    assert page.status_code == 200
    assert msg["body"] in page.text
    assert "未读 1" in page.text

    # Another department's officer cannot mark it read (not found: its existence is hidden).
    other = _client(platform)
    assert console_sign_in(other, "other").status_code == 303
    token = csrf_of(other.get("/console/messages").text)
    refused = other.post(
        f"/console/messages/{msg['id']}/read", data={"csrf": token}, follow_redirects=False
    )
    assert refused.status_code == 404
    # Without a valid token nothing changes.
    forged = client.post(
        f"/console/messages/{msg['id']}/read", data={"csrf": "0" * 64}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert client.get("/api/v1/messages", headers=keys["scjg"]).json()["unread"] == 1

    done = client.post(
        f"/console/messages/{msg['id']}/read",
        data={"csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    assert f"消息 {msg['id']} 已标为已读" in after.text
    assert "未读 0" in after.text
    assert 'class="badge"' not in after.text
    assert client.get("/api/v1/messages", headers=keys["scjg"]).json()["unread"] == 0


@pytest.fixture
def subject_account(platform: Platform) -> TestClient:
    from tests.web.test_subject_accounts import _activate, _issue

    add_department(platform)
    result = platform.importer().import_bytes(  # the subject is known to the platform
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 1, result.as_dict()
    client = _client(platform)
    assert _activate(client, _issue(platform)).status_code == 303
    return client


def test_the_subject_reads_the_steps_of_its_own_cases(
    platform: Platform, subject_account: TestClient
) -> None:
    client = subject_account
    before = client.get("/account")
    assert "未读消息" not in before.text  # the import opened no case
    case = open_case(platform, ORG, "scjg")
    step(platform, case.id, "notify")
    open_case(platform, ORG2, "scjg")  # another subject's: never shown here
    home = client.get("/account")
    assert "2 条未读消息" in home.text
    page = client.get("/account/messages")
    assert page.status_code == 200
    assert page.text.count('<li class="unread">') == 2
    assert f"您的名单认定办件（编号 {case.id}）：已立案" in page.text
    assert "陈述申辩期至" in page.text
    assert ORG2 not in page.text
    first = re.search(r'action="/account/messages/(\d+)/read"', page.text)
    assert first is not None
    done = client.post(
        f"/account/messages/{first.group(1)}/read",
        data={"csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "1 条未读消息" in client.get("/account").text
    # A message of another recipient is not found from this account.
    with platform.engine.connect() as conn:
        from sqlalchemy import select

        from xinyong.notifications.tables import messages

        theirs = (
            conn.execute(select(messages.c.id).where(messages.c.recipient != ORG)).scalars().first()
        )
    assert theirs is not None
    refused = client.post(
        f"/account/messages/{theirs}/read",
        data={"csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 404
