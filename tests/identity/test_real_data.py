"""The validators against real 1995 business registrations (tests only; see data README)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from xinyong.identity.uscc import check_uscc

COLUMN = "统一社会信用代码"
KNOWN_BAD = "91510108202229321Y"


def _codes(shared_data: Path) -> dict[str, list[str]]:
    by_province: dict[str, list[str]] = {}
    for path in sorted((shared_data / "registrations-1995").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            by_province[path.stem] = [row[COLUMN] for row in csv.DictReader(handle)]
    return by_province


@pytest.mark.shared
def test_registrations_1995(shared_data: Path) -> None:
    by_province = _codes(shared_data)
    assert set(by_province) == {"陕西", "山西", "四川"}
    everything = [code for codes in by_province.values() for code in codes]
    assert len(everything) == len(set(everything))

    results = {code: check_uscc(code) for code in everything}
    invalid = {code: r for code, r in results.items() if not r.valid}
    # One real bad code, and only its GB 32100 check char is wrong.
    assert set(invalid) == {KNOWN_BAD}
    assert [i.code for i in invalid[KNOWN_BAD].errors] == ["check_digit"]
    # Every other code also passes the embedded GB 11714 check.
    assert not any(i.code == "org_code_check" for r in results.values() for i in r.errors)

    warnings = Counter(
        (province, issue.code)
        for province, codes in by_province.items()
        for code in codes
        for issue in results[code].warnings
    )
    assert warnings[("陕西", "division_unknown")] == 114
    assert warnings[("山西", "division_unknown")] == 0
    assert warnings[("四川", "division_unknown")] == 0
    assert warnings[("山西", "division_retired")] > 0
    assert warnings[("四川", "division_retired")] > 0
    unknown = {
        code[2:8]
        for code in by_province["陕西"]
        if any(i.code == "division_unknown" for i in results[code].warnings)
    }
    assert {"610131", "611100"} <= unknown

    kinds = Counter(r.subject_kind for r in results.values())
    assert kinds["individual_business"] == sum(code.startswith("92") for code in everything)
