"""Evaluation runs: export the snapshot, score it with the pipeline, write the results back.

A run exports the ledger's new entries to the Parquet snapshot, then scores every subject
(a full run: the first, a changed model version, or asked for) or only the subjects with
ledger entries after the previous finished run's head (incremental: a repair, a correction,
a new record re-scores its subject). Results are written in chunks, each committed with the
run's progress (done/total); readers use only finished runs, and a failed run's rows are
deleted, so nothing half-written is ever read.

Recency factors depend on the evaluation day: an incremental run leaves the unchanged
subjects' scores as of the day they were computed; a periodic full run (``--full``)
re-ages them all.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from xinyong.catalog.evaluation import (
    NOT_SCORED_GRADE,
    EvaluationCatalogue,
    EvaluationModel,
    ResultDisclosure,
    model_json,
)
from xinyong.evaluation import engines
from xinyong.evaluation import repository as repo
from xinyong.events.model import (
    LIST_EXITED,
    LIST_REINSTATED,
    RECORD_REVOKED,
    REPAIR_EVENTS,
    Event,
)
from xinyong.events.service import Consumer
from xinyong.identity.pii import PiiVault
from xinyong.identity.resolve import resolve_subject, shown_code
from xinyong.identity.service import canonical_key
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import ConfigurationError, Conflict, InputError, NotFound

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# A run marked running for longer than this is taken as crashed (its rows are never read).
STALE_RUN = dt.timedelta(hours=6)
CHUNK = 5000  # results per committed chunk (one progress step)


def _signature(models: Iterable[EvaluationModel]) -> list[list[str]]:
    return sorted([m.code, m.version] for m in models)


def catalogue_model(models: Iterable[EvaluationModel], code: str | None) -> EvaluationModel | None:
    """The model ``code`` among those in force (None: no code, or not in force)."""
    return next((m for m in models if m.code == code), None) if code else None


def _explanation(
    model: EvaluationModel, rows: dict[str, dict[str, Any]], base: float
) -> dict[str, Any]:
    out = []
    for ind in model.indicators:
        r = rows.get(ind.code)
        out.append(
            {
                "code": ind.code,
                "value": round(float(r["value"]), 4) if r else 0.0,
                "contribution": round(float(r["contribution"]), 4) if r else 0.0,
                "entries": sorted(int(e) for e in r["entries"]) if r else [],
            }
        )
    # base: the model's, or (an industry model) the subject's score under its base model.
    return {"base": base, "base_model": model.base_model, "indicators": out}


def run(
    engine: Engine,
    catalogue: EvaluationCatalogue,
    folder: Path,
    *,
    now: dt.datetime,
    actor: str,
    full: bool = False,
    backend: str = "duckdb",
    connect: Callable[[], Any] | None = None,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    subjects: Collection[str] = (),
    clock: Callable[[], dt.datetime] | None = None,
) -> dict[str, Any]:
    """Score the population (or the changed subjects) under every model in force today.
    ``subjects``: scored too in an incremental run, changed in the snapshot or not (those a
    domain event named: an exit leaves no new entry of the subject's own kind). ``clock``:
    when the run finished (its duration on the console); ``now`` without one."""
    if backend not in engines.BACKENDS:
        raise InputError(
            f"unknown evaluation engine {backend}",
            f"engine（评价引擎）“{backend}”无效：可选 {'、'.join(engines.BACKENDS)}",
        )
    today = now.astimezone(CHINA_TZ).date()

    def ended() -> dt.datetime:
        return clock() if clock is not None else now

    models = catalogue.in_force(today)
    if not models:
        raise ConfigurationError(
            f"no evaluation model in force on {today}", f"{today} 没有生效的评价模型"
        )
    from xinyong.evaluation import snapshot as snap  # pyarrow: loaded when a run starts

    signature = _signature(models)
    with engine.begin() as conn:
        busy = repo.running_since(conn, now - STALE_RUN)
        if busy is not None:
            raise Conflict(
                f"evaluation run {busy['id']} is still running",
                f"评价批次 {busy['id']} 正在运行（{busy['done']}/{busy['total']}），请待其完成后再评价",
            )
        manifest, exported = snap.export(conn, folder, catalogue.facets)
        previous = repo.last_done_run(conn)
        # A snapshot started anew by this export (other facets, a restored database) is
        # scored in full: what the previous run saw may no longer hold.
        rebuilt = exported > 0 and len(manifest.parts) == 1 and manifest.parts[0]["from"] == 1
        incremental = (
            not full
            and not rebuilt
            and previous is not None
            and json.loads(previous["models"]) == signature
        )
        from_entry = int(previous["ledger_head"]) if incremental and previous else 0
        run_id = repo.insert_run(
            conn,
            {
                "state": "running",
                "full": not incremental,
                "models": json.dumps(signature),
                "engine": backend,
                "from_entry": from_entry,
                "ledger_head": manifest.head,
                "evaluated_on": today.isoformat(),
                "done": 0,
                "total": 0,
                "started_by": actor,
                "started_at": now,
            },
        )
    try:
        total = _score(
            engine,
            run_id,
            models,
            folder,
            manifest,
            today,
            now,
            from_entry if incremental else None,
            connect or engines.BACKENDS[backend],
            chunk,
            progress,
            sorted(set(subjects)) if incremental else [],
        )
    except Exception as exc:
        log.exception("evaluation run %d failed", run_id)
        with engine.begin() as conn:
            repo.delete_results_of_run(conn, run_id)
            repo.update_run(
                conn, run_id, {"state": "failed", "error": str(exc)[:2000], "finished_at": ended()}
            )
        raise
    with engine.begin() as conn:
        repo.update_run(conn, run_id, {"state": "done", "finished_at": ended()})
        row = repo.get_run(conn, run_id)
    if row is None:  # pragma: no cover - written just above in this process
        raise NotFound(f"evaluation run {run_id} not found", f"评价批次 {run_id} 不存在")
    log.info("evaluation run %d done: %d results, %d entries exported", run_id, total, exported)
    return {**run_view(row), "exported": exported}


def _score(
    engine: Engine,
    run_id: int,
    models: tuple[EvaluationModel, ...],
    folder: Path,
    manifest: Any,
    today: dt.date,
    now: dt.datetime,
    changed_after: int | None,
    connect: Callable[[], Any],
    chunk: int,
    progress: Progress | None,
    also: list[str],
) -> int:
    from xinyong.evaluation import pipeline  # ibis: loaded when a run starts
    from xinyong.evaluation import snapshot as snap

    if not manifest.parts or (
        changed_after is not None and changed_after >= manifest.head and not also
    ):
        return 0  # nothing in the ledger, or nothing changed since the previous run
    con = connect()
    day = (today - snap.EPOCH).days
    fetched = []
    try:
        table = pipeline.open_snapshot(con, snap.part_paths(folder, manifest))
        scoped = pipeline.in_scope(table, changed_after, also).cache()
        current = pipeline.current_records(scoped).cache()
        everyone = {
            s["subject_key"]: s["subject_kind"]
            for s in pipeline.subjects(scoped).to_pyarrow().to_pylist()
        }
        for model in models:
            base = catalogue_model(models, model.base_model)
            # Computed once for the scores and the explanation.
            values = pipeline.indicator_values(current, model, day, with_entries=True).cache()
            expr = pipeline.scores(scoped, current, model, day, base, values)
            scored_rows = expr.to_pyarrow().to_pylist()
            contrib = pipeline.contributions(current, model, day, values).to_pyarrow().to_pylist()
            values.release()
            by_subject: dict[str, dict[str, dict[str, Any]]] = {}
            for c in contrib:
                by_subject.setdefault(c["subject_key"], {})[c["indicator"]] = c
            fetched.append((model, scored_rows, by_subject))
        current.release()
        scoped.release()
    finally:
        con.disconnect()
    with engine.connect() as conn:
        fetched = [
            (model, scored + _markers(conn, model, scored, everyone, changed_after), by_subject)
            for model, scored, by_subject in fetched
        ]
    total = sum(len(s) for _, s, _ in fetched)
    with engine.begin() as conn:
        repo.update_run(conn, run_id, {"total": total})
    done = 0
    for model, scored, by_subject in fetched:
        for start in range(0, len(scored), chunk):
            rows = [
                {
                    "run_id": run_id,
                    "subject_key": s["subject_key"],
                    "subject_kind": s["subject_kind"],
                    "model_code": model.code,
                    "model_version": model.version,
                    "score": float(s["score"]),
                    "grade": s["grade"],
                    "computed_at": now,
                    "explanation": json.dumps(
                        s["explanation"]
                        if s["grade"] == NOT_SCORED_GRADE
                        else _explanation(
                            model, by_subject.get(s["subject_key"], {}), float(s["base"])
                        ),
                        ensure_ascii=False,
                    ),
                }
                for s in scored[start : start + chunk]
            ]
            done += len(rows)
            with engine.begin() as conn:
                repo.insert_results(conn, rows)
                repo.update_run(conn, run_id, {"done": done})
            if progress is not None:
                progress(done, total)
    return total


def _markers(
    conn: Connection,
    model: EvaluationModel,
    scored: list[dict[str, Any]],
    everyone: Mapping[str, str],
    changed_after: int | None,
) -> list[dict[str, Any]]:
    """A not-scored marker row for each subject re-scored by this run that the model left
    out (its registration now states another 行业门类 or none, or it is of another kind) and
    whose current row under the model is still a result: without it that earlier grade
    would stay current (pages, API, the draw's grade reader) though its condition no longer
    holds. A subject never scored by the model gets no row."""
    out = set(everyone) - {s["subject_key"] for s in scored}
    if not out:
        return []
    # A full run re-scores everyone: one query for the model's current results; an
    # incremental run asks about its few left-out subjects only.
    held = repo.scored_keys(conn, model.code, None if changed_after is None else sorted(out))
    return [
        {
            "subject_key": key,
            "subject_kind": everyone[key],
            "score": 0.0,  # never read: the marker has no grade
            "grade": NOT_SCORED_GRADE,
            "base": 0.0,
            "explanation": {
                "not_scored": "subject_kind"
                if everyone[key] not in model.subject_kinds
                else "industry",
                "indicators": [],
            },
        }
        for key in sorted(out & held)
    ]


# -- re-scoring at once after a repair or a correction (令36 第三条) --------------------------

CONSUMER = "evaluation"
# The events after which a subject's grade must follow the same day: a repair decided (its
# restatement, a mask, a restore, a void), an objection decided (a correction or a
# revocation of the record), a record revoked, a listing's exit or reinstatement.
RESCORE_KINDS = frozenset(
    {
        REPAIR_EVENTS["approve"],
        REPAIR_EVENTS["mask"],
        REPAIR_EVENTS["restore"],
        REPAIR_EVENTS["void"],
        "objection.decided",
        RECORD_REVOKED,
        LIST_EXITED,
        LIST_REINSTATED,
    }
)
REFRESH_ACTOR = "system:评价刷新（修复、更正、名单移出后）"


def consumer(pending: set[str]) -> Consumer:
    """The evaluation's outbox consumer: it only notes the subjects the events name (cheap, in
    the consumer's transaction); the composition re-scores them once the dispatch is over
    (``refresh``), in the run's own transactions. Started from the newest event: the grades
    of the past are the hourly run's."""

    def handle(conn: Connection, event: Event) -> None:
        if event.subject_key:
            pending.add(event.subject_key)

    return Consumer(CONSUMER, RESCORE_KINDS, handle, from_start=False)


def refresh(
    engine: Engine,
    catalogue: EvaluationCatalogue,
    folder: Path,
    subjects: Collection[str],
    *,
    now: dt.datetime,
    clock: Callable[[], dt.datetime] | None = None,
) -> dict[str, Any] | None:
    """An incremental run for ``subjects`` (and whatever else changed since the previous run),
    so a repair or a correction changes the grade the same day. Nothing when no run has
    finished yet (the first, full run is the jobs'), or while another run is going (the
    hourly run re-scores them: their entries are after its head). Never raises into the
    dispatch that called it: the change is committed whatever the evaluation does."""
    if not subjects:
        return None
    with engine.connect() as conn:
        previous = repo.last_done_run(conn)
    today = now.astimezone(CHINA_TZ).date()
    if previous is None or json.loads(previous["models"]) != _signature(catalogue.in_force(today)):
        return None  # a full run is due: the jobs', not a request's
    try:
        return run(engine, catalogue, folder, now=now, actor=REFRESH_ACTOR, subjects=subjects)
    except Conflict:
        log.info("evaluation refresh of %d subject(s) left to the next run", len(subjects))
    except Exception:
        log.exception("evaluation refresh of %d subject(s) failed", len(subjects))
    return None


# -- views ----------------------------------------------------------------------------------

RUN_STATE_LABELS = {"running": "进行中", "done": "已完成", "failed": "失败"}


def _beijing(t: dt.datetime | None) -> str | None:
    return None if t is None else t.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def run_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "state": row["state"],
        "state_label": RUN_STATE_LABELS.get(row["state"], row["state"]),
        "full": bool(row["full"]),
        "mode_label": "全量评价" if row["full"] else "增量评价（仅信用记录有变化的主体）",
        "models": [{"code": c, "version": v} for c, v in json.loads(row["models"])],
        "engine": row["engine"],
        "from_entry": int(row["from_entry"]),
        "ledger_head": int(row["ledger_head"]),
        "evaluated_on": row["evaluated_on"],
        "done": int(row["done"]),
        "total": int(row["total"]),
        "started_by": row["started_by"],
        "started_at": _beijing(row["started_at"]),
        "finished_at": _beijing(row["finished_at"]),
        "error": row["error"],
    }


def get_run(conn: Connection, run_id: int) -> dict[str, Any]:
    row = repo.get_run(conn, run_id)
    if row is None:
        raise NotFound(f"evaluation run {run_id} not found", f"评价批次 {run_id} 不存在")
    return run_view(row)


def list_runs(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    return [run_view(r) for r in repo.list_runs(conn, limit)]


def running(conn: Connection, now: dt.datetime) -> dict[str, Any] | None:
    """The run going now (one started within ``STALE_RUN``), or None."""
    row = repo.running_since(conn, now - STALE_RUN)
    return None if row is None else run_view(row)


def distribution(
    conn: Connection,
    catalogue: EvaluationCatalogue,
    on: dt.date,
    levels: Collection[ResultDisclosure],
) -> list[dict[str, Any]]:
    """Per model in force whose disclosure is in ``levels``: how many subjects hold each grade
    now (every grade listed, zero included, in the model's order; results of an earlier
    version counted apart)."""
    out = []
    for model in catalogue.in_force(on):
        if model.disclosure not in levels:
            continue
        counts = repo.grade_counts(conn, model.code)
        current = {g: n for v, g, n in counts if v == model.version}
        older = sum(n for v, _g, n in counts if v != model.version)
        total = sum(current.values())
        out.append(
            {
                "model": model.code,
                "model_name": model.name,
                "version": model.version,
                "disclosure": model.disclosure.value,
                "total": total,
                "older_versions": older,
                "grades": [
                    {
                        "code": g.code,
                        "label": g.label,
                        "letter": g.letter,
                        "subjects": current.get(g.code, 0),
                        "share": round(current.get(g.code, 0) / total, 4) if total else None,
                    }
                    for g in model.grades
                ],
            }
        )
    return out


def models_view(
    catalogue: EvaluationCatalogue,
    on: dt.date,
    industry_labels: Mapping[str, str] | None = None,
    department_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The models in force ``on``, as published (internal models are not published), with
    the labels of their industries and department when given."""
    return [
        model_json(m, industry_labels, department_names)
        for m in catalogue.in_force(on)
        if m.disclosure is not ResultDisclosure.INTERNAL
    ]


def result_view(
    catalogue: EvaluationCatalogue, row: dict[str, Any], *, with_entries: bool
) -> dict[str, Any]:
    code = row["model_code"]
    model = next((m for m in catalogue.models if m.code == code), None)
    same = model is not None and model.version == row["model_version"]
    grade = (
        next((g for g in model.grades if g.code == row["grade"]), None) if same and model else None
    )
    names = {i.code: i for i in model.indicators} if same and model else {}
    explanation = json.loads(row["explanation"])
    indicators = []
    for e in explanation["indicators"]:
        ind = names.get(e["code"])
        item = {
            "code": e["code"],
            "name": ind.name if ind else e["code"],
            "weight": ind.weight if ind else None,
            "value": e["value"],
            "contribution": e["contribution"],
        }
        if with_entries:
            item["entries"] = e["entries"]
        indicators.append(item)
    return {
        "model": code,
        "model_name": model.name if model else code,
        "model_version": row["model_version"],
        "disclosure": model.disclosure.value if model else None,
        "score": row["score"],
        "grade": row["grade"],
        "grade_label": grade.label if grade else row["grade"],
        "grade_letter": grade.letter if grade else "",
        "computed_at": _beijing(row["computed_at"]),
        "run": int(row["run_id"]),
        "base": explanation["base"],
        "base_model": explanation.get("base_model"),
        "indicators": indicators,
    }


def subject_results(
    conn: Connection,
    catalogue: EvaluationCatalogue,
    subject_key: str,
    *,
    levels: Collection[ResultDisclosure],
    with_entries: bool,
) -> list[dict[str, Any]]:
    """The subject's current results under the models whose disclosure is in ``levels``."""
    allowed = [m.code for m in catalogue.models if m.disclosure in levels]
    rows = repo.current_results(conn, subject_key, allowed)
    return [result_view(catalogue, r, with_entries=with_entries) for r in rows]


def subject_of(conn: Connection, vault: PiiVault, code: str) -> tuple[str, str]:
    """(subject key, kind) of a USCC or resident ID number as typed (never echoed)."""
    try:
        key, kind, _shown = resolve_subject(code, vault, allow_subject_key=True)
    except InputError as exc:
        raise InputError(
            f"subject {shown_code(code)}: {exc.message_en}",
            f"subject（主体代码）“{shown_code(code)}”无效：{exc.message_zh}",
        ) from None
    return (canonical_key(conn, key), kind) if kind == "person" else (key, kind)


def grade_letters(
    conn: Connection, models: EvaluationCatalogue, model_code: str, keys: Sequence[str]
) -> dict[str, str | None]:
    """The current grade letter under one model of each subject key (the inspections
    context's ``GradeReader``, injected by bootstrap): a letter the model declares, or None
    (the ungraded stratum) when the subject has no result, or its grade is not one the model
    in the catalogue declares (a result of a model version whose grades were since renamed
    is not guessed at)."""
    model = models.model(model_code)
    letters = {g.code: g.letter or None for g in model.grades}
    return {
        key: letters.get(grade)
        for key, (_version, grade) in repo.current_grades(conn, model_code, keys).items()
    }


def levels_for(role: str | None) -> set[ResultDisclosure]:
    """The disclosure levels a caller reads: anyone the public ones; departments also the
    government-shared ones; the credit office and auditors every level (internal included)."""
    if role is None:
        return {ResultDisclosure.PUBLIC}
    if role == "department":
        return {ResultDisclosure.PUBLIC, ResultDisclosure.GOV_SHARED}
    return set(ResultDisclosure)


EXPORT_HEADERS = (
    "统一社会信用代码",
    "主体名称",
    "主体类型",
    "评价模型",
    "模型版本",
    "得分",
    "等级",
    "等级字母",
    "评价时间（北京时间）",
    "评价批次",
)


def export_results(
    conn: Connection,
    catalogue: EvaluationCatalogue,
    model_code: str,
    out: Path,
    *,
    levels: Collection[ResultDisclosure],
) -> int:
    """Every organisation's current result under one model as CSV (UTF-8 with BOM, as
    departments' spreadsheets open it); natural persons never. Returns the rows written."""
    import csv

    from xinyong.identity.model import SUBJECT_KIND_LABELS

    model = catalogue.model(model_code)
    if model.disclosure not in levels:
        raise NotFound(
            f"evaluation model {model_code} is not disclosed at this level",
            f"评价模型“{model_code}”的结果不在可查看的公开范围内",
        )
    grades = {g.code: g for g in model.grades}
    n = 0
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EXPORT_HEADERS)
        for r in repo.iter_current_results(conn, model_code):
            g = grades.get(r["grade"]) if r["model_version"] == model.version else None
            writer.writerow(
                [
                    r["subject_key"],
                    r["name"] or "",
                    SUBJECT_KIND_LABELS.get(r["subject_kind"], r["subject_kind"]),
                    model.name,
                    r["model_version"],
                    f"{r['score']:g}",
                    g.label if g else r["grade"],
                    g.letter if g else "",
                    _beijing(r["computed_at"]),
                    r["run_id"],
                ]
            )
            n += 1
    tmp.replace(out)
    return n
