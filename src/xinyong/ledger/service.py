"""Use cases of the ledger: append a batch, read a subject's records as of a time, verify.

Services never commit: the caller owns the transaction, so an import's batch row, entries,
rejections and identity updates land together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from xinyong.kernel.errors import Conflict, NotFound
from xinyong.ledger import repository as repo
from xinyong.ledger.anchors import (
    Anchor,
    AnchorProblem,
    AnchorReport,
    anchor_time,
    fingerprint,
    sign,
    signature_valid,
    utc_text,
)
from xinyong.ledger.hashing import (
    GENESIS,
    chain_hash,
    entry_hash,
    merkle_root,
)
from xinyong.ledger.model import (
    ENTRY_FIELDS,
    AppendedBatch,
    BatchDraft,
    EntryWindow,
    FixedWindow,
    NewEntry,
    RecordVersion,
    StoredEntry,
    VerifyProblem,
    entry_of,
)


def append_batch(
    conn: Connection,
    draft: BatchDraft,
    new_entries: Sequence[NewEntry],
    *,
    headers: dict[str, object] | None = None,
    rejected: Sequence[dict[str, object]] = (),
) -> AppendedBatch:
    """Append one batch and its entries, chained to the previous batch."""
    last_id, prev = repo.lock_head(conn)
    batch_id = last_id + 1
    received = draft.received_at.astimezone(dt.UTC)
    rows: list[dict[str, object]] = []
    hashes: list[str] = []
    for seq, e in enumerate(new_entries, start=1):
        # dataclasses.asdict deep-copies every value; a flat read is ten times faster.
        row = {name: getattr(e, name) for name in ENTRY_FIELDS}
        row["batch_id"] = batch_id
        row["seq"] = seq
        row["department_code"] = draft.department_code
        row["received_at"] = received
        h = entry_hash(row)
        row["entry_hash"] = h
        hashes.append(h)
        rows.append(row)
    batch = asdict(draft)
    batch.update(
        id=batch_id,
        received_at=received,
        entry_count=len(rows),
        merkle_root=merkle_root(hashes),
        prev_hash=prev,
    )
    batch["chain_hash"] = chain_hash(prev, batch)
    repo.insert_batch(conn, batch)
    repo.insert_entries(conn, rows)
    if headers is not None:
        repo.insert_batch_headers(conn, {"batch_id": batch_id, **headers})
    repo.insert_rejected(conn, [{"batch_id": batch_id, **r} for r in rejected])
    repo.set_head(conn, batch_id, str(batch["chain_hash"]))
    ids = tuple(repo.entry_ids_of_batch(conn, batch_id)) if rows else ()
    return AppendedBatch(batch_id, str(batch["merkle_root"]), str(batch["chain_hash"]), ids)


def append_single(
    conn: Connection,
    entry: NewEntry,
    *,
    department_code: str,
    channel: str,
    source_name: str,
    now: dt.datetime,
    catalogue_version: str,
    format: str | None = None,
    backfill: bool = False,
) -> int:
    """Append a batch of the one ``entry`` the platform wrote itself (a case step, a list
    decision, a restated record) rather than imported from a file; returns the entry id.
    ``format`` defaults to the channel (the batches column holds 8 characters)."""
    draft = BatchDraft(
        department_code=department_code,
        item_code=entry.item_code,
        channel=channel,
        source_name=source_name,
        file_sha256=entry.content_hash,
        format=format if format is not None else channel[:8],
        received_at=now,
        row_count=1,
        accepted=1,
        rejected=0,
        duplicates=0,
        corrections=0,
        late=0,
        catalogue_version=catalogue_version,
        backfill=backfill,
    )
    return append_batch(conn, draft, [entry]).entry_ids[0]


def append_one(
    conn: Connection,
    *,
    subject_key: str,
    subject_kind: str,
    item_code: str,
    item_version: str,
    record_key: str,
    action: str,
    supersedes_id: int | None,
    decision_date: dt.date | None,
    severity: str | None,
    payload: dict[str, object],
    department_code: str,
    channel: str,
    source_name: str,
    now: dt.datetime,
    catalogue_version: str,
    public: bool = False,
    public_until: dt.date | None = None,
    policy_code: str | None = None,
    window_reason: str = "不向社会公开",
) -> int:
    """Append a batch of one entry written by the platform itself with a fixed window (a
    revocation, a case step, a list decision); returns the entry id."""
    window = FixedWindow(
        severity=severity,
        public=public,
        public_from=decision_date if public else None,
        public_until=public_until if public else None,
        policy_code=policy_code,
        window_reason=window_reason,
    )
    entry = entry_of(
        subject_key=subject_key,
        subject_kind=subject_kind,
        item_code=item_code,
        item_version=item_version,
        record_key=record_key,
        action=action,
        supersedes_id=supersedes_id,
        decision_date=decision_date,
        disclosure="社会公开" if public else "政务共享",
        payload=payload,
        window=window,
    )
    return append_single(
        conn,
        entry,
        department_code=department_code,
        channel=channel,
        source_name=source_name,
        now=now,
        catalogue_version=catalogue_version,
    )


def restate(
    conn: Connection,
    current: StoredEntry,
    *,
    action: str,
    payload: Mapping[str, object],
    window: EntryWindow,
    disclosure: str,
    channel: str,
    source_name: str,
    now: dt.datetime,
    catalogue_version: str,
    backfill: bool = False,
) -> int:
    """Append ``action`` (a correction, a revocation, a repair) over the record's ``current``
    entry, its subject, item, key and decision date kept, with ``payload`` and the derived
    columns of ``window``, as a batch of one; returns the entry id."""
    entry = entry_of(
        subject_key=current.subject_key,
        subject_kind=current.subject_kind,
        item_code=current.item_code,
        item_version=current.item_version,
        record_key=current.record_key,
        action=action,
        supersedes_id=current.id,
        decision_date=current.decision_date,
        disclosure=disclosure,
        payload=payload,
        window=window,
    )
    return append_single(
        conn,
        entry,
        department_code=current.department_code,
        channel=channel,
        source_name=source_name,
        now=now,
        catalogue_version=catalogue_version,
        backfill=backfill,
    )


def supersede(
    conn: Connection,
    current: StoredEntry,
    *,
    action: str,
    payload: dict[str, object],
    channel: str,
    source_name: str,
    now: dt.datetime,
    catalogue_version: str,
    window_reason: str,
    public: bool = False,
    public_until: dt.date | None = None,
) -> int:
    """``restate`` with a fixed window (as ``append_one`` writes it): the record's class and
    policy kept, public from its decision date only when ``public``."""
    window = FixedWindow(
        severity=current.severity,
        public=public,
        public_from=current.decision_date if public else None,
        public_until=public_until if public else None,
        policy_code=current.policy_code,
        window_reason=window_reason,
    )
    return restate(
        conn,
        current,
        action=action,
        payload=payload,
        window=window,
        disclosure="社会公开" if public else "政务共享",
        channel=channel,
        source_name=source_name,
        now=now,
        catalogue_version=catalogue_version,
    )


def lock_for_append(conn: Connection) -> None:
    """Take the ledger's append lock now, for a transaction that reads what is there before it
    appends (an import deciding new, duplicate or correction): two imports of the same rows
    at once would otherwise both find them new and both append them."""
    repo.lock_head(conn)


def latest_by_record(
    conn: Connection,
    item_code: str,
    record_keys: Sequence[str],
    department_code: str | None = None,
) -> dict[str, tuple[int, str, str]]:
    """Latest entry per record key: {record_key: (entry id, content hash, action)}.

    A record belongs to the department that submitted it: with ``department_code`` only that
    department's entries are seen, so another department's row with the same decision number
    is its own record, never a correction of this one."""
    return repo.latest_by_record(conn, item_code, record_keys, department_code)


def has_file(conn: Connection, department_code: str, item_code: str, file_sha256: str) -> bool:
    """Whether this department already sent this exact file for this item."""
    return repo.batch_with_file(conn, department_code, item_code, file_sha256) is not None


def batch_of_file(
    conn: Connection, department_code: str, item_code: str, file_sha256: str
) -> int | None:
    """The batch that recorded this exact file of this department for this item, if any."""
    return repo.batch_with_file(conn, department_code, item_code, file_sha256)


def entry(conn: Connection, entry_id: int) -> StoredEntry:
    found = repo.entries_by_ids(conn, [entry_id])
    if not found:
        raise NotFound(f"no entry {entry_id}", f"记录 {entry_id} 不存在")
    return found[0]


def record_versions(
    conn: Connection, subject_key: str, known_by: dt.datetime | None = None
) -> list[RecordVersion]:
    """The subject's records as the ledger knew them at ``known_by`` (None = now)."""
    stored = repo.entries_for_subject(conn, subject_key, known_by)
    # A record is (item, submitting department, record key): see latest_by_record.
    by_record: dict[tuple[str, str, str], list[StoredEntry]] = {}
    for e in stored:
        by_record.setdefault((e.item_code, e.department_code, e.record_key), []).append(e)
    out: list[RecordVersion] = []
    for history in by_record.values():
        assertions = [e for e in history if e.action != "revoke"]
        if not assertions:
            continue
        last = history[-1]
        revoked = last.action == "revoke"
        out.append(
            RecordVersion(
                current=assertions[-1],
                history=tuple(history),
                revoked=revoked,
                revocation=last if revoked else None,
            )
        )
    out.sort(key=lambda v: (v.current.decision_date or dt.date.min, v.current.id), reverse=True)
    return out


def verify(conn: Connection) -> tuple[int, int, list[VerifyProblem]]:
    """Recompute every entry hash, batch Merkle root and chain link.

    Returns (batches checked, entries checked, problems). An altered entry is named by id;
    a removed entry by its batch and position; a removed or altered batch by its id.
    """
    problems: list[VerifyProblem] = []
    prev = GENESIS
    expected_id = 1
    n_batches = n_entries = 0
    # Entry ids are not under the entry hash (the hash is of the facts, and a batch's ids are
    # assigned at insert); they are assigned in append order under the head lock, so they rise
    # with (batch, seq). Two ids swapped, or an entry renumbered, breaks that order.
    last_entry_id = 0
    for batch in repo.iter_batches(conn):
        n_batches += 1
        bid = int(batch["id"])
        if bid != expected_id:
            problems.append(
                VerifyProblem(expected_id, None, None, f"batch {expected_id} is missing")
            )
        expected_id = bid + 1
        if batch["prev_hash"] != prev:
            problems.append(
                VerifyProblem(bid, None, None, f"batch {bid} does not link to the previous batch")
            )
        leaves: list[str] = []
        seq_expected = 1
        for row in repo.iter_entry_rows(conn, bid):
            n_entries += 1
            while row["seq"] > seq_expected:
                problems.append(
                    VerifyProblem(
                        bid, None, seq_expected, f"entry {bid}/{seq_expected} was removed"
                    )
                )
                seq_expected += 1
            seq_expected = row["seq"] + 1
            if int(row["id"]) <= last_entry_id:
                problems.append(
                    VerifyProblem(
                        bid,
                        int(row["id"]),
                        int(row["seq"]),
                        f"entry {bid}/{row['seq']} has id {row['id']}, out of append order "
                        f"(after id {last_entry_id}): ids were swapped or renumbered",
                    )
                )
            last_entry_id = max(last_entry_id, int(row["id"]))
            recomputed = entry_hash(row)
            if recomputed != row["entry_hash"]:
                problems.append(
                    VerifyProblem(
                        bid, int(row["id"]), int(row["seq"]), f"entry {row['id']} was altered"
                    )
                )
            leaves.append(row["entry_hash"])
        while seq_expected <= int(batch["entry_count"]):
            problems.append(
                VerifyProblem(bid, None, seq_expected, f"entry {bid}/{seq_expected} was removed")
            )
            seq_expected += 1
        if merkle_root(leaves) != batch["merkle_root"]:
            problems.append(
                VerifyProblem(
                    bid, None, None, f"batch {bid}: entries do not match the batch's Merkle root"
                )
            )
        recomputed_chain = chain_hash(str(batch["prev_hash"]), batch)
        if recomputed_chain != batch["chain_hash"]:
            problems.append(VerifyProblem(bid, None, None, f"batch {bid} record was altered"))
        prev = str(batch["chain_hash"])
    last_id, head_hash = repo.head(conn)
    if last_id != expected_id - 1 or (n_batches and head_hash != prev):
        problems.append(
            VerifyProblem(
                last_id,
                None,
                None,
                f"ledger head names batch {last_id}, but the chain ends at batch {expected_id - 1}",
            )
        )
    return n_batches, n_entries, problems


def iter_for_derivation(conn: Connection, batch_size: int = 5000) -> Iterator[Mapping[str, object]]:
    """Every entry with what its derived columns are recomputed from, in id order, streamed
    (see repository.iter_for_derivation)."""
    return repo.iter_for_derivation(conn, batch_size)


def iter_relation_sources(
    conn: Connection, item_codes: Sequence[str]
) -> Iterator[Mapping[str, object]]:
    """The entries about organisations of ``item_codes`` by subject then id, streamed (see
    repository.iter_relation_sources)."""
    return repo.iter_relation_sources(conn, item_codes)


def due_candidates(
    conn: Connection, since: dt.date, items: Sequence[str], uncomputed_from: dt.date
) -> list[dict[str, object]]:
    """Entries whose publication deadline may change with the calendar from ``since`` on."""
    return repo.due_candidates(conn, since, items, uncomputed_from)


def set_due(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Store recomputed publication deadlines (derived columns: the entry hash is unchanged)."""
    repo.set_due(conn, rows)


# -- anchors: the signed head, published ------------------------------------------------------


def _anchor_of(row: Mapping[str, object]) -> Anchor:
    return Anchor(
        id=int(row["id"]),  # type: ignore[call-overload]
        anchored_at=row["anchored_at"],  # type: ignore[arg-type]
        batch_id=int(row["batch_id"]),  # type: ignore[call-overload]
        head_hash=str(row["head_hash"]),
        entry_count=int(row["entry_count"]),  # type: ignore[call-overload]
        signature=str(row["signature"]),
        key_fingerprint=str(row["key_fingerprint"]),
        audit_row_id=None if row.get("audit_row_id") is None else int(row["audit_row_id"]),  # type: ignore[call-overload]
        audit_hash=None if row.get("audit_hash") is None else str(row["audit_hash"]),
    )


# The audit log's head as the caller reads it (access.service.audit_head): (row id, hash).
# Passed in because the ledger does not import the access context (one layer), and called
# after the ledger head's lock: imports take that lock before the audit lock, so must we.
AuditHeadReader = Callable[[Connection], tuple[int, str]]
# Signed audit heads (row id -> hash) to their problems (kind, Chinese, English).
AuditHeadChecker = Callable[[Connection, dict[int, str]], dict[int, tuple[str, str, str]]]


def _chain_break(
    conn: Connection, after: int, after_hash: str, upto: int, upto_hash: str
) -> str | None:
    """Recompute the batches ``after < id <= upto`` from ``after_hash``: links, Merkle roots
    over the stored entry hashes, entry counts and chain hashes, ending at ``upto_hash``.
    The first break (English), or None."""
    prev, expected = after_hash, after + 1
    for batch in repo.iter_batches_after(conn, after, upto):
        bid = int(batch["id"])
        if bid != expected:
            return f"batch {expected} is missing"
        if not _recomputes(conn, batch, prev, entries=True):
            return f"batch {bid} does not recompute"
        prev, expected = str(batch["chain_hash"]), bid + 1
    if expected != upto + 1:
        return f"batch {expected} is missing"
    if prev != upto_hash:
        return f"the ledger head's hash is not batch {upto}'s"
    return None


def _recomputes(
    conn: Connection, batch: Mapping[str, object], prev: str, *, entries: bool = False
) -> bool:
    """Whether a batch links to ``prev`` and its Merkle root, entry count and chain hash
    recompute; with ``entries`` each entry's hash is recomputed from its facts too (before
    signing; `verify` does that for the whole ledger, the anchor walk does not repeat it)."""
    bid = int(batch["id"])  # type: ignore[call-overload]
    if entries:
        leaves = []
        for row in repo.iter_entry_rows(conn, bid):
            if entry_hash(row) != row["entry_hash"]:
                return False
            leaves.append(str(row["entry_hash"]))
    else:
        leaves = repo.entry_hashes_of_batch(conn, bid)
    return (
        batch["prev_hash"] == prev
        and len(leaves) == batch["entry_count"]
        and merkle_root(leaves) == batch["merkle_root"]
        and chain_hash(prev, batch) == batch["chain_hash"]
    )


def anchor_head(
    conn: Connection,
    key: Ed25519PrivateKey,
    now: dt.datetime,
    *,
    audit_head: AuditHeadReader,
    record: Callable[[Connection, int], None] | None = None,
) -> tuple[Anchor, bool]:
    """Sign the current head of the ledger and of the audit log and store it: (the anchor,
    whether it is new). When neither head has moved since the last anchor, that anchor is
    returned and nothing is written.

    Holds the head lock (appends wait; two anchor runs at once give one anchor), then reads
    the audit head with ``audit_head`` (which takes the audit append lock). Before signing,
    the batches since the last anchor are recomputed from its hash: a head whose chain does
    not recompute from the last signed head is refused, never signed.

    ``record(conn, batch_id)``, once the anchor is to be signed, writes the signing's own
    audit row before the audit head is read again: the anchor covers its own record, so a
    second run with nothing new in between signs nothing."""
    head_id, head_hash = repo.lock_head(conn)
    audit_row_id, audit_hash = audit_head(conn)
    last = repo.last_anchor(conn)
    if (
        last is not None
        and int(last["batch_id"]) == head_id
        and last["head_hash"] == head_hash
        and last["audit_row_id"] == audit_row_id
        and last["audit_hash"] == audit_hash
    ):
        return _anchor_of(last), False
    start_id, start_hash = 0, GENESIS
    if last is not None:
        start_id, start_hash = int(last["batch_id"]), str(last["head_hash"])
    if start_id > head_id:
        broken: str | None = f"the head (batch {head_id}) is behind the last anchor"
    else:
        broken = _chain_break(conn, start_id, start_hash, head_id, head_hash)
    if broken is not None:
        raise Conflict(
            f"not signed: {broken} (last anchor at batch {start_id}); run xinyong audit verify",
            f"拒绝签署：账本自上次签署的批次 {start_id} 起无法重算（{broken}），"
            "请先运行 xinyong audit verify",
        )
    if record is not None:
        record(conn, head_id)
        audit_row_id, audit_hash = audit_head(conn)
    anchored_at = anchor_time(now)
    count = repo.entries_up_to(conn, head_id)
    signature, fp = sign(
        key,
        batch_id=head_id,
        head_hash=head_hash,
        entry_count=count,
        anchored_at=anchored_at,
        audit_row_id=audit_row_id,
        audit_hash=audit_hash,
    )
    values = {
        "anchored_at": anchored_at,
        "batch_id": head_id,
        "head_hash": head_hash,
        "entry_count": count,
        "signature": signature,
        "key_fingerprint": fp,
        "audit_row_id": audit_row_id,
        "audit_hash": audit_hash,
    }
    anchor_id = repo.insert_anchor(conn, values)
    return _anchor_of({"id": anchor_id, **values}), True


def anchors_page(conn: Connection, limit: int, offset: int) -> tuple[int, list[Anchor]]:
    """(total, anchors newest first)."""
    return repo.count_anchors(conn), [_anchor_of(r) for r in repo.anchors_page(conn, limit, offset)]


def all_anchors(conn: Connection) -> list[Anchor]:
    """Every anchor, oldest first (the anchors file)."""
    return [_anchor_of(r) for r in repo.iter_anchors(conn)]


def verify_anchors(
    conn: Connection,
    kept: Sequence[Anchor],
    keys: Sequence[Ed25519PublicKey],
    *,
    audit_chain: AuditHeadChecker,
) -> AnchorReport:
    """Check the ledger, the audit log and the anchors table against anchors an outsider kept.

    Every kept and stored anchor's signature is checked with the key its fingerprint names
    (among ``keys``); every kept anchor must still be in the table; for every anchor with a
    valid signature the ledger must still hold its batch, the chain from the first batch up
    to it must recompute, and the stored chain hash there must be the signed one; for a v2
    anchor ``audit_chain`` (access.service.audit_chain_at) checks the audit log's head the
    same way."""
    by_fp = {fingerprint(k): k for k in keys}
    problems: list[AnchorProblem] = []
    stored = all_anchors(conn)
    trusted: list[Anchor] = []
    for source_zh, source_en, group in (("文件", "file", kept), ("锚点表", "table", stored)):
        for a in group:
            key = by_fp.get(a.key_fingerprint)
            if key is None:
                problems.append(
                    AnchorProblem(
                        "unknown_key",
                        a.id,
                        a.batch_id,
                        f"{source_zh}中的锚点 #{a.id}（批次 {a.batch_id}）由未知密钥签署"
                        f"（指纹 {a.key_fingerprint[:16]}…）",
                        f"{source_en} anchor #{a.id} (batch {a.batch_id}) is signed by an "
                        f"unknown key {a.key_fingerprint[:16]}",
                    )
                )
            elif not signature_valid(a, key):
                problems.append(
                    AnchorProblem(
                        "bad_signature",
                        a.id,
                        a.batch_id,
                        f"{source_zh}中的锚点 #{a.id}（批次 {a.batch_id}）签名无效",
                        f"{source_en} anchor #{a.id} (batch {a.batch_id}): bad signature",
                    )
                )
            elif not any(a.same_as(t) for t in trusted):
                trusted.append(a)
    for a in kept:
        if not any(a.same_as(s) for s in stored):
            problems.append(
                AnchorProblem(
                    "anchor_missing",
                    a.id,
                    a.batch_id,
                    f"锚点 #{a.id}（批次 {a.batch_id}，{utc_text(a.anchored_at)}）在文件中有、"
                    "锚点表中已没有：锚点被删除或改动",
                    f"anchor #{a.id} (batch {a.batch_id}, {utc_text(a.anchored_at)}) is in the "
                    "file but not in the anchors table: deleted or altered",
                )
            )
    upto = max((a.batch_id for a in trusted), default=0)
    walked = _walk_to(conn, upto, {a.batch_id for a in trusted})
    head_id, _ = repo.head(conn)
    for a in sorted(trusted, key=lambda t: (t.batch_id, t.id)):
        problem = _against(a, head_id, walked)
        if problem is not None:
            problems.append(problem)
    signed = {a.audit_row_id: str(a.audit_hash) for a in trusted if a.audit_row_id is not None}
    audit_problems = audit_chain(conn, signed) if signed else {}
    for a in sorted(trusted, key=lambda t: t.id):
        if a.audit_row_id is not None and a.audit_row_id in audit_problems:
            kind, zh, en = audit_problems[a.audit_row_id]
            problems.append(
                AnchorProblem(
                    kind,
                    a.id,
                    a.batch_id,
                    f"锚点 #{a.id}（{utc_text(a.anchored_at)}）：{zh}",
                    f"anchor #{a.id} ({utc_text(a.anchored_at)}): {en}",
                )
            )
    return AnchorReport(len(kept), len(stored), walked.reached, tuple(problems))


@dataclass(slots=True)
class _Walk:
    reached: int = 0  # last batch id the chain recomputed to without a break
    broken_at: int | None = None  # first batch id that is missing or does not recompute
    missing: bool = False  # the break is a missing batch (deleted)
    at: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> (hash, entries up to)


def _walk_to(conn: Connection, upto: int, wanted: set[int]) -> _Walk:
    walk = _Walk(at={0: (GENESIS, 0)})  # an anchor of the empty ledger signs the genesis
    prev, expected, entries_seen = GENESIS, 1, 0
    for batch in repo.iter_batches_after(conn, 0, upto):
        bid = int(batch["id"])
        if bid != expected:
            walk.broken_at, walk.missing = expected, True
            break
        if not _recomputes(conn, batch, prev):
            walk.broken_at = bid
            break
        entries_seen += int(batch["entry_count"])
        if bid in wanted:
            walk.at[bid] = (str(batch["chain_hash"]), entries_seen)
        walk.reached, prev, expected = bid, str(batch["chain_hash"]), bid + 1
    if walk.broken_at is None and expected <= upto:
        walk.broken_at, walk.missing = expected, True
    return walk


def _against(a: Anchor, head_id: int, walk: _Walk) -> AnchorProblem | None:
    def problem(kind: str, zh: str, en: str) -> AnchorProblem:
        return AnchorProblem(kind, a.id, a.batch_id, zh, en)

    name_zh = f"锚点 #{a.id}（{utc_text(a.anchored_at)} 签署批次 {a.batch_id}）"
    name_en = f"anchor #{a.id} (batch {a.batch_id}, signed {utc_text(a.anchored_at)})"
    if head_id < a.batch_id:
        return problem(
            "truncated",
            f"账本被截断：{name_zh}，但账本头只到批次 {head_id}",
            f"ledger truncated: {name_en}, but the ledger head is at batch {head_id}",
        )
    if walk.broken_at is not None and walk.broken_at <= a.batch_id:
        if walk.missing:
            return problem(
                "truncated",
                f"账本被截断：批次 {walk.broken_at} 已不存在（{name_zh}）",
                f"ledger truncated: batch {walk.broken_at} is missing ({name_en})",
            )
        return problem(
            "chain_broken",
            f"链在批次 {walk.broken_at} 处无法重算，{name_zh}无法确认",
            f"the chain does not recompute at batch {walk.broken_at}; {name_en} unconfirmed",
        )
    stored_hash, entries_seen = walk.at[a.batch_id]
    if stored_hash != a.head_hash:
        return problem(
            "rewritten",
            f"账本被改写：批次 {a.batch_id} 的链哈希与{name_zh}不符，"
            "而链本身可以重算（批次被整体改写并重算了哈希）",
            f"ledger rewritten: batch {a.batch_id}'s chain hash differs from {name_en} "
            "although the chain recomputes (a suffix rewritten with its hashes)",
        )
    if entries_seen != a.entry_count:
        return problem(
            "rewritten",
            f"账本被改写：批次 {a.batch_id} 及之前共 {entries_seen} 条记录，"
            f"{name_zh}为 {a.entry_count} 条",
            f"ledger rewritten: {entries_seen} entries up to batch {a.batch_id}, "
            f"{name_en} says {a.entry_count}",
        )
    return None
