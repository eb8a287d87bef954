"""The import use case: read → map → validate → dedupe → window → append, in one transaction.

A file is either refused whole (unreadable, wrong columns: nothing is written) or recorded as
one batch holding every accepted row and every rejected row with its reasons. Re-sending the
same rows adds nothing; a changed row with the same record key becomes a correction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from xinyong.access import service as access
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import ItemVersion
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.events import service as events
from xinyong.events.model import BATCH_IMPORTED, RECORD_REVOKED
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import Sighting
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import (
    RESIDENT_ID_TYPES,
    other_certificate_key,
    resolve_subject,
    shown_code,
)
from xinyong.identity.ric import mask_resident_id
from xinyong.identity.service import canonical_key, canonical_keys, record_sightings
from xinyong.ingest.export import export_rejections
from xinyong.ingest.readers import RawRow, RawTable, ReadLimits, read_table
from xinyong.ingest.rejections import RejectionSealer
from xinyong.ingest.validate import ColumnPlan, RowValidator, ValidRow, plan_columns
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ, Clock
from xinyong.kernel.errors import (
    FieldProblem,
    InputError,
    NotFound,
    PermissionDenied,
)
from xinyong.kernel.memory import collector_paused
from xinyong.kernel.parse import name_key
from xinyong.kernel.settings import Settings
from xinyong.ledger import service as ledger
from xinyong.ledger.hashing import canonical_json, content_hash
from xinyong.ledger.model import BatchDraft, NewEntry, entry_of
from xinyong.lists import projection as list_projection
from xinyong.objections import service as objections
from xinyong.objections.rules import reimport_refusal
from xinyong.publication.derived import REVOKED_REASON, Deriver, RecordFacts
from xinyong.search import service as search

log = logging.getLogger(__name__)

REGISTRATION_ITEM = "DJZC"
# How often (in rows validated) an import reports its progress to a ``progress`` callback.
PROGRESS_EVERY_ROWS = 1_000

# progress(phase, rows_done, rows_total): "validating" while rows are checked, "recording"
# once the batch is being written (no more calls until the import returns). Called outside
# the import's transaction, so the callback may write in a transaction of its own.
Progress = Callable[[str, int, int | None], None]


@dataclass
class ImportResult:
    batch_id: int | None
    item: str
    item_name: str
    department: str
    source_name: str
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    corrections: int
    late: int
    rejections: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    ignored_columns: list[str]
    catalogue_version: str
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, for operators
    # History loaded after the fact: rows past their deadline are counted here, not as late.
    backfill: bool = False
    past_deadline: int = 0
    rejection_file: bytes | None = field(default=None, repr=False)
    rejection_suffix: str | None = None
    rejection_media_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "item": self.item,
            "item_name": self.item_name,
            "department": self.department,
            "source_name": self.source_name,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "corrections": self.corrections,
            "late": self.late,
            "backfill": self.backfill,
            "past_deadline": self.past_deadline,
            "rejections": self.rejections,
            "warnings": self.warnings,
            "flags": self.flags,
            "ignored_columns": self.ignored_columns,
            "catalogue_version": self.catalogue_version,
            "timings": self.timings,
        }


@dataclass(frozen=True, slots=True)
class _Submission:
    """How a file came in: the channel, whether it is a backfill, who sent it."""

    channel: str
    backfill: bool
    actor: str | None


class _Stopwatch:
    """Seconds spent per import phase (reported with the result and in the benchmark)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 4)
        self._last = now


@dataclass
class Importer:
    """Everything an import needs, injected so tests can move the clock or swap the calendar."""

    engine: Engine
    catalogue: Catalogue
    calendar: WorkCalendar
    vault: PiiVault
    clock: Clock
    settings: Settings
    # Records of items that feed lists decided elsewhere (失信被执行人, YZSX, JYYC) update the
    # list memberships in the same transaction; None skips that (no sanctions catalogue).
    sanctions: SanctionsCatalogue | None = None
    # Run after a batch commits: the platform hands the batch's event to its consumers then.
    after_commit: Callable[[], object] | None = None

    def import_bytes(
        self,
        data: bytes,
        *,
        filename: str,
        department_code: str,
        item_code: str | None = None,
        channel: str = "cli",
        backfill: bool = False,
        actor: str | None = None,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Import one file. ``backfill`` loads history: each row keeps its publication
        deadline but none is counted late, and the batch says so. ``actor`` is who is
        recorded in the audit log (default: the department). ``progress`` hears how far the
        import got (an import job shows it to the department polling it)."""
        # An import builds millions of long-lived objects and no reference cycles; the cyclic
        # collector would rescan them again and again (measured: 20% of a 200k-row import).
        with collector_paused():
            return self._import(
                data,
                filename,
                department_code,
                item_code,
                _Submission(channel, backfill, actor),
                progress or _no_progress,
            )

    def _import(
        self,
        data: bytes,
        filename: str,
        department_code: str,
        item_code: str | None,
        submission: _Submission,
        progress: Progress,
    ) -> ImportResult:
        with self.engine.connect() as conn:
            dept = access.require_department(conn, department_code)
        clock = _Stopwatch()
        table = read_table(
            data,
            filename=filename,
            max_bytes=self.settings.max_import_bytes,
            max_rows=self.settings.max_import_rows,
            limits=ReadLimits.from_settings(self.settings),
        )
        clock.lap("read")
        total = len(table.rows)
        progress("validating", 0, total)
        plan = plan_columns(table, self.catalogue, item_code)
        received_at = self.clock.now()
        received_on = received_at.astimezone(CHINA_TZ).date()
        validator = RowValidator(
            plan,
            self.catalogue,
            self.vault,
            received_on,
            dept["sector"],
            max_echo_chars=self.settings.max_echo_chars,
        )
        valid: list[ValidRow] = []
        rejected: list[tuple[RawRow, list[FieldProblem]]] = []
        warnings: list[FieldProblem] = []
        for done, raw in enumerate(table.rows, 1):
            if done % PROGRESS_EVERY_ROWS == 0:
                progress("validating", done, total)
            outcome = validator.validate(raw)
            if isinstance(outcome, list):
                rejected.append((raw, outcome))
            else:
                valid.append(outcome)
                warnings.extend(outcome.warnings)
        with self.engine.connect() as conn:
            _file_under_first_keys(conn, valid)
        clock.lap("validate")
        progress("recording", total, total)
        return self._record(
            table, plan, dept, valid, rejected, warnings, data, received_at, submission, clock
        )

    def _record(
        self,
        table: RawTable,
        plan: ColumnPlan,
        dept: dict[str, Any],
        valid: list[ValidRow],
        rejected: list[tuple[RawRow, list[FieldProblem]]],
        warnings: list[FieldProblem],
        data: bytes,
        received_at: dt.datetime,
        submission: _Submission,
        clock: _Stopwatch,
    ) -> ImportResult:
        item = plan.item
        received_on = received_at.astimezone(CHINA_TZ).date()
        rows_by_number = {r.number: r for r in table.rows}
        # Same record key twice in one file: identical rows are duplicates, differing ones
        # are ambiguous (which one is right?) and the later is refused.
        in_file: dict[str, tuple[ValidRow, str]] = {}
        unique: list[tuple[ValidRow, str, str]] = []
        duplicates = 0
        for row in valid:
            payload = canonical_json(row.values)
            chash = content_hash(payload, row.digests)
            seen = in_file.get(row.record_key)
            if seen is not None:
                if seen[1] == chash:
                    duplicates += 1
                else:
                    rejected.append(
                        (
                            rows_by_number[row.number],
                            [
                                FieldProblem(
                                    row.number,
                                    "、".join(item.field(k).name for k in item.record_key)
                                    or "记录",
                                    row.record_key.split("|", 1)[-1],
                                    f"与本文件第{seen[0].number}行为同一记录但内容不同，请核对后只保留一行",
                                    "same record key as an earlier row of this file with different content",
                                )
                            ],
                        )
                    )
                continue
            in_file[row.record_key] = (row, chash)
            unique.append((row, payload, chash))
        rejected.sort(key=lambda r: r[0].number)
        clock.lap("dedupe_in_file")
        with self.engine.begin() as conn:
            ledger.lock_for_append(conn)
            latest = ledger.latest_by_record(
                conn, item.code, [r.record_key for r, _, _ in unique], dept["code"]
            )
            new_entries: list[NewEntry] = []
            sightings: list[Sighting] = []
            # The old registration number (工商注册号) the rows report, for the search index.
            old_field = item.subject.legacy_codes[0] if item.subject.legacy_codes else None
            old_codes: dict[str, str] = {}
            corrections = late = past_deadline = 0
            deriver = Deriver(self.catalogue, self.calendar)
            # Records an objection corrected or revoked: the department's row sent again as
            # it was found wrong must not undo the outcome (it is refused, the rest kept).
            settled = objections.settled_records(conn, item.code, sorted(latest), dept["code"])
            for row, payload, chash in unique:
                prior = latest.get(row.record_key)
                action, supersedes = "assert", None
                if prior is not None:
                    if prior[1] == chash and prior[2] != "revoke":
                        duplicates += 1
                        continue
                    refusal = reimport_refusal(settled.get(row.record_key), chash)
                    if refusal is not None:
                        rejected.append(
                            (
                                rows_by_number[row.number],
                                [
                                    FieldProblem(
                                        row.number,
                                        "、".join(item.field(k).name for k in item.record_key)
                                        or "记录",
                                        row.record_key.split("|", 1)[-1],
                                        refusal,
                                        "the record was corrected or revoked on an objection; "
                                        "this row repeats the content found wrong",
                                    )
                                ],
                            )
                        )
                        continue
                    action, supersedes = "correct", prior[0]
                    corrections += 1
                entry, past, warning = self._entry(
                    item,
                    row,
                    payload,
                    chash,
                    action,
                    supersedes,
                    dept,
                    received_on,
                    deriver,
                    submission.backfill,
                )
                if warning is not None:
                    warnings.append(warning)
                if submission.backfill:
                    past_deadline += past
                late += entry.late
                new_entries.append(entry)
                sightings.append(self._sighting(item, row))
                old_code = row.values.get(old_field) if old_field else None
                if old_code:
                    old_codes[row.subject_key] = old_code
            rejected.sort(key=lambda r: r[0].number)
            accepted = len(new_entries)
            batch_id: int | None = None
            flags: list[dict[str, Any]] = []
            file_sha = hashlib.sha256(data).hexdigest()
            # The same file sent again adds nothing: its rejections are on record already.
            resent = not new_entries and ledger.has_file(conn, dept["code"], item.code, file_sha)
            if (new_entries or rejected) and not resent:
                draft = BatchDraft(
                    department_code=dept["code"],
                    item_code=item.code,
                    channel=submission.channel,
                    source_name=table.source_name,
                    file_sha256=file_sha,
                    format=table.format,
                    received_at=received_at,
                    row_count=len(table.rows),
                    accepted=accepted,
                    rejected=len(rejected),
                    duplicates=duplicates,
                    corrections=corrections,
                    late=late,
                    catalogue_version=self.catalogue.snapshot.version,
                    backfill=submission.backfill,
                )
                clock.lap("classify_and_window")
                appended = ledger.append_batch(
                    conn,
                    draft,
                    new_entries,
                    headers={
                        "headers": json.dumps(list(table.headers), ensure_ascii=False),
                        "encoding": table.encoding,
                        "delimiter": table.delimiter,
                        "sheet": table.sheet,
                        "warnings": json.dumps([w.as_dict() for w in warnings], ensure_ascii=False),
                    },
                    # Personal values masked, the clear row sealed (ingest.rejections).
                    rejected=[
                        sealer.stored(raw, problems)
                        for sealer in [RejectionSealer(plan.columns, self.vault.seal, item.subject)]
                        for raw, problems in rejected
                    ],
                )
                batch_id = appended.id
                for s, entry_id in zip(sightings, appended.entry_ids, strict=True):
                    s.source_entry_id = entry_id
                clock.lap("ledger_append")
                found = record_sightings(
                    conn,
                    sightings,
                    department_code=dept["code"],
                    batch_id=batch_id,
                    now=received_at,
                    seal=self.vault.seal,
                )
                identity_repo.insert_flags(
                    conn,
                    [
                        {
                            "kind": f.kind,
                            "subject_key": f.subject_key,
                            "name": f.name,
                            "detail": f.detail,
                            "department_code": dept["code"],
                            "batch_id": batch_id,
                            "row_number": f.row_number,
                            "status": "open",
                            "created_at": received_at,
                        }
                        for f in found
                    ],
                )
                flags = [
                    {
                        "row": f.row_number,
                        "kind": f.kind,
                        "subject": f.subject_key,
                        "detail": f.detail,
                    }
                    for f in found
                ]
                clock.lap("identity")
                # Same transaction: the public search finds what the batch named at once.
                search.index_subjects(
                    conn,
                    [s.subject_key for s in sightings],
                    now=received_at,
                    old_codes=old_codes,
                )
                clock.lap("search")
                fed = self.sanctions is not None and item.code in self.sanctions.record_fed_items()
                if self.sanctions is not None and fed:
                    list_projection.apply_entries(
                        conn, self.sanctions, self.catalogue, appended.entry_ids
                    )
                    clock.lap("lists")
                if appended.entry_ids:
                    # Same transaction: the event exists iff its batch does; the alerts'
                    # search for the links it completed runs from the outbox after the commit.
                    events.emit(
                        conn,
                        BATCH_IMPORTED,
                        subject_key=None,
                        payload={
                            "batch": batch_id,
                            "item": item.code,
                            "department": dept["code"],
                            "first_entry": min(appended.entry_ids),
                            "last_entry": max(appended.entry_ids),
                            "entries": len(appended.entry_ids),
                            "received_on": received_on.isoformat(),
                            "fed_lists": fed,
                        },
                        now=received_at,
                    )
                access.audit(
                    conn,
                    submission.actor or f"department:{dept['code']}",
                    "import",
                    f"batch:{batch_id}",
                    received_at,
                    detail={
                        "department": dept["code"],
                        "item": item.code,
                        "accepted": accepted,
                        "rejected": len(rejected),
                        "backfill": submission.backfill,
                    },
                )
        clock.lap("commit")
        if batch_id is not None and self.after_commit is not None:
            self.after_commit()
            clock.lap("events")
        rejections = [p.as_dict() for _, problems in rejected for p in problems]
        for r in rejections:
            r.pop("severity", None)
        result = ImportResult(
            batch_id=batch_id,
            item=item.code,
            item_name=item.name,
            department=dept["code"],
            source_name=table.source_name,
            rows=len(table.rows),
            accepted=accepted,
            rejected=len(rejected),
            duplicates=duplicates,
            corrections=corrections,
            late=late,
            rejections=rejections,
            warnings=[w.as_dict() for w in warnings],
            flags=flags,
            ignored_columns=list(plan.ignored),
            catalogue_version=self.catalogue.snapshot.version,
            timings=clock.laps,
            backfill=submission.backfill,
            past_deadline=past_deadline,
        )
        if rejected:
            content, suffix, media = export_rejections(table, rejected)
            result.rejection_file, result.rejection_suffix, result.rejection_media_type = (
                content,
                suffix,
                media,
            )
        log.info(
            "import %s dept=%s item=%s rows=%d accepted=%d rejected=%d duplicates=%d late=%d"
            " backfill=%s",
            table.source_name,
            dept["code"],
            item.code,
            len(table.rows),
            accepted,
            len(rejected),
            duplicates,
            late,
            submission.backfill,
        )
        return result

    def _entry(
        self,
        item: ItemVersion,
        row: ValidRow,
        payload: str,
        chash: str,
        action: str,
        supersedes: int | None,
        dept: dict[str, Any],
        received_on: dt.date,
        deriver: Deriver,
        backfill: bool,
    ) -> tuple[NewEntry, bool, FieldProblem | None]:
        """The entry of one accepted row and whether it came after its publication deadline
        (counted late unless the batch is a backfill)."""
        derived = deriver.record(
            RecordFacts(
                item=item,
                subject_kind=row.subject_kind,
                decision_date=row.decision_date,
                values=row.values,
                sector=dept["sector"],
                received_on=received_on,
                backfill=backfill,
            )
        )
        warning: FieldProblem | None = None
        if derived.deadline_error is not None and row.decision_date is not None:
            exc = derived.deadline_error
            warning = FieldProblem(
                row.number,
                item.field(item.decision_date_field).name
                if item.decision_date_field
                else "决定日期",
                row.decision_date.isoformat(),
                f"无法计算公示时限：{exc.message_zh}",
                f"publication deadline not computed: {exc.message_en}",
                severity="warning",
            )
        sealed = self.vault.seal(canonical_json(row.personal)) if row.personal else None
        entry = entry_of(
            subject_key=row.subject_key,
            subject_kind=row.subject_kind,
            item_code=item.code,
            item_version=item.version,
            record_key=row.record_key,
            action=action,
            supersedes_id=supersedes,
            decision_date=row.decision_date,
            disclosure=item.disclosure.value,
            payload=payload,
            content_hash=chash,
            window=derived,
            sealed=sealed,
            source_row=row.number,
        )
        return entry, derived.past_deadline, warning

    def _sighting(self, item: ItemVersion, row: ValidRow) -> Sighting:
        authoritative = item.code == REGISTRATION_ITEM
        person = row.subject_kind == "person"
        m = item.subject
        s = Sighting(
            subject_key=row.subject_key,
            kind=row.subject_kind,
            name=row.subject_name,
            name_key=name_key(row.subject_name) if not person else "",
            row_number=row.number,
            division_code=row.division_code,
            authoritative=authoritative,
            related=row.related,
        )
        if person and m.person_id:
            s.id_number = row.subject_id_number
            s.id_masked = row.values[m.person_id]
        if authoritative:
            s.registered_on = row.decision_date
            s.status = row.values.get("DJ_DJZT")
            s.industry = row.values.get("DJ_HYML") or None
            s.size = row.values.get("DJ_QYGM") or None
        return s


def _no_progress(_phase: str, _done: int, _total: int | None) -> None:
    return None


def _file_under_first_keys(conn: Connection, rows: list[ValidRow]) -> None:
    """Persons keyed under the current key whom a key rotation aliased are filed under the
    subject key they were first given (identity.service.rekey_persons): the same person
    stays one subject across rotations."""
    keys = {r.subject_key for r in rows if r.subject_kind == "person"}
    keys.update(rel.key for r in rows for rel in r.related if rel.key)
    aliases = canonical_keys(conn, list(keys))
    if not aliases:
        return
    for row in rows:
        if row.subject_key in aliases:
            old = row.subject_key
            row.subject_key = aliases[old]
            row.record_key = row.subject_key + row.record_key[len(old) :]
        row.digests = {f: aliases.get(d, d) for f, d in row.digests.items()}
        row.related = [
            dataclasses.replace(rel, key=aliases[rel.key]) if rel.key in aliases else rel
            for rel in row.related
        ]


def _certificate_type(item: ItemVersion, catalogue: Catalogue, id_type: str | None) -> str:
    """The 证件类型 code a department gave (a code or label), "01" (resident ID) by default."""
    if not id_type:
        return "01"
    type_field = item.subject.person_id_type
    table = item.field(type_field).code_table if type_field else None
    if table is None:
        raise InputError(f"{item.code} has no certificate type", f"{item.name}不区分证件类型")
    value = catalogue.lookup_code(table, id_type.strip())
    if value is None:
        allowed = "、".join(f"{c.code} {c.label}" for c in catalogue.code_table(table).values)
        raise InputError(
            "unknown certificate type", f"证件类型“{id_type}”不在代码表中（可用：{allowed}）"
        )
    return value.code


def _subject_of(vault: PiiVault, subject: str, id_type: str) -> tuple[str, str]:
    """(subject key, shown identifier) of the subject a department names, keyed as the
    import keys its records."""
    if id_type not in RESIDENT_ID_TYPES:
        key, normalised = other_certificate_key(vault, id_type, subject)
        if not normalised:
            raise InputError("empty certificate number", "证件号码为空")
        return key, mask_resident_id(normalised)
    key, _, shown = resolve_subject(subject, vault, allow_subject_key=True)
    return key, shown


def revoke_record(
    conn: Connection,
    catalogue: Catalogue,
    vault: PiiVault,
    *,
    now: dt.datetime,
    department_code: str,
    item_code: str,
    subject: str,
    record: str,
    reason: str,
    actor: str,
    channel: str = "cli",
    sanctions: SanctionsCatalogue | None = None,
    id_type: str | None = None,
) -> int:
    """Revoke a record whose underlying decision was revoked or wrongly reported.

    ``subject`` is the USCC, a natural person's resident ID number (looked up by its keyed
    hash, as the import stored it; never repeated in a message) or the person's subject key;
    with ``id_type`` (a 证件类型 such as 02 or 护照) it is that certificate's number.
    Appends a ``revoke`` entry (nothing is deleted); the record leaves the public file at
    once, a list membership it fed ends, and its history stays readable. Only the department
    that submitted the record may revoke it. Returns the new entry id.
    """
    reason = reason.strip()
    if not reason:
        raise InputError("a revocation needs a reason", "撤销须说明理由")
    item = catalogue.item(item_code)
    certificate = _certificate_type(item, catalogue, id_type)
    try:
        subject_key, shown = _subject_of(vault, subject, certificate)
    except InputError as exc:
        raise InputError(
            f"subject {shown_code(subject)}: {exc.message_en}",
            f"主体代码“{shown_code(subject)}”无效：{exc.message_zh}",
        ) from None
    subject_key = canonical_key(conn, subject_key)  # filed under its first key (rotation)
    record = record.strip()  # as the import keys it: the cell, stripped
    record_key = f"{subject_key}|{record}"
    dept = access.require_department(conn, department_code)
    latest = ledger.latest_by_record(conn, item.code, [record_key], dept["code"]).get(record_key)
    if latest is None and ledger.latest_by_record(conn, item.code, [record_key]):
        raise PermissionDenied(
            "only the submitting department may revoke a record",
            "该记录由其他部门报送，只能由报送部门撤销",
        )
    if latest is None:
        raise NotFound(
            f"no {item.code} record {record} of subject {shown}",
            f"未找到{item.name}记录：主体 {shown}，{record}",
        )
    current = ledger.entry(conn, latest[0])
    if latest[2] == "revoke":
        raise InputError("record already revoked", "该记录已撤销")
    entry_id = ledger.supersede(
        conn,
        current,
        action="revoke",
        payload={"撤销理由": reason},
        channel=channel,
        source_name=f"撤销 {record}",
        now=now,
        catalogue_version=catalogue.snapshot.version,
        window_reason=REVOKED_REASON,
    )
    fed = sanctions is not None and item.code in sanctions.record_fed_items()
    if sanctions is not None and fed:
        # The deciding authority withdrew the entry: the membership ends with it.
        list_projection.apply_entries(conn, sanctions, catalogue, [entry_id])
    events.emit(
        conn,
        RECORD_REVOKED,
        subject_key=current.subject_key,
        payload={
            "entry": entry_id,
            "supersedes": current.id,
            "item": item.code,
            "record_key": record_key,
            "fed_list": fed,
        },
        now=now,
    )
    access.audit(
        conn,
        actor,
        "revoke",
        f"entry:{current.id}",
        now,
        detail={
            "department": dept["code"],
            "item": item.code,
            "subject": shown,
            "record": record,
            "reason": reason,
        },
    )
    return entry_id
