"""The credit file as plain text for the command line: the same content and order as the
page (subject, then lists, bans and serious records, then every record by category)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def render_text(cf: Mapping[str, Any]) -> str:
    lines: list[str] = []
    s = cf["subject"]
    view = "公开" if cf["view"] == "public" else "内部"
    lines.append(s["name"])
    code_name = "证件号码" if s.get("kind_code") == "person" else "统一社会信用代码"
    facts = [f"{code_name}：{s['code']}", s["kind"]]
    if s.get("division"):
        facts.append(s["division"]["name"])
    if s.get("registered_on"):
        facts.append(f"成立日期：{s['registered_on']}")
    if s.get("status"):
        facts.append(f"登记状态：{s['status']['label']}")
    lines.append(" · ".join(facts))
    reps = s.get("legal_representatives") or []
    if reps:
        lines.append(
            "法定代表人："
            + "、".join(
                r["name"] + (f"（{r['id_masked']}）" if r.get("id_masked") else "") for r in reps
            )
        )
    lines.append(f"截至 {cf['as_of']} 的{view}视图 · 目录版本 {cf['catalogue_version']}")
    lines.append("")
    lines.append(f"【名单与严重失信信息】（{len(cf['highlights'])}）")
    if not cf["highlights"]:
        lines.append("  无")
    for n, h in enumerate(cf["highlights"], start=1):
        lines.extend(_highlight(n, h))
    for group in cf["groups"]:
        lines.append("")
        lines.append(f"【{group['category']}】")
        for item in group["items"]:
            lines.append(f"  {item['item_name']}（{len(item['records'])} 条）")
            for rec in item["records"]:
                lines.extend(_record(rec, internal=cf["view"] == "internal"))
    if not cf["groups"]:
        lines.append("")
        lines.append("（无记录）")
    return "\n".join(lines)


def _highlight(n: int, h: Mapping[str, Any]) -> list[str]:
    tag = h["type_label"]
    out = [f"  {n}. {h['title']}〔{tag}〕" if h["title"] != tag else f"  {n}. {tag}"]
    if h["reason"]:
        for r in h["reason"]:
            out.append(f"     {r['name']}：{r['text']}")
    elif h["entry_criteria"]:
        out.append("     名单列入条件：" + "；".join(h["entry_criteria"]))
    if h.get("penalty_kinds"):
        out.append("     处罚类别：" + "、".join(k["label"] for k in h["penalty_kinds"]))
    if h["legal_basis"]:
        out.append("     法律依据：" + "；".join(b["text"] for b in h["legal_basis"]))
    out.append(f"     {h['authority_label']}：{h['authority']}")
    if h["decision_number"]:
        out.append(f"     决定文号：{h['decision_number']}")
    out.append(f"     {h['period_label']}：{h['period']['text']}")
    return out


def _record(rec: Mapping[str, Any], *, internal: bool) -> list[str]:
    pub = rec["publication"]
    head = " ".join(
        p
        for p in (
            rec["heading"],
            rec["decision_date"] or "",
            rec["severity"] or "",
            f"[{pub['status']}]",
        )
        if p
    )
    out = [f"    ▸ {head}"]
    out.append(f"      公示期：{pub['period_text']}")
    for f in rec["fields"]:
        out.append(f"      {f['name']}：{f['text']}")
    out.append(f"      信息来源：{rec['provenance']['department']['name']}")
    if rec.get("sharing"):
        out.append(f"      共享：{rec['sharing']['label']}")
    if internal:
        p = rec["provenance"]
        out.append(
            f"      报送：批次 {p['batch']}，{p['source_file']}"
            + (f" 第{p['source_row']}行" if p["source_row"] else "")
            + f"，接收于 {p['received_at_text']}"
        )
        for h in rec["history"]:
            out.append(
                f"      历史：{h['received_at_text']} {h['action']}（{h['department']['name']}）"
            )
    return out
