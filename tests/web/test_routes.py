"""Every API operation declares who may call it: a key (a role) or, on purpose, nobody."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant

from tests.helpers import api_routes
from xinyong.bootstrap import Platform
from xinyong.web import deps
from xinyong.web.app import create_app

# The operations anyone may call without a key (public catalogue facts, the public credit
# file, published typical cases). Adding one is a decision: change this list with it.
PUBLIC = {
    ("GET", "/api/v1/list-types"),
    ("GET", "/api/v1/catalogue/items"),
    ("GET", "/api/v1/scenarios"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/subjects/{code}/file"),
    ("GET", "/api/v1/typical-cases"),
    ("GET", "/api/v1/publicity/licences"),
    ("GET", "/api/v1/publicity/penalties"),
    ("GET", "/api/v1/lists"),
    ("GET", "/api/v1/lists/{code}"),
    ("GET", "/api/v1/ledger/anchors"),
    ("GET", "/api/v1/ledger/anchors.jsonl"),
    ("GET", "/api/v1/catalogue/code-tables"),
    ("GET", "/api/v1/catalogue/measures"),
    ("GET", "/api/v1/calendar/{year}"),
    ("GET", "/api/v1/announcements"),
    ("GET", "/api/v1/announcements/{announcement_id}"),
    ("GET", "/api/v1/evaluation/models"),
    ("GET", "/api/v1/subjects/{code}/evaluation"),
    ("GET", "/api/v1/inspections/published"),
    ("GET", "/api/v1/inspections/draws/{draw_id}"),
    ("GET", "/api/v1/inspections/draws/{draw_id}/record.json"),
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _operations(platform: Platform) -> Iterator[tuple[str, str, set[Callable[..., Any]]]]:
    for route in api_routes(create_app(platform).routes):
        if route.path.startswith("/api/v1/"):
            calls = set(_calls(route.dependant))
            for method in route.methods:
                yield method, route.path, calls


def test_every_api_operation_needs_a_key_unless_declared_public(platform: Platform) -> None:
    ops = list(_operations(platform))
    assert len(ops) >= 20  # the walk found the routers
    public = {(m, p) for m, p, calls in ops if deps._public in calls}
    assert public == PUBLIC
    for method, path, calls in ops:
        if (method, path) in PUBLIC:
            # A public operation may take a key (to show more), never require one.
            assert deps.get_principal not in calls, path
            continue
        assert deps.get_principal in calls, f"{method} {path} declares no caller"


def test_response_models_pass_answers_through_unchanged(platform: Platform) -> None:
    """A model's optional fields never add nulls to an answer that lacks them."""
    routes = list(api_routes(create_app(platform).routes))
    assert [r.path for r in routes if r.response_model and not r.response_model_exclude_unset] == []


def test_role_dependencies_are_used_where_roles_are_checked(platform: Platform) -> None:
    """The role an operation needs is in its signature (and so in the OpenAPI document's
    description of 403), not only in its body."""
    by_path = {(m, p): calls for m, p, calls in _operations(platform)}
    names = {
        (m, p): {getattr(c, "__name__", "") for c in calls} for (m, p), calls in by_path.items()
    }
    expected = {
        ("POST", "/api/v1/imports"): "role_department",
        ("POST", "/api/v1/revocations"): "role_department",
        ("POST", "/api/v1/list-cases"): "role_department",
        ("POST", "/api/v1/list-cases/{case_id}/transitions"): "role_department_or_office",
        ("GET", "/api/v1/alerts"): "role_office_or_auditor",
        ("GET", "/api/v1/alerts/{alert_id}"): "role_office_or_auditor",
        ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): "role_office",
        ("POST", "/api/v1/alerts/{alert_id}/dismiss"): "role_office",
        ("GET", "/api/v1/reports/monthly"): "role_department_or_office_or_auditor",
        ("GET", "/api/v1/reports/monthly.xlsx"): "role_department_or_office_or_auditor",
        ("POST", "/api/v1/typical-cases"): "role_office",
        ("POST", "/api/v1/typical-cases/{case_id}/publish"): "role_office",
        ("POST", "/api/v1/typical-cases/{case_id}/withdraw"): "role_office",
        ("POST", "/api/v1/announcements"): "role_office",
        ("POST", "/api/v1/announcements/{announcement_id}/withdraw"): "role_office",
    }
    assert {op: role for op, role in expected.items() if role not in names[op]} == {}
