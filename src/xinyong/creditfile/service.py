"""The credit file (信用档案): a subject's records as of a date, grouped by catalogue category.

Two views: ``public`` shows only records inside their publication window on that date, with
non-public fields removed; ``internal`` (authorised users) shows every current record with
provenance, history and its publication status.

What matters most stands first (``highlights``): the subject's list memberships active on the
date (严重失信 lists, bans, 重点关注, 守信激励) and its serious (严重) records, each with its
reason, legal basis, deciding authority, decision number and period. Codes keep their code and
gain their label; departments their name (see :mod:`xinyong.creditfile.rules`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from xinyong.access import repository as access_repo
from xinyong.access import service as access
from xinyong.cases.rules import WORKFLOWS
from xinyong.cases.service import CASE_ITEM_PREFIX
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import LIST_KIND_LABELS, ItemVersion, ListType
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.creditfile import rules
from xinyong.creditfile.rules import View
from xinyong.identity import repository as identity_repo
from xinyong.identity.divisions import default_divisions
from xinyong.identity.model import SUBJECT_KIND_LABELS
from xinyong.identity.resolve import subject_code
from xinyong.identity.uscc import check_uscc
from xinyong.kernel.clock import CHINA_TZ, beijing_time
from xinyong.kernel.errors import NotFound
from xinyong.ledger import service as ledger
from xinyong.ledger.model import RecordVersion, StoredEntry
from xinyong.lists import projection
from xinyong.lists.rules import LIST_MARK, Fact, Membership, is_active
from xinyong.objections import service as objections
from xinyong.publication.rules import is_public_on, publication_status

__all__ = ["CreditFile", "View", "build_credit_file"]

ACTION_LABELS = {
    "assert": "报送",
    "correct": "更正",
    "revoke": "撤销",
    "repair": "信用修复，停止公示",
    "mask": "临时信用修复，暂停公示",
}
EXIT_LABELS = {
    "expired": "期满移出",
    "early_exit": "提前移出",
    "revoked": "撤销列入",
    "removed": "移出",
    "repaired": "信用修复移出",
    "masked": "破产重整临时信用修复，暂停列入",
}
SERIOUS_RECORD_LABEL = "严重失信信息"
REGISTRATION_STATUS_TABLE = "registration_status"
PENALTY_KIND_TABLE = "penalty_kind"
# A listing decided here (lists.service._publish) stores these facts; how each reads.
CASE_FIELDS = {
    "名单名称": "名单名称",
    "列入日期": "列入日期",
    "期满日期": "列入期限至",
    "认定部门": "认定部门",
    "办件": "办件编号",
}
CASE_HIDDEN = frozenset({"名单类型"})  # shown as the list's name
# Each step of a case (internal view only: never public) is a ledger entry of its own.
CASE_STEPS_CATEGORY = "办件记录"


@dataclass
class FileRecord:
    entry_id: int
    item: str
    item_name: str
    record_key: str
    heading: str
    number: list[dict[str, str]]  # [{code, name, text}]: decision / licence / case number
    decision_date: str | None
    severity: str | None
    fields: list[dict[str, Any]]  # [{code, name, value, text[, codes]}] in catalogue order
    publication: dict[str, Any]
    provenance: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    revoked: bool = False
    penalty_kinds: list[dict[str, str]] | None = None
    objection: dict[str, Any] | None = None  # an open objection's mark (异议处理中)
    # Shown to a department's reader because the catalogue shares it: {code, label}.
    sharing: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["anchor"] = f"e{self.entry_id}"
        if self.penalty_kinds is None:
            del out["penalty_kinds"]
        if self.objection is None:
            del out["objection"]
        if self.sharing is None:
            del out["sharing"]
        return out


@dataclass
class CreditFile:
    subject: dict[str, Any]
    as_of: str
    view: View
    catalogue_version: str
    highlights: list[dict[str, Any]]
    groups: list[dict[str, Any]]  # [{category, items: [{item, item_name, records: [...]}]}]
    counts: dict[str, int]
    # 更正公告 of records found wrong on an objection (public ones only in the public view).
    correction_notices: list[dict[str, Any]] = field(default_factory=list)
    # Entries another department provided that a department's reader sees by sharing.
    shared_entries: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {
            "subject": self.subject,
            "as_of": self.as_of,
            "view": self.view,
            "catalogue_version": self.catalogue_version,
            "counts": self.counts,
            "highlights": self.highlights,
            "groups": self.groups,
        }
        if self.correction_notices:
            out["correction_notices"] = self.correction_notices
        return out


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=CHINA_TZ)


def read_credit_file(
    conn: Connection,
    catalogue: Catalogue,
    sanctions: SanctionsCatalogue,
    code: str,
    *,
    as_of: dt.date,
    view: View,
    now: dt.datetime,
    actor: str | None = None,
    purpose: str = "",
    department: str | None = None,
) -> CreditFile:
    """The file as a reader sees it; an internal read is audited, with the reader and the
    purpose stated, in the caller's transaction (the API and the CLI both read this way).

    With ``department`` (a department's key or officer) the internal view holds what is
    public, that department's own records and what other departments provided that the
    catalogue shares (``sharing``: 无条件共享 / 有条件共享; the audit row lists those entries):
    the whole internal file is for the credit office and auditors."""
    cf = build_credit_file(
        conn, catalogue, code, as_of=as_of, view=view, sanctions=sanctions, department=department
    )
    if view == "internal":
        if actor is None:
            raise ValueError("an internal read needs its reader")
        detail: dict[str, Any] = {"as_of": as_of.isoformat()}
        if department is not None:
            detail["scope"] = f"department:{department}"
            if cf.shared_entries:
                detail["shared_entries"] = cf.shared_entries
        access.audit(conn, actor, "read_file", f"subject:{code}", now, purpose, detail)
    return cf


def build_credit_file(
    conn: Connection,
    catalogue: Catalogue,
    code: str,
    *,
    as_of: dt.date,
    view: View,
    sanctions: SanctionsCatalogue,
    department: str | None = None,
) -> CreditFile:
    key = subject_code(code)
    subject = identity_repo.get_subject(conn, key)
    if subject is None:
        check = check_uscc(key)
        # The code is not echoed: it may be a resident ID number typed in its place.
        if not check.valid and not key.startswith("P"):
            raise NotFound(
                "invalid subject code",
                "；".join(i.message_zh for i in check.errors) or "无效的主体代码",
            )
        raise NotFound("no subject with this code", "未找到该主体：代码有误，或平台尚无其记录")
    if view == "public" and subject["kind"] == "person":
        raise NotFound("natural persons have no public credit file", "自然人信用信息不向社会公开")
    versions = ledger.record_versions(conn, key, _end_of_day(as_of))
    departments = {d["code"]: d["name"] for d in access_repo.list_departments(conn)}
    reader = _Reader(
        catalogue,
        sanctions,
        departments,
        view,
        as_of,
        subject["name"],
        department,
        person=subject["kind"] == "person",
    )
    groups: dict[str, dict[str, list[FileRecord]]] = {}
    item_names: dict[str, str] = {}
    counts = {"records": 0, "public": 0, "revoked": 0}
    highlights: list[dict[str, Any]] = []
    shared: list[int] = []
    for version in versions:
        record = reader.record(version)
        if record is None:
            continue
        counts["records"] += 1
        counts["public"] += 1 if record.publication["status"] == "公示中" else 0
        counts["revoked"] += 1 if record.revoked else 0
        if record.sharing is not None:
            shared.append(record.entry_id)
        category = _category(catalogue, version.current.item_code)
        item_names[record.item] = record.item_name
        groups.setdefault(category, {}).setdefault(record.item, []).append(record)
        highlight = reader.highlight(version, record)
        if highlight is not None:
            highlights.append(highlight)
    highlights.sort(key=rules.highlight_order)
    counts["highlights"] = len(highlights)
    # An open objection marks its record 异议处理中 at once, in every view (the record itself
    # stays published unless its regime says otherwise).
    # FileRecord.record_key is shown without the subject key in front.
    marks = {
        (m["item"], m["record_key"].split("|", 1)[-1]): m
        for m in objections.open_marks(conn, [key])
    }
    marked_entries: dict[int, dict[str, Any]] = {}
    for group in groups.values():
        for records in group.values():
            for r in records:
                m = marks.get((r.item, r.record_key))
                if m is not None:
                    r.objection = _mark_view(m)
                    marked_entries[r.entry_id] = r.objection
    for h in highlights:
        if h.get("entry_id") in marked_entries:
            h["objection"] = marked_entries[h["entry_id"]]
    order = {c: i for i, c in enumerate(_category_order(catalogue))}
    ordered = [
        {
            "category": category,
            "items": [
                {
                    "item": code_,
                    "item_name": item_names[code_],
                    "records": [r.as_dict() for r in records],
                }
                for code_, records in sorted(items.items())
            ],
        }
        for category, items in sorted(groups.items(), key=lambda kv: order.get(kv[0], 999))
    ]
    return CreditFile(
        subject=_subject_view(conn, catalogue, subject, view),
        as_of=as_of.isoformat(),
        view=view,
        catalogue_version=catalogue.snapshot.version,
        highlights=highlights,
        groups=ordered,
        counts=counts,
        correction_notices=objections.correction_notices(conn, key, public_only=view == "public"),
        shared_entries=shared,
    )


def _mark_view(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": m["label"],
        "objection": m["objection"],
        "state": m["state"],
        "state_label": m["state_label"],
        "since": m["since"],
    }


def _subject_view(
    conn: Connection, catalogue: Catalogue, subject: dict[str, Any], view: View
) -> dict[str, Any]:
    division = None
    if subject["division_code"]:
        d = default_divisions().lookup(subject["division_code"])
        division = {
            "code": subject["division_code"],
            "name": d.full_name or d.name or subject["division_code"],
        }
    status = subject["status"]
    out = {
        "code": subject["key"] if subject["kind"] != "person" else subject["id_masked"],
        "name": subject["name"],
        "kind": SUBJECT_KIND_LABELS.get(subject["kind"], subject["kind"]),
        "kind_code": subject["kind"],
        "division_code": subject["division_code"],
        "division": division,
        "registered_on": subject["registered_on"].isoformat() if subject["registered_on"] else None,
        "status": rules.code_value(catalogue, REGISTRATION_STATUS_TABLE, status)
        if status
        else None,
    }
    if subject["kind"] != "person":
        out["legal_representatives"] = _legal_representatives(conn, subject["key"], view)
    return out


def _legal_representatives(conn: Connection, key: str, view: View) -> list[dict[str, Any]]:
    """One line per person, however many records name them: the same name reported by
    several items is one representative (from the earliest date known). Staff also see the
    masked certificate number of each person identified by one."""
    reps: dict[str, dict[str, Any]] = {}
    for r in identity_repo.relations_of(conn, key):
        if r["role"] != "legal_representative":
            continue
        rep = reps.setdefault(r["person_name"], {"name": r["person_name"], "since": None})
        since = r["valid_from"]
        if since is not None and (rep["since"] is None or since < rep["since"]):
            rep["since"] = since
        if view == "internal" and r["person_key"] and "id_masked" not in rep:
            person = identity_repo.get_subject(conn, r["person_key"])
            if person is not None and person["id_masked"]:
                rep["id_masked"] = person["id_masked"]
    return [{**rep, "since": rules.iso(rep["since"])} for rep in reps.values()]


def _category(catalogue: Catalogue, item_code: str) -> str:
    if item_code.startswith(CASE_ITEM_PREFIX):
        return CASE_STEPS_CATEGORY
    try:
        return catalogue.item(item_code).category
    except Exception:  # an item retired from the catalogue still shows under its code
        return "其他信息"


def _category_order(catalogue: Catalogue) -> list[str]:
    seen: dict[str, None] = {}
    for item in catalogue.items():
        seen.setdefault(item.category, None)
    return list(seen)


def _item(catalogue: Catalogue, e: StoredEntry) -> ItemVersion | None:
    """The item version the entry was validated with (the latest when that one is gone)."""
    try:
        versions = catalogue.item_versions(e.item_code)
    except NotFound:
        return None
    return next((v for v in versions if v.version == e.item_version), versions[-1])


class _Reader:
    """Turns one subject's record versions into what the file shows."""

    def __init__(
        self,
        catalogue: Catalogue,
        sanctions: SanctionsCatalogue,
        departments: dict[str, str],
        view: View,
        as_of: dt.date,
        subject_name: str,
        own_department: str | None = None,
        *,
        person: bool = False,
    ) -> None:
        self.own_department = own_department
        self.person = person
        self.catalogue = catalogue
        self.sanctions = sanctions
        self.departments = departments
        self.view = view
        self.as_of = as_of
        self.subject_name = subject_name

    def department(self, code: str) -> dict[str, str]:
        return {"code": code, "name": self.departments.get(code, code)}

    def _list_type(self, code: str, on: dt.date | None = None) -> ListType | None:
        try:
            return self.sanctions.list_type(code, on)
        except NotFound:
            try:
                return self.sanctions.list_type(code)
            except NotFound:
                return None

    # -- records ------------------------------------------------------------------------

    def record(self, version: RecordVersion) -> FileRecord | None:
        e = version.current
        received_on = e.received_at.astimezone(CHINA_TZ).date()
        visible = (not version.revoked) and is_public_on(
            e.public, e.public_from, e.public_until, received_on, self.as_of
        )
        if self.view == "public" and not visible:
            return None
        shared = None
        if (
            not visible
            and self.own_department is not None
            and e.department_code != self.own_department
        ):
            # Another department's record: only what the catalogue shares, never a case step
            # or a revoked record.
            if version.revoked or e.item_code.startswith(CASE_ITEM_PREFIX):
                return None
            shared = rules.shared_with_departments(
                _item(self.catalogue, e), person=self.person, action=e.action
            )
            if shared is None:
                return None
        if e.item_code.startswith(CASE_ITEM_PREFIX):
            return self._case_step(version, received_on)
        item = _item(self.catalogue, e)
        is_case = LIST_MARK in e.record_key
        lt = self._list_type(str(e.payload.get("名单类型", ""))) if is_case else None
        fields = self._case_fields(e) if is_case else self._fields(item, e)
        if is_case:
            heading_name = lt.name if lt else str(e.payload.get("名单名称", e.item_code))
            number = [
                {"code": f["code"], "name": f["name"], "text": f["text"]}
                for f in fields
                if f["code"] == "办件"
            ]
        else:
            heading_name = item.name if item else e.item_code
            number = rules.record_number(item, fields, item.subject.uscc if item else None)
        # A listing decided here is headed by its list; a record by its number.
        heading = heading_name if is_case else "，".join(n["text"] for n in number) or heading_name
        record = FileRecord(
            entry_id=e.id,
            item=e.item_code,
            item_name=item.name if item else e.item_code,
            record_key=e.record_key.split("|", 1)[-1],
            heading=heading,
            number=number,
            decision_date=rules.iso(e.decision_date),
            severity=e.severity,
            fields=fields,
            publication=self._publication(version, received_on),
            provenance=self._provenance(e),
            revoked=version.revoked,
            sharing=None
            if shared is None
            else {"code": shared.value, "label": rules.SHARING_NOTES[shared]},
        )
        kinds = {f.code for f in item.fields if f.code_table == PENALTY_KIND_TABLE} if item else ()
        if kinds:
            record.penalty_kinds = [c for f in fields if f["code"] in kinds for c in f["codes"]]
        if self.view == "internal":
            record.history = [self._history(h, is_case) for h in version.history]
        return record

    def _case_step(self, version: RecordVersion, received_on: dt.date) -> FileRecord:
        e = version.current
        p = e.payload
        workflow = WORKFLOWS.get(str(p.get("workflow", "")))
        states = workflow.states if workflow else {}
        transitions = workflow.transitions if workflow else {}
        step = transitions.get(str(p.get("transition", "")))
        step_label = step.label if step else "立案" if p.get("from") is None else "办理"

        def state(code: object) -> str:
            return states[str(code)].label if str(code) in states else str(code)

        facts = [
            ("办件编号", p.get("case")),
            ("办理步骤", step_label),
            ("原状态", state(p["from"]) if p.get("from") else None),
            ("新状态", state(p["to"]) if p.get("to") else None),
            ("经办人", p.get("actor")),
            ("说明", p.get("note")),
        ]
        fields = [
            {"code": name, "name": name, "value": value, "text": str(value)}
            for name, value in facts
            if value not in (None, "")
        ]
        name = f"{workflow.name if workflow else ''}办理记录"
        return FileRecord(
            entry_id=e.id,
            item=e.item_code,
            item_name=name,
            record_key=e.record_key.split("|", 1)[-1],
            heading=f"办件编号 {p.get('case')} · 第{p.get('seq')}步 {step_label}",
            number=[{"code": "办件", "name": "办件编号", "text": str(p.get("case"))}],
            decision_date=rules.iso(e.decision_date),
            severity=None,
            fields=fields,
            publication=self._publication(version, received_on),
            provenance=self._provenance(e),
            history=[self._history(h, False) for h in version.history],
            revoked=version.revoked,
        )

    def _fields(self, item: ItemVersion | None, e: StoredEntry) -> list[dict[str, Any]]:
        defs = {f.code: f for f in item.fields} if item else {}
        hidden = rules.repeated_fields(item, e.payload, self.subject_name) if item else set()
        out = []
        for code in rules.fields_in_order(item, e.payload):
            f = defs.get(code)
            if code in hidden:
                continue
            if self.view == "public" and f is not None and (not f.public or f.personal):
                continue
            shown = rules.field_view(self.catalogue, f, code, e.payload[code])
            if shown is not None:
                out.append(shown)
        return out

    def _case_fields(self, e: StoredEntry) -> list[dict[str, Any]]:
        lt = self._list_type(str(e.payload.get("名单类型", "")))
        linked = set(lt.linked_item_match) if lt else set()
        out: list[dict[str, Any]] = []
        known = [k for k in CASE_FIELDS if k in e.payload]
        for code in known + [k for k in e.payload if k not in CASE_FIELDS]:
            value = e.payload[code]
            if code in CASE_HIDDEN or code in linked or value in (None, ""):
                continue
            shown: dict[str, Any] = {
                "code": code,
                "name": CASE_FIELDS.get(code, code),
                "value": value,
                "text": str(value),
            }
            if code == "名单名称" and lt is not None:
                shown["text"] = lt.name
            elif code == "期满日期":
                end = rules.last_day(dt.date.fromisoformat(str(value)))
                shown["text"] = rules.iso(end) or ""
            elif code == "认定部门":
                shown["department"] = self.department(str(value))
                shown["text"] = shown["department"]["name"]
            out.append(shown)
        if "期满日期" not in {f["code"] for f in out} and lt is not None:
            out.append(
                {
                    "code": "期满日期",
                    "name": CASE_FIELDS["期满日期"],
                    "value": None,
                    "text": rules.list_open_end(lt),
                }
            )
        return out

    def _publication(self, version: RecordVersion, received_on: dt.date) -> dict[str, Any]:
        e = version.current
        if version.revoked:
            status = "已撤销"
            if LIST_MARK in e.record_key and version.revocation is not None:
                reason = str(version.revocation.payload.get("移出原因", ""))
                status = f"已移出名单（{EXIT_LABELS.get(reason, '移出')}）"
        else:
            status = publication_status(
                e.public, e.public_from, e.public_until, received_on, self.as_of
            )
        window = (
            rules.period(e.public_from, e.public_until, "长期")
            if e.public
            else {"from": None, "to": None, "text": "不公开"}
        )
        publication: dict[str, Any] = {
            "status": status,
            "public_from": rules.iso(e.public_from),
            # Stored as the first day no longer public; last_day is the last day shown.
            "public_until": rules.iso(e.public_until),
            "last_day": window["to"],
            "period_text": window["text"],
            "basis": e.window_reason,
        }
        if self.view == "internal":
            publication.update(
                repair_from=rules.iso(e.repair_from),
                policy=e.policy_code,
                policy_name=self._policy_name(e.policy_code),
                due_date=rules.iso(e.due_date),
                late=e.late,
            )
        return publication

    def _policy_name(self, code: str | None) -> str | None:
        if code is None:
            return None
        try:
            return self.catalogue.policy(code).name
        except NotFound:
            return code

    def _provenance(self, e: StoredEntry) -> dict[str, Any]:
        provenance: dict[str, Any] = {"department": self.department(e.department_code)}
        if self.view == "internal":
            provenance.update(
                batch=e.batch_id,
                source_file=e.source_name,
                source_row=e.source_row,
                received_at=e.received_at.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
                received_at_text=beijing_time(e.received_at),
                entry=e.id,
                item_version=e.item_version,
            )
        return provenance

    def _history(self, h: StoredEntry, is_case: bool) -> dict[str, Any]:
        action = ACTION_LABELS.get(h.action, h.action)
        if is_case and h.action == "revoke":
            action = EXIT_LABELS.get(str(h.payload.get("移出原因", "")), "移出")
        return {
            "entry": h.id,
            "action": action,
            "action_code": h.action,
            "received_at": h.received_at.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
            "received_at_text": beijing_time(h.received_at),
            "department": self.department(h.department_code),
            "batch": h.batch_id,
        }

    # -- the top section ----------------------------------------------------------------

    def _membership(self, e: StoredEntry) -> dict[str, Any] | None:
        """The list membership this entry makes, by the lists' own fold (one rule for the
        file, the check and rebuild)."""
        fact = Fact(
            id=e.id,
            subject_key=e.subject_key,
            item_code=e.item_code,
            record_key=e.record_key,
            action=e.action,
            supersedes_id=e.supersedes_id,
            decision_date=e.decision_date,
            payload=e.payload,
            department_code=e.department_code,
            received_at=e.received_at,
        )
        state: dict[int, Membership] = {}
        try:
            projection.apply(state, [fact], self.sanctions, self.catalogue)
        except NotFound:  # a list type or item no longer catalogued: no membership to show
            return None
        return state.get(e.id)

    def highlight(self, version: RecordVersion, record: FileRecord) -> dict[str, Any] | None:
        if version.revoked:
            return None
        e = version.current
        is_list_entry = (
            LIST_MARK in e.record_key or e.item_code in self.sanctions.record_fed_items()
        )
        membership = self._membership(e) if is_list_entry else None
        if membership is not None:
            lt = self._list_type(membership["list_type"], membership["listed_on"])
            pub = record.publication
            if pub["public_from"] is not None and pub["last_day"] is None and lt is not None:
                # Published as long as the entry stands: say so rather than 长期.
                open_end = rules.list_open_end(lt)
                pub["period_text"] = rules.period(e.public_from, None, open_end)["text"]
            if not is_active(membership, self.as_of):
                return None
            return self._list_highlight(e, record, membership)
        if e.severity != rules.SERIOUS:
            return None
        standing = ("公示中",) if self.view == "public" else ("公示中", "不公开")
        if record.publication["status"] not in standing:
            return None
        return self._record_highlight(e, record)

    def _common(
        self, e: StoredEntry, record: FileRecord, item: ItemVersion | None
    ) -> dict[str, Any]:
        authority = rules.field_texts(record.fields, item.display.authority if item else ())
        return {
            "entry_id": e.id,
            "anchor": f"e{e.id}",
            "item": e.item_code,
            "authority": authority[0]["text"]
            if authority
            else self.departments.get(e.department_code, e.department_code),
            "department": self.department(e.department_code),
            # A listing decided here is known by its case number, which needs its name.
            "decision_number": "，".join(
                f"{n['name']} {n['text']}" if LIST_MARK in e.record_key else n["text"]
                for n in record.number
            ),
            "severity": e.severity,
            "publication_status": record.publication["status"],
        }

    def _list_highlight(
        self, e: StoredEntry, record: FileRecord, m: dict[str, Any]
    ) -> dict[str, Any]:
        lt = self._list_type(m["list_type"], m["listed_on"])
        is_case = LIST_MARK in e.record_key
        item = None if is_case else _item(self.catalogue, e)
        reason = rules.field_texts(record.fields, item.display.reason) if item else []
        ends = [d for d in (m["until"], m["exited_on"]) if d is not None]
        out = self._common(e, record, item)
        out.update(
            type="list",
            type_label=LIST_KIND_LABELS.get(m["kind"], m["kind"]),
            authority_label="认定机关",
            list={
                "code": m["list_type"],
                "name": lt.name if lt else m["list_type"],
                "kind": m["kind"],
                "kind_label": LIST_KIND_LABELS.get(m["kind"], m["kind"]),
            },
            title=lt.name if lt else m["list_type"],
            reason=reason,
            # No reason in the entry itself (a listing decided here): the list's conditions.
            entry_criteria=list(lt.entry_criteria) if lt and not reason else [],
            legal_basis=[
                {**b, "source": "list_type"}
                for b in rules.legal_basis_view(lt.legal_basis if lt else (), self.view)
            ],
            decided_on=rules.iso(m["listed_on"]),
            period_label="列入期限",
            period=rules.period(
                m["listed_on"],
                min(ends) if ends else None,
                rules.list_open_end(lt) if lt else "至移出名单时止",
            ),
        )
        return out

    def _record_highlight(self, e: StoredEntry, record: FileRecord) -> dict[str, Any]:
        item = _item(self.catalogue, e)
        cited = rules.field_texts(record.fields, item.display.basis if item else ())
        out = self._common(e, record, item)
        out.update(
            type="record",
            type_label=SERIOUS_RECORD_LABEL,
            authority_label="决定机关",
            list=None,
            title=record.item_name,
            reason=rules.field_texts(record.fields, item.display.reason if item else ()),
            entry_criteria=[],
            legal_basis=[
                {
                    "title": c["text"],
                    "doc_no": "",
                    "articles": "",
                    "confirmed": True,
                    "text": c["text"],
                    "source": "record",
                }
                for c in cited
            ],
            decided_on=record.decision_date,
            period_label="公示期",
            period={
                "from": record.publication["public_from"],
                "to": record.publication["last_day"],
                "text": record.publication["period_text"],
            },
        )
        if record.penalty_kinds is not None:
            out["penalty_kinds"] = record.penalty_kinds
        return out
