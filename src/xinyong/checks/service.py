"""The check at every transaction (逢办必查): what applies to this subject in this scenario.

The answer comes from a handful of key lookups and the in-memory measures index; it never
scans the ledger:

- the status rows of the subject (and, for a natural person, of the organisations they
  represent): list memberships, whose measures come from ``SanctionsCatalogue.measures_for``;
- the ledger entries of those subjects under the catalogue items some record trigger of the
  scenario names (one query on ``ix_entries_subject``): the current version of each record
  brings ``SanctionsCatalogue.measures_for_record`` for its item, severity and the submitting
  department's sector, while the period of ``checks.rules.record_period`` runs.

A person reaches an organisation's measures only where the measure's targets include the role
the person holds. Every answer is receipted in ``check_receipts``.

``check_by_name`` serves callers who know an organisation's name but not its code: an exact
normalised-name match on a single subject gives the normal answer, flagged as identified by
name; otherwise the answer lists scored candidates (``checks.fuzzy``) and no measures.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection

from xinyong.catalog.sanctions import ListType, Measure, SanctionsCatalogue
from xinyong.checks import fuzzy
from xinyong.checks import repository as repo
from xinyong.checks.readmodel import CheckReadModel
from xinyong.checks.rules import CurrentRecord, Period, current_records, record_period
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import ROLE_LABELS, SUBJECT_KIND_LABELS
from xinyong.identity.pii import PiiVault
from xinyong.identity.ric import check_resident_id, mask_resident_id
from xinyong.identity.uscc import check_uscc
from xinyong.kernel.errors import InputError, NotFound
from xinyong.publication.rules import add_months

MAX_CANDIDATES = 20


def resolve_subject(raw: str, vault: PiiVault) -> tuple[str, str, str]:
    """(subject key, kind, shown identifier) for a USCC or a resident ID number.

    A USCC whose first 17 characters are digits looks like an ID number, so the USCC check
    (its check character, mod 31) decides first; a string passing both is vanishingly rare."""
    text = raw.strip().upper()
    uscc = check_uscc(text) if len(text) == 18 else None
    if uscc is not None and uscc.valid:
        return uscc.code, uscc.subject_kind, uscc.code
    if uscc is not None and not text[:17].isdigit():
        raise InputError(
            "; ".join(i.message_en for i in uscc.errors),
            "；".join(i.message_zh for i in uscc.errors),
        )
    ident = check_resident_id(text)
    if not ident.valid:
        raise InputError(
            "; ".join(i.message_en for i in ident.errors),
            "；".join(i.message_zh for i in ident.errors)
            or "既不是统一社会信用代码也不是身份证号码",
        )
    return vault.subject_key(ident.number), "person", mask_resident_id(ident.number)


class Answer(dict[str, Any]):
    """A check answer; ``json`` is the text its receipt's hash was taken of (the response)."""

    json: str = ""


_BASES: dict[int, tuple[Measure | ListType, tuple[dict[str, Any], ...]]] = {}


def _basis(entry: Measure | ListType) -> list[dict[str, Any]]:
    """The legal bases of a catalogue entry as JSON objects, built once per entry (catalogue
    entries are immutable). The entry is kept with them, so a reused id is never mistaken."""
    found = _BASES.get(id(entry))
    if found is None or found[0] is not entry:
        found = _BASES[id(entry)] = (
            entry,
            tuple(b.model_dump(mode="json") for b in entry.legal_basis),
        )
    return list(found[1])


def is_organisation_code(raw: str) -> bool:
    """Whether ``raw`` is a valid USCC (a check the read model can answer alone)."""
    text = raw.strip().upper()
    return len(text) == 18 and check_uscc(text).valid


def _needs(conn: Connection | None) -> Connection:
    if conn is None:  # the caller gave no connection for a check that reads the database
        raise ValueError("this check needs a database connection")
    return conn


def _require_scenario(sanctions: SanctionsCatalogue, scenario: str) -> None:
    if scenario not in sanctions.scenarios:
        raise NotFound(
            f"unknown scenario {scenario}",
            f"没有应用场景“{scenario}”，可选：{'、'.join(sanctions.scenarios)}",
        )


def _active(memberships: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    out = []
    for m in memberships:
        listed = dt.date.fromisoformat(m["listed_on"])
        until = dt.date.fromisoformat(m["until"]) if m["until"] else None
        exited = dt.date.fromisoformat(m["exited_on"]) if m["exited_on"] else None
        if (
            listed <= today
            and (until is None or today < until)
            and (exited is None or today < exited)
        ):
            out.append(m)
    return out


def _measure_view(m: Measure, period: dict[str, Any], via: dict[str, Any]) -> dict[str, Any]:
    return {
        "measure": m.code,
        "name": m.name,
        "content": m.content,
        "kind": m.kind,
        "automatic": m.automatic,
        "implementing_department": m.implementing_department,
        "legal_basis": _basis(m),
        "period": period,
        "via": via,
    }


def _list_period(m: Measure, membership: dict[str, Any]) -> dict[str, Any]:
    listed = dt.date.fromisoformat(membership["listed_on"])
    d = m.duration
    if d.type == "while_listed":
        return {
            "from": membership["listed_on"],
            "until": membership["until"],
            "rule": "列入名单期间",
        }
    if d.type == "fixed_months" and d.months is not None:
        return {
            "from": membership["listed_on"],
            "until": add_months(listed, d.months).isoformat(),
            "rule": f"自决定之日起{d.months}个月",
        }
    if d.type == "permanent":
        return {"from": membership["listed_on"], "until": None, "rule": "终身"}
    return {"from": membership["listed_on"], "until": None, "rule": d.note or "以实施决定为准"}


def _record_period(period: Period) -> dict[str, Any]:
    return {
        "from": period.start.isoformat(),
        "until": period.until.isoformat() if period.until else None,
        "rule": period.rule,
    }


def _record_via(record: CurrentRecord) -> dict[str, Any]:
    e = record.entry
    return {
        "trigger": "record",
        "record_entry": e.id,
        "item": e.item_code,
        # The subject key in front is the subject's own (or its keyed hash): not repeated.
        "record_key": e.record_key.split("|", 1)[-1],
        "decision_date": e.decision_date.isoformat() if e.decision_date else None,
        "severity": e.severity,
        "department": e.department_code,
        "department_name": e.department_name,
        "sector": e.sector,
    }


@functools.lru_cache(maxsize=256)
def _trigger_items(sanctions: SanctionsCatalogue, scenario: str, today: dt.date) -> list[str]:
    """Catalogue items named by a record trigger of a measure in force in ``scenario``."""
    items: set[str] = set()
    for latest in sanctions.measures():
        for m in sanctions.measure_versions(latest.code):
            if scenario in m.scenarios and m.in_force(today):
                items.update(t.item for t in m.triggers if t.item is not None)
    return sorted(items)


def _reaches(role: str) -> Callable[[Measure], bool]:
    """Whether a measure reaches whoever holds ``role`` ("subject": the subject itself)."""
    if role == "subject":
        return lambda m: "subject" in m.targets
    return lambda m: role in m.relation_roles()


def _record_measures(
    sanctions: SanctionsCatalogue,
    records: Iterable[CurrentRecord],
    scenario: str,
    today: dt.date,
    reaches: Callable[[Measure], bool],
) -> list[tuple[Measure, CurrentRecord, Period]]:
    """(measure, record, period) for every record trigger that applies today; ``reaches``
    says whether a measure reaches the person or organisation asked about."""
    out = []
    for record in sorted(records, key=lambda r: r.entry.id):
        e = record.entry
        for m in sanctions.measures_for_record(
            e.item_code, record.severity, scenario, today, e.sector
        ):
            if not reaches(m):
                continue
            period = record_period(m, record)
            if period is not None and period.runs_on(today, record):
                out.append((m, record, period))
    return out


def _answer(
    conn: Connection | None,
    sanctions: SanctionsCatalogue,
    *,
    key: str,
    kind: str,
    shown: str,
    scenario: str,
    today: dt.date,
    source: CheckReadModel | None = None,
) -> dict[str, Any]:
    """The check answer for a resolved subject (without receipt). An organisation is read
    from ``source`` (the server's read model) when given, else from the database."""
    model = source.current() if source is not None and kind != "person" else None
    relations = identity_repo.organisations_of_person(_needs(conn), key) if kind == "person" else []
    org_keys = list(dict.fromkeys(r["org_key"] for r in relations))
    items = _trigger_items(sanctions, scenario, today)
    if model is not None:
        statuses = model.status_rows([key])
        rows = model.trigger_entries([key], items)
    else:
        statuses = repo.status_rows(_needs(conn), [key, *org_keys])
        rows = repo.trigger_entries(_needs(conn), [key, *org_keys], items)
    records = current_records(rows)
    version = max([v for _, v in statuses.values()] + [r.id for r in rows], default=0)
    memberships: list[dict[str, Any]] = []
    measures: list[dict[str, Any]] = []
    seen: set[tuple[str, str, int]] = set()

    own, _ = statuses.get(key, ([], 0))
    for m in _active(own, today):
        lt = sanctions.list_type(m["list_type"])
        memberships.append(
            {
                **m,
                "name": lt.name,
                "legal_basis": _basis(lt),
            }
        )
        for measure in sanctions.measures_for(m["list_type"], scenario, today):
            if "subject" in measure.targets and (measure.code, "L", m["id"]) not in seen:
                seen.add((measure.code, "L", m["id"]))
                via = {
                    "trigger": "list",
                    "list_entry": m["entry"],
                    "list_type": m["list_type"],
                    "role": "subject",
                }
                measures.append(_measure_view(measure, _list_period(measure, m), via))
    own_records = [r for r in records if r.entry.subject_key == key]
    for measure, record, period in _record_measures(
        sanctions, own_records, scenario, today, _reaches("subject")
    ):
        if (measure.code, "R", record.entry.id) not in seen:
            seen.add((measure.code, "R", record.entry.id))
            via = {**_record_via(record), "role": "subject"}
            measures.append(_measure_view(measure, _record_period(period), via))

    for rel in relations:
        role = rel["role"]
        relation = {
            "role": role,
            "role_label": ROLE_LABELS.get(role, role),
            "organisation": rel["org_key"],
        }
        org_status, _ = statuses.get(rel["org_key"], ([], 0))
        for m in _active(org_status, today):
            for measure in sanctions.measures_for(m["list_type"], scenario, today):
                if role in measure.relation_roles() and (measure.code, "L", m["id"]) not in seen:
                    seen.add((measure.code, "L", m["id"]))
                    via = {
                        "trigger": "list",
                        "list_entry": m["entry"],
                        "list_type": m["list_type"],
                        **relation,
                    }
                    measures.append(_measure_view(measure, _list_period(measure, m), via))
        org_records = [r for r in records if r.entry.subject_key == rel["org_key"]]
        for measure, record, period in _record_measures(
            sanctions,
            org_records,
            scenario,
            today,
            _reaches(role),
        ):
            if (measure.code, "R", record.entry.id) not in seen:
                seen.add((measure.code, "R", record.entry.id))
                via = {**_record_via(record), **relation}
                measures.append(_measure_view(measure, _record_period(period), via))

    blocking = [x["measure"] for x in measures if sanctions.measure(x["measure"]).blocks_commitment]
    return {
        "subject": {"code": shown, "kind": kind},
        "scenario": {"code": scenario, "name": sanctions.scenarios[scenario].name},
        "as_of": today.isoformat(),
        # The newest ledger entry the answer reflects (entry ids, like every other version).
        "data_version": version or (model.head if model else repo.entry_head(_needs(conn))),
        "catalogue_version": sanctions.snapshot.version,
        "memberships": memberships,
        "bans": [m for m in memberships if m["kind"] == "ban"],
        "measures": measures,
        "commitment_allowed": not blocking,
        "commitment_blocked_by": blocking,
    }


RecordReceipt = Callable[[dict[str, Any]], None]


def _receipt(
    conn: Connection | None,
    answer: dict[str, Any],
    *,
    subject_key: str,
    scenario: str,
    now: dt.datetime,
    actor: str,
    department_code: str | None,
    record: RecordReceipt | None,
) -> Answer:
    """Number the answer and record it, so the business system can cite and follow it up:
    in this transaction, or through ``record`` (the server's batched writer)."""
    receipt = uuid.uuid4().hex
    answer = Answer(receipt=receipt, **answer)
    body = json.dumps(answer, ensure_ascii=False, sort_keys=True, default=str)
    answer.json = body
    row = {
        "receipt": receipt,
        "at": now.astimezone(dt.UTC),  # stored in UTC, as the ledger is
        "actor": actor,
        "department_code": department_code,
        "subject_key": subject_key,
        "scenario": scenario,
        "data_version": answer["data_version"],
        "measures": json.dumps(sorted({x["measure"] for x in answer.get("measures", [])})),
        "answer_hash": hashlib.sha256(body.encode()).hexdigest(),
    }
    if record is None:
        repo.insert_receipt(_needs(conn), row)
    else:
        record(row)
    return answer


def check(
    conn: Connection | None,
    sanctions: SanctionsCatalogue,
    vault: PiiVault,
    *,
    subject: str,
    scenario: str,
    today: dt.date,
    now: dt.datetime,
    actor: str,
    department_code: str | None = None,
    record: RecordReceipt | None = None,
    source: CheckReadModel | None = None,
) -> Answer:
    """The answer for a subject identified by its USCC or resident ID number."""
    _require_scenario(sanctions, scenario)
    key, kind, shown = resolve_subject(subject, vault)
    answer = _answer(
        conn,
        sanctions,
        key=key,
        kind=kind,
        shown=shown,
        scenario=scenario,
        today=today,
        source=source,
    )
    answer.update(identified_by="code", authoritative=True)
    return _receipt(
        conn,
        answer,
        subject_key=key,
        scenario=scenario,
        now=now,
        actor=actor,
        department_code=department_code,
        record=record,
    )


# -- by name ---------------------------------------------------------------------------------

_FIELD_LABELS = {"current_name": "现用名", "former_name": "曾用名或其他报送名称"}


def _name_receipt_key(query: str) -> str:
    """The receipt's subject key for a lookup that identified no subject: "N" + a digest of the
    normalised name, so every lookup of one name can be found (a name is not personal data:
    persons are never looked up by name)."""
    return "N" + hashlib.sha256(query.encode()).hexdigest()[:39]


def _refuse_codes(query: str) -> None:
    if len(query) == 18 and check_uscc(query).valid:
        raise InputError(
            "this is a USCC: check by code (subject)",
            "这是统一社会信用代码，请在 subject 中填写并按代码核查",
        )
    if check_resident_id(query).valid:
        raise InputError(
            "natural persons are never looked up by name or in the name field",
            "不按名称查找自然人；请在 subject 中填写身份证号码核查",
        )
    # A mistyped ID number is as personal as a valid one, and the answer would quote it.
    if sum(c.isdigit() for c in query) >= 15:
        raise InputError(
            "a name with 15 or more digits looks like an ID number",
            "名称中含有15位以上数字，疑似证件号码：name 只接受组织名称；"
            "统一社会信用代码或身份证号码请填写在 subject 中",
        )


def _candidates(
    conn: Connection, query: str, keys: Iterable[str]
) -> list[tuple[fuzzy.NameScore, str, str, str, dict[str, Any]]]:
    """(score, field, matched name, normalised name, subject row) for each organisation,
    scored on its best name, best first."""
    orgs = repo.organisations(conn, list(dict.fromkeys(keys)))
    names: dict[str, dict[str, tuple[str, str]]] = {
        k: {row["name_key"]: ("current_name", row["name"])} for k, row in orgs.items()
    }
    for skey, nkey, name in repo.reported_names(conn, list(orgs)):
        names[skey].setdefault(nkey, ("former_name", name))
    scored = []
    for skey, by_key in names.items():
        best = max(
            (
                (fuzzy.score_names(query, nkey), field_, name, nkey)
                for nkey, (field_, name) in by_key.items()
                if nkey
            ),
            key=lambda x: (x[0].score, x[1] == "current_name"),
            default=None,
        )
        if best is not None:
            scored.append((*best, orgs[skey]))
    scored.sort(key=lambda x: (-x[0].score, x[1] != "current_name", x[4]["key"]))
    return scored


def _candidate_view(
    rank: int,
    query: str,
    s: fuzzy.NameScore,
    field_: str,
    matched: str,
    nkey: str,
    row: dict[str, Any],
) -> dict[str, Any]:
    return {
        "rank": rank,
        "code": row["key"],
        "name": row["name"],
        "kind": row["kind"],
        "kind_label": SUBJECT_KIND_LABELS.get(row["kind"], row["kind"]),
        "status": row["status"],
        "score": s.score,
        "match": {
            "field": field_,
            "field_label": _FIELD_LABELS[field_],
            "matched_name": matched,
            "scorer": fuzzy.SCORER,
            "method": fuzzy.SCORER_ZH,
            "normalised_query": query,
            "normalised_name": nkey,
            "full_ratio": s.full_ratio,
            "core_ratio": s.core_ratio,
            "query_core": s.query_core,
            "name_core": s.name_core,
            "edit_distance": s.edit_distance,
            "differences": list(s.differences),
            "explanation": fuzzy.explain_zh(s, _FIELD_LABELS[field_], matched),
        },
    }


def check_by_name(
    conn: Connection,
    sanctions: SanctionsCatalogue,
    *,
    name: str,
    scenario: str,
    today: dt.date,
    now: dt.datetime,
    actor: str,
    department_code: str | None = None,
    limit: int = 5,
    record: RecordReceipt | None = None,
) -> Answer:
    """The check for an organisation known by name only. Never authoritative: a unique exact
    match gives the subject's answer flagged as identified by name; otherwise scored
    candidates without measures, to be checked again by code."""
    _require_scenario(sanctions, scenario)
    query = fuzzy.normalise(name)
    if len(query) < 2:
        raise InputError("name too short", "名称过短，至少需要2个字符")
    _refuse_codes(query)
    limit = max(1, min(limit, MAX_CANDIDATES))
    exact = repo.exact_name(conn, query)
    exact_scored = _candidates(conn, query, [k for k, _ in exact])
    base = {
        "query": {"name": name, "normalised": query},
        "identified_by": "name",
        "authoritative": False,
    }
    if len(exact_scored) == 1:
        s, field_, matched, nkey, row = exact_scored[0]
        answer = _answer(
            conn,
            sanctions,
            key=row["key"],
            kind=row["kind"],
            shown=row["key"],
            scenario=scenario,
            today=today,
        )
        answer["subject"]["name"] = row["name"]
        answer.update(
            base,
            match="exact",
            candidates=[_candidate_view(1, query, s, field_, matched, nkey, row)],
            message=(
                f"按名称精确匹配到唯一主体（{_FIELD_LABELS[field_]}“{matched}”）。名称不是法定"
                f"标识，实施措施前请以统一社会信用代码 {row['key']} 核查确认。"
            ),
        )
        return _receipt(
            conn,
            answer,
            subject_key=row["key"],
            scenario=scenario,
            now=now,
            actor=actor,
            department_code=department_code,
            record=record,
        )
    found = {k for k, _ in exact}
    neighbours = repo.neighbour_names(conn, fuzzy.probe_keys(query), fuzzy.NEIGHBOURS)
    found.update(k for k, _ in neighbours)
    near = [n for _, n in neighbours]
    if not fuzzy.settled(query, near):
        probes = fuzzy.skip_probes(query, fuzzy.divergence(query, near))
        found.update(k for k, _ in repo.skip_probe_names(conn, probes))
    scored = [c for c in _candidates(conn, query, found) if c[0].score >= fuzzy.MIN_SCORE]
    candidates = [_candidate_view(i, query, *c) for i, c in enumerate(scored[:limit], start=1)]
    if len(exact_scored) > 1:
        match = "ambiguous"
        message = (
            f"名称“{name}”对应{len(exact_scored)}个主体（现用名或曾用名相同），无法按名称确定"
            "主体。请以统一社会信用代码核查；本结果不列出适用措施。"
        )
    elif candidates:
        match = "fuzzy"
        message = (
            "未找到名称完全一致的主体，以下为名称相近的候选主体（按相似度排序）。模糊匹配不是"
            "核查结论，不列出适用措施：请确认主体后以统一社会信用代码重新核查。"
        )
    else:
        match = "none"
        message = (
            f"未找到名称与“{name}”相同或相近的主体。请核对名称，或以统一社会信用代码核查；"
            "未找到不代表该主体没有失信记录。"
        )
    answer = {
        **base,
        "scenario": {"code": scenario, "name": sanctions.scenarios[scenario].name},
        "as_of": today.isoformat(),
        "data_version": repo.entry_head(conn),
        "catalogue_version": sanctions.snapshot.version,
        "match": match,
        "candidates": candidates,
        "message": message,
    }
    return _receipt(
        conn,
        answer,
        subject_key=_name_receipt_key(query),
        scenario=scenario,
        now=now,
        actor=actor,
        department_code=department_code,
        record=record,
    )


def feedback(
    conn: Connection,
    *,
    receipt: str,
    measure: str,
    applied: bool,
    reason: str,
    actor: str,
    department_code: str | None,
    now: dt.datetime,
) -> None:
    listed = repo.receipt_measures(conn, receipt)
    if listed is None:
        raise NotFound(f"no receipt {receipt}", f"没有回执号为 {receipt} 的核查")
    if measure not in listed:
        raise InputError(
            f"measure {measure} was not in the answer", f"该次核查结果中没有措施 {measure}"
        )
    if not applied and not reason.strip():
        raise InputError("not applying a measure needs a reason", "未实施措施须说明理由")
    repo.insert_feedback(
        conn,
        {
            "receipt": receipt,
            "measure": measure,
            "applied": applied,
            "reason": reason,
            "actor": actor,
            "department_code": department_code,
            "at": now,
        },
    )
