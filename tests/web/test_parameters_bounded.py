"""Every parameter of every operation is bounded: integers have a least and a greatest value,
strings a length (or a closed pattern or set), arrays a size. So a number past what the
database holds (2^63 and beyond) or an endless string is a 422 in the declared shape, never a
500, and the 422 does not echo the value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ORG, add_department, error_detail
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app
from xinyong.web.schemas.common import SUBJECT_CODE

HUGE = [2**63, 2**64, -(2**63) - 1, 10**40]
# A pattern bounds a string when it is anchored and repeats nothing without an upper bound.
_OPEN_REPEAT = re.compile(r"(?<!\\)[*+]|\{\d+,\}")
_FREE_FORMATS = {"date", "date-time", "binary"}


def _unbounded(schema: dict[str, Any], comps: dict[str, Any], seen: tuple[str, ...] = ()):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            yield from _unbounded(comps[name], comps, (*seen, name))
        return
    kind = schema.get("type")
    if kind == "integer" and ("minimum" not in schema or "maximum" not in schema):
        yield "integer without bounds"
    if kind == "string" and not _string_bounded(schema):
        yield "string without a length"
    if kind == "array" and "maxItems" not in schema:
        yield "array without a size"
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in schema.get(key, []):
            yield from _unbounded(alternative, comps, seen)
    for name, prop in schema.get("properties", {}).items():
        yield from (f"{name}: {p}" for p in _unbounded(prop, comps, seen))
    if "items" in schema:
        yield from (f"[]: {p}" for p in _unbounded(schema["items"], comps, seen))


def _string_bounded(schema: dict[str, Any]) -> bool:
    if "maxLength" in schema or "enum" in schema or "const" in schema:
        return True
    if schema.get("format") in _FREE_FORMATS or "contentMediaType" in schema:
        return True  # parsed as a date, or a file bounded by the body limit
    pattern = schema.get("pattern", "")
    return pattern.startswith("^") and pattern.endswith("$") and not _OPEN_REPEAT.search(pattern)


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), raise_server_exceptions=False)


@pytest.fixture
def keys(platform: Platform) -> dict[str, str]:
    out = {"department": add_department(platform)}
    with platform.engine.begin() as conn:
        for role in ("office", "auditor"):
            out[role] = access.issue_key(conn, role, role, None, platform.clock.now())
    return out


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield method, path, op


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_parameter_and_body_field_is_bounded(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    comps = doc["components"]["schemas"]
    problems = []
    for method, path, op in _operations(doc):
        for param in op.get("parameters", []):
            for p in _unbounded(param["schema"], comps):
                problems.append(f"{method} {path} {param['in']} {param['name']}: {p}")
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            for p in _unbounded(content["schema"], comps):
                problems.append(f"{method} {path} body ({media}) {p}")
    assert problems == []


def _filled(path: str, op: dict[str, Any], name: str, value: str) -> tuple[str, dict[str, str]]:
    """The URL of ``op`` with ``value`` for parameter ``name`` and plausible other path
    parameters; the query carries only ``name`` and a purpose."""
    query = {"purpose": "测试"}
    for param in op.get("parameters", []):
        if param["in"] != "path":
            continue
        filler = value if param["name"] == name else _filler(param["schema"])
        path = path.replace("{" + param["name"] + "}", filler)
    if any(p["name"] == name and p["in"] == "query" for p in op.get("parameters", [])):
        query[name] = value
    return path, query


def _filler(schema: dict[str, Any]) -> str:
    if schema.get("type") == "integer":
        return "1"
    return ORG if schema.get("pattern") == SUBJECT_CODE else "x"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_numbers_past_the_database_are_a_422_on_every_integer_parameter(
    client: TestClient, keys: dict[str, str]
) -> None:
    doc = client.get("/openapi.json").json()
    tried = 0
    for method, path, op in _operations(doc):
        for param in op.get("parameters", []):
            if param["schema"].get("type") != "integer":
                continue
            for number in HUGE:
                url, query = _filled(path, op, param["name"], str(number))
                statuses = {}
                for role, key in keys.items():
                    resp = client.request(
                        method.upper(), url, params=query, headers={"X-API-Key": key}, json={}
                    )
                    statuses[role] = resp.status_code
                    assert resp.status_code < 500, (method, path, param["name"], resp.text)
                    error_detail(resp)  # the declared shape, whatever the status
                    if resp.status_code == 422:
                        assert str(number) not in resp.text.replace(str(2**63 - 1), "")
                        fields = [f["field"] for f in error_detail(resp)["fields"]]
                        assert param["name"] in fields, (method, path, resp.text)
                # A role may be refused (403) before its parameters are read; one that may
                # call the operation gets the 422.
                assert 422 in statuses.values(), (method, path, param["name"], statuses)
                tried += 1
    assert tried >= 40


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_an_endless_string_is_a_422_on_every_string_parameter(
    client: TestClient, keys: dict[str, str]
) -> None:
    doc = client.get("/openapi.json").json()
    endless = "灰" * 1_500  # within what a client sends in a URL, past every maxLength
    tried = 0
    for method, path, op in _operations(doc):
        for param in op.get("parameters", []):
            schema = param["schema"]
            alternatives = schema.get("anyOf", [schema])
            if not any(s.get("type") == "string" and not s.get("format") for s in alternatives):
                continue
            url, query = _filled(path, op, param["name"], endless)
            statuses = {}
            for role, key in keys.items():
                resp = client.request(
                    method.upper(), url, params=query, headers={"X-API-Key": key}, json={}
                )
                statuses[role] = resp.status_code
                assert resp.status_code < 500, (method, path, param["name"], resp.text)
                assert endless[:50] not in resp.text
                if resp.status_code == 422:
                    fields = [f["field"] for f in error_detail(resp)["fields"]]
                    assert param["name"] in fields, (method, path, resp.text)
            assert 422 in statuses.values(), (method, path, param["name"], statuses)
            tried += 1
    assert tried >= 10
