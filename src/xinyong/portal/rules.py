"""The portal's pure rules: which items the 双公示 columns show, which list types are public,
the page window and the subject page's tabs (catalogue data: code table ``portal_tab``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import Disclosure, ListType
from xinyong.kernel.errors import InputError, NotFound

# The two 双公示 columns (行政许可、行政处罚) and the catalogue items they list.
PUBLICITY_ITEMS: Mapping[str, str] = {"licences": "XZXK", "penalties": "XZCF"}
PUBLICITY_TITLES: Mapping[str, str] = {"licences": "行政许可公示", "penalties": "行政处罚公示"}
TAB_TABLE = "portal_tab"
CATEGORY_TABLE = "catalogue_category"


def publicity_item(kind: str) -> str:
    try:
        return PUBLICITY_ITEMS[kind]
    except KeyError:
        raise NotFound(f"no publicity column {kind!r}", "没有该公示栏目") from None


def list_type_is_public(catalogue: Catalogue, lt: ListType) -> bool:
    """A list's entries are shown to the public when they are published under a catalogue
    item whose disclosure is 社会公开 (the rule ``lists.service`` publishes a listing by)."""
    if lt.linked_item is None:
        return False
    try:
        return catalogue.item(lt.linked_item).disclosure is Disclosure.PUBLIC
    except NotFound:
        return False


def division_prefix(code: str) -> str:
    """A GB/T 2260 code as the prefix of the codes inside it: 610000 → 61, 610100 → 6101."""
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def as_dict(self) -> dict[str, Any]:
        return {
            "page": self.number,
            "page_size": self.size,
            "total": self.total,
            "pages": self.pages,
            "has_previous": self.number > 1,
            "has_next": self.number < self.pages,
        }


def check_range(decided_from: Any, decided_to: Any) -> None:
    if decided_from is not None and decided_to is not None and decided_from > decided_to:
        raise InputError(
            "decided_from is after decided_to",
            "决定日期范围有误：起始日期（decided_from）晚于截止日期（decided_to）",
        )


@dataclass(frozen=True, slots=True)
class Tab:
    code: str
    label: str
    categories: tuple[str, ...]  # category labels, in catalogue order


def tab_of(catalogue: Catalogue, category_label: str) -> str:
    """The tab a catalogue category (by its label) is shown under."""
    values = catalogue.code_table(TAB_TABLE).values
    category = catalogue.lookup_code(CATEGORY_TABLE, category_label)
    key = category.code if category is not None else category_label
    return next((v for v in values if key in v.aliases), values[-1]).code


def item_tab(catalogue: Catalogue, item_code: str) -> str:
    """The tab an item's records are shown under (an uncatalogued one: the last tab)."""
    try:
        return tab_of(catalogue, catalogue.item(item_code).category)
    except NotFound:
        return catalogue.code_table(TAB_TABLE).values[-1].code


def tabs(catalogue: Catalogue, category_labels: Sequence[str]) -> list[Tab]:
    """The subject page's tabs from the code table: each catalogue category (by its label, as
    the credit file groups) goes to the tab naming its code; one named by none goes last."""
    values = catalogue.code_table(TAB_TABLE).values
    placed: dict[str, list[str]] = {v.code: [] for v in values}
    for label in category_labels:
        placed[tab_of(catalogue, label)].append(label)
    return [Tab(v.code, v.label, tuple(placed[v.code])) for v in values]


def subject_tabs(catalogue: Catalogue, cf: Mapping[str, Any], selected: str) -> dict[str, Any]:
    """The subject page's tabs over a public credit file (``CreditFile.as_dict``): each tab
    with its record count, the groups of the selected one (when none or an unknown one is asked for, the first
    with records), and the
    tab each highlight's full record is under."""
    groups = list(cf.get("groups", []))
    counts: dict[str, int] = {}
    by_tab: dict[str, list[Any]] = {}
    for g in groups:
        code = tab_of(catalogue, g["category"])
        by_tab.setdefault(code, []).append(g)
        counts[code] = counts.get(code, 0) + sum(len(i["records"]) for i in g["items"])
    values = catalogue.code_table(TAB_TABLE).values
    codes = [v.code for v in values]
    # No tab asked for: the first that has records (a subject only penalised would otherwise
    # open on an empty 基础信息 tab), the first tab when none has.
    current = selected if selected in codes else next((c for c in codes if counts.get(c)), codes[0])
    return {
        "tabs": [
            {"code": v.code, "label": v.label, "count": counts.get(v.code, 0)} for v in values
        ],
        "current": current,
        "groups": by_tab.get(current, []),
        "highlight_tabs": {
            h["entry_id"]: item_tab(catalogue, h["item"]) for h in cf.get("highlights", [])
        },
    }


EVALUATION_CATEGORY = "evaluation"


def banner(catalogue: Catalogue, cf: Mapping[str, Any]) -> list[dict[str, str]]:
    """The status line above the tabs: each active list and ban (by kind) and, when the
    public file has one, the newest credit evaluation (信用评价结果) as the grade."""
    out = [
        {"kind": h["list"]["kind"], "label": h["list"]["kind_label"], "text": h["title"]}
        for h in cf.get("highlights", [])
        if h.get("list")
    ]
    for g in cf.get("groups", []):
        category = catalogue.lookup_code(CATEGORY_TABLE, g["category"])
        if category is None or category.code != EVALUATION_CATEGORY:
            continue
        records = [r for i in g["items"] for r in i["records"]]
        if records:
            out.append({"kind": "grade", "label": "信用评价", "text": records[0]["heading"]})
    return out


def file_records(catalogue: Catalogue, cf: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """The records a credit file's view shows (``CreditFile.as_dict``), by entry id: what a
    reader of that view may see of the entries behind an evaluation."""
    out: dict[int, dict[str, Any]] = {}
    for group in cf.get("groups", []):
        for item in group["items"]:
            for rec in item["records"]:
                out[int(rec["entry_id"])] = {
                    "entry_id": int(rec["entry_id"]),
                    "item": item["item"],
                    "item_name": item["item_name"],
                    "heading": rec["heading"],
                    "decision_date": rec.get("decision_date"),
                    "anchor": rec["anchor"],
                    "tab": item_tab(catalogue, item["item"]),
                    "not_public": bool(rec.get("not_public")),
                }
    return out


def explained(result: Mapping[str, Any], shown: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """An evaluation result (``evaluation.service.result_view`` with entries) as a reader sees
    it: each indicator's entries replaced by the records ``shown`` holds (the reader's view
    of the file: the public file for anyone), the others only counted — never listed, so a
    public explanation never names a non-public record."""
    indicators = []
    for ind in result["indicators"]:
        ids = [int(e) for e in ind.get("entries", [])]
        records = [dict(shown[e]) for e in ids if e in shown]
        indicators.append(
            {
                **{k: v for k, v in ind.items() if k != "entries"},
                "records": records,
                "not_shown": len(ids) - len(records),
            }
        )
    return {**result, "indicators": indicators}
