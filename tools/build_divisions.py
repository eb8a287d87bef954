"""Derive the shipped division table from yescallop/areacodes ``result.csv``.

Usage (from the repository root)::

    .venv/bin/python tools/build_divisions.py            # rewrite the package data file
    .venv/bin/python tools/build_divisions.py --check    # exit 1 if the committed file is stale

The source keeps one row per (code, name, period). We keep every row because a code can be
reused after it was retired (e.g. 130107), and a lookup "as of" a date needs the history.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / ".." / "shared" / "data" / "divisions" / "result.csv"
TARGET = REPO / "src" / "xinyong" / "identity" / "data" / "divisions.csv"

SOURCE_HEADER = [
    "代码",
    "一级行政区",
    "二级行政区",
    "名称",
    "级别",
    "状态",
    "启用时间",
    "变更/弃用时间",
    "新代码",
]
OUTPUT_HEADER = [
    "code",
    "name",
    "full_name",
    "level",
    "status",
    "valid_from",
    "retired_on",
    "successors",
]
LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county"}
STATUSES = {"在用": "in_use", "弃用": "retired", "变更": "changed"}
# "110101[2020]" marks a partial transfer of territory in that year while the division itself
# carried on; only the bare codes are successors at the end of the row's period.
PARTIAL_TRANSFER = re.compile(r"^\d{6}\[\d{4}\]$")
PLAIN_CODE = re.compile(r"^\d{6}$")
# The municipalities' counties sit under the pseudo-prefecture "直辖", which is not a name.
NOT_A_PREFECTURE = "直辖"


class SourceError(Exception):
    pass


def full_name(province: str, prefecture: str, name: str, level: str) -> str:
    if level == "province":
        return name
    if level == "prefecture":
        return province + name
    middle = "" if prefecture in ("", NOT_A_PREFECTURE) else prefecture
    return province + middle + name


def successors(raw: str, line: int) -> list[str]:
    found: list[str] = []
    for token in filter(None, raw.split(";")):
        if PLAIN_CODE.match(token):
            found.append(token)
        elif not PARTIAL_TRANSFER.match(token):
            raise SourceError(f"line {line}: unexpected successor token {token!r}")
    return found


def convert(source: Path) -> list[list[str]]:
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if header != SOURCE_HEADER:
            raise SourceError(f"unexpected header {header!r}")
        rows: list[list[str]] = []
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(SOURCE_HEADER):
                raise SourceError(f"line {line}: {len(fields)} fields")
            code, province, prefecture, name, level_zh, status_zh, start, end, new = fields
            if not PLAIN_CODE.match(code):
                raise SourceError(f"line {line}: bad code {code!r}")
            try:
                level = LEVELS[level_zh]
                status = STATUSES[status_zh]
            except KeyError as exc:
                raise SourceError(f"line {line}: unknown level or status {exc}") from exc
            if (status == "in_use") != (end == ""):
                raise SourceError(f"line {line}: status {status_zh} with end year {end!r}")
            rows.append(
                [
                    code,
                    name,
                    full_name(province, prefecture, name, level),
                    level,
                    status,
                    start,
                    end,
                    ";".join(successors(new, line)),
                ]
            )
    rows.sort(key=lambda r: (r[0], int(r[5] or 0)))
    return rows


def render(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=TARGET)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)

    text = render(convert(args.source))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; rerun tools/build_divisions.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10)) - 1} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
