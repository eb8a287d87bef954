"""Schemathesis over the whole OpenAPI document, with each kind of key: no request it can
build from the document gives a server error, and every answer conforms to the document
(declared status, content type and response schema).

Bounded so that it runs in the suite: a fixed number of examples per operation, derandomised
(the same requests on every run, so a red run is reproducible), no shrinking. Each operation
is fuzzed twice: once as generated (ids mostly unknown: 404s, 422s) and once with its path
parameters pinned to objects that exist (a batch with rejected rows, a published listing, an
alert, a check receipt, a typical case), so the real answers' schemas are checked too. Valid
requests (positive) and, with fewer examples, invalid ones (negative: wrong types, missing
fields, bad or no key).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from tests.alerts.support import org2_penalty
from tests.helpers import ORG, add_department, csv_bytes, listing_details, penalty
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app

# Examples per operation: generated freely, with pinned path parameters, and invalid.
FREE_EXAMPLES = 10
PINNED_EXAMPLES = 15
NEGATIVE_EXAMPLES = 6
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def _seed(platform: Platform, client: TestClient, keys: dict[str, str]) -> dict[str, Any]:
    """Objects for the pinned pass, made through the API as a department would."""
    dept = {"X-API-Key": keys["department"]}
    office = {"X-API-Key": keys["office"]}

    def ok(resp: Any) -> Any:
        assert resp.status_code < 300, resp.text
        return resp.json()

    rows = [penalty(), penalty(CF_WSH="2号", CF_JDRQ="2026-13-01")]
    files = {"file": ("p.csv", csv_bytes(rows), "text/csv")}
    batch = ok(client.post("/api/v1/imports", params={"item": "XZCF"}, files=files, headers=dept))
    case = ok(
        client.post(
            "/api/v1/list-cases",
            json={"list_type": "SAMR_SERIOUS", "subject": ORG, "note": "拟列入"},
            headers=dept,
        )
    )
    for step, who in (("notify", dept), ("state_case", dept), ("list", dept), ("publish", office)):
        ok(
            client.post(
                f"/api/v1/list-cases/{case['id']}/transitions",
                json={"name": step, "note": "依法办理", **listing_details(step)},
                headers=who,
            )
        )
    # The same legal representative at another company: a re-establishment alert.
    more = {"file": ("p2.csv", csv_bytes([org2_penalty()]), "text/csv")}
    ok(client.post("/api/v1/imports", params={"item": "XZCF"}, files=more, headers=dept))
    alerts = ok(client.get("/api/v1/alerts", params={"purpose": "核查"}, headers=office))
    checked = ok(
        client.post(
            "/api/v1/checks",
            json={"subject": ORG, "scenario": "government_procurement"},
            headers=dept,
        )
    )
    typical = ok(
        client.post(
            "/api/v1/typical-cases",
            json={
                "title": "典型案例",
                "summary": "某公司销售不合格食品，被列入严重违法失信名单。",
                "category": "惩戒",
                "measures": [checked["measures"][0]["measure"]],
                "department": "scjg",
                "subject": ORG,
            },
            headers=office,
        )
    )
    return {
        "batch_id": batch["batch_id"],
        "list_case_id": case["id"],
        "alert_id": alerts["alerts"][0]["id"],
        "receipt": checked["receipt"],
        "typical_case_id": typical["id"],
        "code": ORG,
    }


def _pinned(path: str, names: list[str], known: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name in names:
        if name == "case_id":  # two kinds of case share the name
            out[name] = known["typical_case_id" if "typical" in path else "list_case_id"]
        elif name in known:
            out[name] = known[name]
    return out


def _fuzz(
    operation: Any,
    mode: schemathesis.GenerationMode,
    examples: int,
    key: str,
    pinned: dict[str, Any] | None,
    failed: Callable[[str], None],
) -> int:
    """Run ``examples`` cases of ``operation``; report each distinct failure; the number of
    requests sent."""
    sent = 0
    strategy = operation.as_strategy(generation_mode=mode)
    if pinned is not None:
        # A purpose is asked of every non-public read (a 422 without one).
        query = {"purpose": "核查"} if any(p.name == "purpose" for p in operation.query) else {}
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned, query=query)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        try:
            case.call_and_validate(headers={"X-API-Key": key}, checks=CHECKS)
        except schemathesis.errors.FailureGroup as group:
            for failure in group.exceptions:
                failed(f"{mode.value} {operation.label}: {failure.title}\n{failure.message}")

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): negative mode has no case.
        assert mode is schemathesis.GenerationMode.NEGATIVE
    return sent


# Every role on SQLite; on PostgreSQL the office, whose key reaches the most operations.
RUNS = [
    pytest.param("sqlite", "department", id="sqlite-department"),
    pytest.param("sqlite", "office", id="sqlite-office"),
    pytest.param("sqlite", "auditor", id="sqlite-auditor"),
    pytest.param("postgresql", "office", id="postgresql-office"),
]


@pytest.mark.parametrize(("engine", "role"), RUNS, indirect=["engine"])
def test_no_request_from_the_document_breaks_the_api_or_its_schema(
    platform: Platform, role: str
) -> None:
    keys = {"department": add_department(platform)}
    with platform.engine.begin() as conn:
        for other in ("office", "auditor"):
            keys[other] = access.issue_key(conn, other, other, None, platform.clock.now())
    app = create_app(platform)
    known = _seed(platform, TestClient(app), keys)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[str, None] = {}  # distinct, in the order found
    operations = 0
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = [p.name for p in operation.path_parameters]
        pinned = _pinned(operation.path, names, known)
        for fixed, examples in ((None, FREE_EXAMPLES), (pinned, PINNED_EXAMPLES)):
            sent += _fuzz(
                operation,
                schemathesis.GenerationMode.POSITIVE,
                examples,
                keys[role],
                fixed,
                failures.setdefault,
            )
        sent += _fuzz(
            operation,
            schemathesis.GenerationMode.NEGATIVE,
            NEGATIVE_EXAMPLES,
            keys[role],
            None,
            failures.setdefault,
        )
    assert operations >= 26
    assert sent >= operations * FREE_EXAMPLES
    assert list(failures) == []
