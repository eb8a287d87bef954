from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from xinyong.identity.divisions import NATIONAL_CODE, DivisionTable, default_divisions
from xinyong.kernel.errors import ConfigurationError

BUILD_TOOL = Path(__file__).resolve().parents[2] / "tools" / "build_divisions.py"
HEADER = "code,name,full_name,level,status,valid_from,retired_on,successors\n"


def _build_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_divisions", BUILD_TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_code_in_use_has_full_name() -> None:
    status = default_divisions().lookup("610103")
    assert status.status == "in_use"
    assert status.name == "碑林区"
    assert status.full_name == "陕西省西安市碑林区"
    assert status.level == "county"
    assert status.retired_on is None


def test_municipality_county_has_no_pseudo_prefecture_in_name() -> None:
    assert default_divisions().lookup("110101").full_name == "北京市东城区"


def test_retired_code_names_successor() -> None:
    table = default_divisions()
    status = table.lookup("610125")
    assert status.status == "retired"
    assert status.retired_on == 2016
    assert status.successors == ("610118",)
    assert table.lookup(status.successors[0]).name == "鄠邑区"


def test_reused_code_depends_on_date() -> None:
    # 130107 went to 130121 in 1989 and was given out again in 1992.
    table = default_divisions()
    assert table.lookup("130107").status == "in_use"
    gap = table.lookup("130107", date(1990, 6, 1))
    assert gap.status == "retired"
    assert gap.successors == ("130121",)
    assert table.lookup("130107", date(1985, 6, 1)).status == "in_use"
    assert len(table.history("130107")) == 2


def test_renamed_code_gives_name_of_the_time() -> None:
    table = default_divisions()
    assert table.lookup("120110", date(1985, 1, 1)).name == "东郊区"
    assert table.lookup("120110").name == "东丽区"
    # Both periods touch 1992; the newer name wins.
    assert table.lookup("120110", date(1992, 7, 1)).name == "东丽区"


def test_retired_code_was_in_use_before_retirement() -> None:
    status = default_divisions().lookup("610125", date(2000, 1, 1))
    assert status.status == "in_use"
    assert status.name == "户县"


def test_code_not_yet_created_is_unknown_but_described() -> None:
    status = default_divisions().lookup("610117", date(2010, 1, 1))
    assert status.status == "unknown"
    assert status.valid_from == 2014
    assert default_divisions().lookup("610117").status == "in_use"


@pytest.mark.parametrize("code", ["610131", "611100", "000000", "abc", ""])
def test_unlisted_codes_are_unknown(code: str) -> None:
    status = default_divisions().lookup(code)
    assert status.status == "unknown"
    assert status.name is None


def test_national_code_is_valid() -> None:
    status = default_divisions().lookup(NATIONAL_CODE)
    assert status.in_use
    assert status.level == "national"
    assert default_divisions().lookup(NATIONAL_CODE, date(1995, 1, 1)).in_use


def test_codes_in_use_for_one_province() -> None:
    table = default_divisions()
    counties = table.codes_in_use("61", level="county")
    codes = [s.code for s in counties]
    assert codes == sorted(codes)
    assert "610118" in codes
    assert "610125" not in codes
    assert all(s.code.startswith("61") and s.level == "county" and s.in_use for s in counties)
    everything = table.codes_in_use("61")
    assert {"610000", "610100"} <= {s.code for s in everything}
    assert len(everything) > len(counties)


def test_default_table_is_cached() -> None:
    assert default_divisions() is default_divisions()


def test_extra_file_adds_and_replaces(tmp_path: Path) -> None:
    extra = tmp_path / "local.csv"
    extra.write_text(
        HEADER + "610131,西咸新区沣东新城,陕西省西咸新区沣东新城,county,in_use,2014,,\n"
        "610125,户县,陕西省西安市户县,county,in_use,1983,,\n",
        encoding="utf-8",
    )
    table = DivisionTable.load(extra)
    added = table.lookup("610131")
    assert added.in_use
    assert added.full_name == "陕西省西咸新区沣东新城"
    assert table.lookup("610125").in_use
    assert len(table.history("610125")) == 1
    # The shared default table is untouched by a deployment's file.
    assert default_divisions().lookup("610131").status == "unknown"


def test_extra_file_with_minimal_columns(tmp_path: Path) -> None:
    extra = tmp_path / "local.csv"
    extra.write_text("code,name,status\n611100,西咸新区,in_use\n", encoding="utf-8")
    status = DivisionTable.load(extra).lookup("611100")
    assert status.in_use
    assert status.full_name == "西咸新区"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("code,name\n610131,x\n", "status"),
        (HEADER + "61013,x,x,county,in_use,2014,,\n", "第2行"),
        (HEADER + "610131,x,x,county,gone,2014,,\n", "状态"),
        (HEADER + "610131,x,x,county,in_use,2014,2016,\n", "停用年份"),
        (HEADER + "610131,x,x,county,retired,14,2016,\n", "四位年份"),
    ],
)
def test_bad_extra_file_is_rejected(tmp_path: Path, content: str, fragment: str) -> None:
    extra = tmp_path / "bad.csv"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        DivisionTable.load(extra)
    assert fragment in caught.value.message_zh


def test_missing_extra_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        DivisionTable.load(tmp_path / "absent.csv")


@pytest.mark.shared
def test_shipped_table_matches_source(shared_data: Path) -> None:
    tool = _build_tool()
    source = shared_data / "divisions" / "result.csv"
    shipped = Path(__file__).resolve().parents[2] / "src/xinyong/identity/data/divisions.csv"
    assert tool.render(tool.convert(source)) == shipped.read_text(encoding="utf-8")


@pytest.mark.shared
def test_codes_in_use_match_the_2024_list(shared_data: Path) -> None:
    listed = set()
    for line in (shared_data / "divisions" / "2024.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            listed.add(line.split()[0])
    current = {s.code for s in default_divisions().codes_in_use()}
    assert current - {NATIONAL_CODE} == listed
