"""A local catalogue folder may hold any subset of the kinds: the platform is built from
settings exactly as in production (``XINYONG_LOCAL_CATALOG_DIR``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.calendar_files import HYPOTHETICAL_OFFICIAL_2027
from tests.catalog.conftest import write_local_dir
from tests.catalog.test_sanctions import LIST_TYPE, MEASURE, measures_doc, write
from tests.conftest import TEST_KEY
from xinyong.bootstrap import Platform, build_platform
from xinyong.catalog.files import SCHEMA
from xinyong.kernel.settings import Settings


def _platform(tmp_path: Path, local: Path | None) -> Platform:
    settings = Settings(data_dir=tmp_path / "var", secret_key=TEST_KEY, local_catalog_dir=local)
    return build_platform(settings)


def _measures(root: Path) -> None:
    write(root, "measures", measures_doc(MEASURE), "local.yaml")


def _lists(root: Path) -> None:
    write(root, "lists", LIST_TYPE, "df_red.yaml")


def _scenarios(root: Path) -> None:
    doc = {
        "schema": SCHEMA,
        "kind": "scenarios",
        "scenarios": [{"code": "provincial_talent", "name": "人才引进"}],
    }
    write(root, "", doc, "scenarios.yaml")


def _calendar(root: Path) -> None:
    (root / "calendar").mkdir(parents=True)
    (root / "calendar" / "2027.yaml").write_text(HYPOTHETICAL_OFFICIAL_2027, encoding="utf-8")


def _items(root: Path) -> None:
    write_local_dir(root)


def _shows(kind: str) -> Callable[[Platform], bool]:
    return {
        "measures": lambda p: p.sanctions.measure("DF01").local,
        "lists": lambda p: p.sanctions.list_type("DF_RED").local,
        "scenarios": lambda p: p.sanctions.scenarios["provincial_talent"].local,
        "calendar": lambda p: not p.calendar.schedule(2027).provisional,
        "items": lambda p: p.catalogue.item("DFBC01").local,
    }[kind]


WRITERS = {
    "measures": _measures,
    "lists": _lists,
    "scenarios": _scenarios,
    "calendar": _calendar,
    "items": _items,
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_folder_with_only_one_kind_loads(tmp_path: Path, kind: str) -> None:
    local = tmp_path / "local"
    local.mkdir()
    WRITERS[kind](local)
    platform = _platform(tmp_path, local)
    assert _shows(kind)(platform)
    # Everything national is still there, and the versions say a local folder was read.
    national = _platform(tmp_path, None)
    assert platform.sanctions.measure("M01").code == "M01"
    assert platform.catalogue.item("XZCF").code == "XZCF"
    if kind in ("measures", "lists", "scenarios"):
        assert platform.sanctions.snapshot != national.sanctions.snapshot
    if kind == "items":
        assert platform.catalogue.snapshot != national.catalogue.snapshot


def test_an_empty_folder_loads_the_national_catalogue_alone(tmp_path: Path) -> None:
    (tmp_path / "local").mkdir()
    platform = _platform(tmp_path, tmp_path / "local")
    assert not any(m.local for m in platform.sanctions.measures())
    assert not any(i.local for i in platform.catalogue.items())
