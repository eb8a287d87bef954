"""Year files for tests. The official 2027 schedule is NOT known (legal-audit 2026-12 §2.1):
``HYPOTHETICAL_OFFICIAL_2027`` is an invented notice, plausible and consistent with the holiday
law (13 statutory days off, 1:1 swaps: 248 working days, no run over six working days), used
only to test what happens when the real one arrives."""

from __future__ import annotations

import textwrap
from pathlib import Path

HYPOTHETICAL_OFFICIAL_2027 = """\
year: 2027
status: official
source: 测试用的假设通知（并非国务院办公厅的真实安排）
source_url: https://www.gov.cn/test/2027.htm
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-05, to: 2027-02-11}
  - {name: 清明, from: 2027-04-03, to: 2027-04-05}
  - {name: 劳动节, from: 2027-05-01, to: 2027-05-05}
  - {name: 端午, from: 2027-06-09, to: 2027-06-09}
  - {name: 中秋, from: 2027-09-15, to: 2027-09-15}
  - {name: 国庆节, from: 2027-10-01, to: 2027-10-07}
makeup_workdays:
  - {date: 2027-02-20, for: 春节}
  - {date: 2027-05-08, for: 劳动节}
  - {date: 2027-09-26, for: 国庆节}
  - {date: 2027-10-09, for: 国庆节}
"""


def write_year(directory: Path, text: str, name: str | None = None) -> Path:
    """Write a year file (named after its ``year:`` unless ``name`` is given)."""
    text = textwrap.dedent(text)
    if name is None:
        year = next(
            line.split(":")[1].strip() for line in text.splitlines() if line.startswith("year:")
        )
        name = f"{year}.yaml"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
