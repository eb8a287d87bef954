"""Pure rules of the credit file: how a stored value reads, what stands at the top, in which
order, and which legal bases a reader sees. No I/O: the service gathers the rows.

People read labels, machines read codes: every coded value keeps its code and gains its label
(``{"code", "label"}``; departments and lists ``{"code", "name"}``), and every value gets a
``text`` as a page or the command line shows it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import Evidence, FieldDef, ItemVersion, LegalBasis, ListType, Sharing
from xinyong.kernel.parse import currency_name
from xinyong.publication.rules import NO_EXPIRY

View = Literal["public", "internal"]

# Values of a ``codes`` field are stored joined by this (ingest.validate).
CODES_SEPARATOR = ","
SERIOUS = "严重"
# Bases a member of the public may be shown: read in full (P) or from a reliable secondary
# source (S). The others (third-party code, inference) are staff-only and marked.
CONFIRMED = frozenset({Evidence.PRIMARY, Evidence.SECONDARY})
UNCONFIRMED_MARK = "待核实"
# Lists first by what they mean for the subject (a court's or a regulator's 严重失信 list,
# then bans, 重点关注 and 守信激励), then serious records.
KIND_RANK = {"black": 0, "ban": 1, "watch": 2, "red": 3}
_CAPITAL = re.compile(r"(?P<amount>\d+(?:\.\d+)?)万(?P<currency>[A-Z]{3})?")


SHARING_NOTES = {
    Sharing.UNCONDITIONAL: "无条件共享：由其他部门提供",
    Sharing.CONDITIONAL: "有条件共享：由其他部门提供，仅限履行职责使用，不得公开或向第三方提供",
}


REPAIRED_ACTIONS = frozenset({"repair", "mask"})


def shared_with_departments(
    item: ItemVersion | None, *, person: bool, action: str = "assert"
) -> Sharing | None:
    """How another department's record that is not public (an item never published, or a
    record outside its window) reaches a department's reader of the internal file: the
    catalogue's sharing type, or None when it does not reach it (不予共享 or no type stated,
    an item the catalogue does not know, a repaired record: 令36 stops its sharing, or a
    natural person's record: a person's file holds a department's own records only)."""
    if item is None or person or action in REPAIRED_ACTIONS:
        return None
    level = item.sharing_level
    return None if level is Sharing.NOT_SHARED else level


def code_value(catalogue: Catalogue, table: str | None, code: str) -> dict[str, str]:
    """``{"code", "label"}``; an unknown code keeps itself as its label (never dropped)."""
    label = code
    if table is not None:
        try:
            value = catalogue.lookup_code(table, code)
        except Exception:  # a table retired from the catalogue: the code is all we have
            value = None
        if value is not None:
            label = value.label
    return {"code": code, "label": label}


def field_view(
    catalogue: Catalogue, f: FieldDef | None, code: str, value: object
) -> dict[str, Any] | None:
    """One field as the file shows it, or None when it has no value (never an empty cell)."""
    if value is None or value == "":
        return None
    raw = str(value)
    out: dict[str, Any] = {"code": code, "name": f.name if f else code, "value": raw}
    if f is not None and f.type in ("code", "codes"):
        parts = raw.split(CODES_SEPARATOR) if f.type == "codes" else [raw]
        codes = [code_value(catalogue, f.code_table, p.strip()) for p in parts if p.strip()]
        out["codes"] = codes
        out["text"] = "、".join(c["label"] for c in codes)
    elif f is not None and f.type == "date" and raw == NO_EXPIRY.isoformat():
        out["text"] = "长期"
    elif f is not None and f.type == "money_text" and (m := _CAPITAL.fullmatch(raw)):
        # Stored as "<amount>万<ISO code>" (ingest.validate); read as 5000万元人民币, 100万美元.
        currency = m["currency"]
        if currency is None:
            out["text"] = f"{m['amount']}万"
        elif currency == "CNY":
            out["text"] = f"{m['amount']}万元人民币"
        else:
            out["text"] = f"{m['amount']}万{currency_name(currency)}"
    else:
        out["text"] = raw
    return out


def fields_in_order(item: ItemVersion | None, payload: Mapping[str, Any]) -> list[str]:
    """Payload keys in the catalogue's field order; keys the item does not know (an older
    layout, a list decision's own facts) follow in the order they were stored."""
    if item is None:
        return list(payload)
    known = [f.code for f in item.fields if f.code in payload]
    rest = set(payload) - set(known)
    return known + [k for k in payload if k in rest]


def repeated_fields(item: ItemVersion, payload: Mapping[str, Any], subject_name: str) -> set[str]:
    """Fields that would repeat the subject header on every record: its code (a person's
    certificate) and category, its name when unchanged, and the people the header shows once
    (legal representative, principal, controller) with their certificates."""
    s = item.subject
    out = {c for c in (s.uscc, s.category, s.person_id_type, s.person_id) if c}
    for r in s.all_relations():
        out.update(c for c in (r.name, r.id_type, r.id) if c)
    if payload.get(s.name) == subject_name:
        out.add(s.name)
    return out


def record_number(
    item: ItemVersion | None, fields: Sequence[Mapping[str, Any]], subject_uscc_field: str | None
) -> list[dict[str, str]]:
    """The record's decision or licence number(s) as ``{code, name, text}``: the item's
    ``display.number`` fields that have a value, else its record key (without the decision
    date and the subject's own code)."""
    by_code = {f["code"]: f for f in fields}
    wanted: Sequence[str] = item.display.number if item else ()
    found = [by_code[c] for c in wanted if c in by_code]
    if not found and item is not None:
        skip = {item.decision_date_field, subject_uscc_field}
        found = [by_code[c] for c in item.record_key if c in by_code and c not in skip]
    return [{"code": f["code"], "name": f["name"], "text": f["text"]} for f in found]


def field_texts(fields: Sequence[Mapping[str, Any]], codes: Iterable[str]) -> list[dict[str, str]]:
    by_code = {f["code"]: f for f in fields}
    return [{"name": by_code[c]["name"], "text": by_code[c]["text"]} for c in codes if c in by_code]


def last_day(until: dt.date | None) -> dt.date | None:
    """Stored periods are half-open [from, until): the last day inside is until - 1 day."""
    return None if until is None else until - dt.timedelta(days=1)


def iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def period(start: dt.date | None, until: dt.date | None, open_end: str) -> dict[str, Any]:
    """``{"from", "to", "text"}`` with ``to`` the last day inclusive; ``open_end`` says what
    holds when there is no end date (长期, 至移出名单时止 …)."""
    end = last_day(until)
    if start is None and end is None:
        text = open_end
    elif end is None:
        text = f"{iso(start)} 起，{open_end}"
    elif start is None:
        text = f"至 {iso(end)}"
    else:
        text = f"{iso(start)} 至 {iso(end)}"
    return {"from": iso(start), "to": iso(end), "text": text}


def basis_text(b: LegalBasis) -> str:
    text = b.title
    if b.doc_no and b.doc_no not in text:
        text += f"（{b.doc_no}）"
    return text + b.articles


def legal_basis_view(bases: Iterable[LegalBasis], view: View) -> list[dict[str, Any]]:
    """Legal bases in Chinese titles and articles. The public sees confirmed bases only;
    staff see the rest marked 待核实. Working notes and evidence tags are never shown."""
    out = []
    for b in bases:
        confirmed = b.evidence in CONFIRMED
        if view == "public" and not confirmed:
            continue
        text = basis_text(b)
        out.append(
            {
                "title": b.title,
                "doc_no": b.doc_no,
                "articles": b.articles,
                "confirmed": confirmed,
                "text": text if confirmed else f"{text}（{UNCONFIRMED_MARK}）",
            }
        )
    return out


def list_open_end(lt: ListType) -> str:
    return "长期" if lt.permanent else "至移出名单时止"


def highlight_order(h: Mapping[str, Any]) -> tuple[int, int, int]:
    """Lists by kind, then serious records; newest first within each."""
    rank = KIND_RANK.get(h["list"]["kind"], len(KIND_RANK)) if h["list"] else len(KIND_RANK) + 1
    day = dt.date.fromisoformat(h["decided_on"]) if h["decided_on"] else dt.date.min
    return (rank, -day.toordinal(), -int(h["entry_id"]))
