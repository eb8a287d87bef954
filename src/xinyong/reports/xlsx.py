"""The monthly statistics as an XLSX workbook with Chinese headers (no I/O: bytes out)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from xinyong.reports.rules import EXIT_REASONS

KIND_NAMES = {
    "punishment": "惩戒",
    "incentive": "激励",
    "management": "管理",
    "red": "守信激励",
    "black": "失信惩戒",
    "watch": "重点关注",
    "ban": "禁入",
}
DEPARTMENT_HEADERS = ("部门代码", "部门名称", "核查次数", "有措施的核查次数", "涉及主体数")
MEASURE_HEADERS = (
    "措施代码",
    "措施名称",
    "措施类别",
    "实施部门",
    "返回次数",
    "已实施",
    "未实施",
    "尚未反馈",
    "反馈覆盖率",
)
LIST_HEADERS = (
    "名单类型代码",
    "名单名称",
    "名单类别",
    "本月新列入",
    *(name for name in EXIT_REASONS.values()),
    "月末在列",
)
TOTAL = "合计"
PERCENT = "0.0%"


def _sheet(wb: Workbook, title: str, headers: Sequence[str], rows: list[list[Any]]) -> Any:
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        width = max([len(str(header)) * 2, *(len(str(r[i - 1] or "")) * 2 for r in rows), 8])
        ws.column_dimensions[ws.cell(1, i).column_letter].width = min(width, 60)
    return ws


def monthly_workbook(stats: dict[str, Any]) -> bytes:
    """Sheets 说明, 按核查部门, 按措施, 按名单类型, each data sheet ending with a 合计 row."""
    wb = Workbook()
    about = wb.active
    assert about is not None  # noqa: S101 - a new workbook always has its first sheet
    about.title = "说明"
    totals = stats["totals"]
    for key, value in (
        ("统计月份", stats["month"]),
        ("时区", "北京时间（Asia/Shanghai）"),
        ("统计区间起", stats["from"]),
        ("统计区间止（不含）", stats["until"]),
        ("在列人数统计日", stats["members_on"]),
        ("是否整月", "是" if stats["complete"] else "否（本月尚未结束，数据截至生成时）"),
        ("统计范围", stats["department"] or "全部部门"),
        ("生成时间", stats["generated_at"]),
        (
            "说明",
            "反馈按核查所属月份统计，截至生成时；同一措施多次反馈以最新一次为准。"
            "月末在列为统计日在列的名单条目数（同一主体在多个名单中分别计数）。",
        ),
    ):
        about.append([key, value])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 60

    dept_rows: list[list[Any]] = [
        [d["department"] or "—", d["name"], d["checks"], d["checks_with_measures"], d["subjects"]]
        for d in stats["departments"]
    ]
    dept_rows.append(
        [TOTAL, "", totals["checks"], totals["checks_with_measures"], totals["subjects"]]
    )
    _sheet(wb, "按核查部门", DEPARTMENT_HEADERS, dept_rows)

    measure_rows: list[list[Any]] = [
        [
            m["measure"],
            m["name"],
            KIND_NAMES.get(m["kind"] or "", m["kind"] or ""),
            m["implementing_department"],
            m["returned"],
            m["applied"],
            m["not_applied"],
            m["no_feedback"],
            m["coverage"],
        ]
        for m in stats["measures"]
    ]
    measure_rows.append(
        [
            TOTAL,
            "",
            "",
            "",
            totals["measures_returned"],
            totals["applied"],
            totals["not_applied"],
            totals["no_feedback"],
            totals["coverage"],
        ]
    )
    ws = _sheet(wb, "按措施", MEASURE_HEADERS, measure_rows)
    for (cell,) in ws.iter_rows(min_row=2, min_col=9, max_col=9):
        cell.number_format = PERCENT

    list_rows: list[list[Any]] = [
        [
            x["list_type"],
            x["name"],
            KIND_NAMES.get(x["kind"] or "", x["kind"] or ""),
            x["listed"],
            *(x["exits"].get(reason, 0) for reason in EXIT_REASONS),
            x["members_at_end"],
        ]
        for x in stats["list_types"]
    ]
    list_rows.append(
        [
            TOTAL,
            "",
            "",
            totals["listed"],
            *(totals["exits"].get(reason, 0) for reason in EXIT_REASONS),
            totals["members_at_end"],
        ]
    )
    _sheet(wb, "按名单类型", LIST_HEADERS, list_rows)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
