"""Import jobs: a large upload is spooled to a file and imported by a worker thread.

```
upload ─► spool file (data_dir/import-spool/<job>.upload) ─► import_jobs row (queued) ─► 202
worker thread ─► claim (running) ─► Importer.import_bytes(progress=…) ─► done | failed ─► spool deleted
start-up ─► jobs of this node left queued/running ─► queued again (spool there) | failed (reason)
```

The import itself is the synchronous use case (``ingest.service``); this module only decides
when it runs and records how it went. Every job-row write is a short transaction of its own,
never inside the import's: a poll of the job is never behind the import's locks, and on
SQLite progress is written only while the import holds no write lock (reading, validating)
and after it committed. Imports at once share one gate with the requests' own imports: one
on SQLite (a single writer; more would wait on its lock and could time out), the configured
number on PostgreSQL. Re-running a job is safe: the same file sent again adds nothing, and
the batch it made the first time is reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine

from xinyong.identity.redact import redact_identifiers
from xinyong.ingest import repository as repo
from xinyong.ingest.service import Importer, ImportResult
from xinyong.kernel.clock import Clock
from xinyong.kernel.errors import InputError, NotFound, XinyongError
from xinyong.ledger import service as ledger

log = logging.getLogger(__name__)

SPOOL_DIR = "import-spool"
STATES = ("queued", "running", "done", "failed")
# The counts of an import result a job keeps (never a row's values or a rejection's text).
RESULT_COUNTS = (
    "rows",
    "accepted",
    "rejected",
    "duplicates",
    "corrections",
    "late",
    "past_deadline",
)
SOURCE_NAME_CHARS = 255
_JOB_ID = re.compile(r"[0-9a-f]{32}")
_STOP = ""  # a job id is never empty: the worker's signal to stop

LOST_SPOOL = (
    "spool file missing at restart",
    "服务重启时未找到该任务的报送文件，导入未完成，请重新报送",
)
TOO_MANY_ATTEMPTS = (
    "interrupted too many times",
    "导入多次中断未完成，已停止重试，请检查文件后重新报送或联系平台管理员",
)
INTERNAL = ("internal error", "内部错误，导入未完成；请联系平台管理员查看日志")


def node_name() -> str:
    """Which machine's spool holds a job's file (jobs of other nodes are not recovered here)."""
    return socket.gethostname()[:128]


def _format_of(head: bytes, filename: str) -> str:
    """The file's format as the readers will see it, roughly (for the job list only)."""
    if head.startswith(b"PK"):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    suffix = Path(filename).suffix.lower().lstrip(".")
    return suffix if suffix in ("csv", "xlsx", "json") else "csv"


@dataclass
class ImportJobs:
    """The worker of one process. ``importer`` builds the Importer a job runs; ``gate``
    bounds imports at once (shared with the API's own imports)."""

    engine: Engine
    importer: Callable[[], Importer]
    clock: Clock
    data_dir: Path
    gate: threading.Semaphore
    workers: int
    max_attempts: int

    def __post_init__(self) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.node = node_name()

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / SPOOL_DIR

    def spool_path(self, job_id: str) -> Path:
        return self.spool_dir / f"{job_id}.upload"

    # -- submitting -------------------------------------------------------------------------

    def submit(
        self,
        source: BinaryIO,
        *,
        filename: str,
        department_code: str,
        item_code: str | None,
        channel: str,
        actor: str,
    ) -> dict[str, Any]:
        """Spool ``source`` and queue its import; the job row as stored. Blocking I/O: the
        web layer calls it in a worker thread."""
        self.start()  # first, so that its recovery does not see this job as left over
        job_id = uuid.uuid4().hex
        # The spool holds the file as sent, personal data in clear: the platform's user only.
        self.spool_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.spool_path(job_id)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())  # a 202 promises the file survives a crash
            size = path.stat().st_size
            with path.open("rb") as f:
                head = f.read(64)
            row = {
                "id": job_id,
                "department_code": department_code,
                "item_code": item_code,
                "source_name": redact_identifiers(filename)[:SOURCE_NAME_CHARS],
                "size_bytes": size,
                "format": _format_of(head, filename),
                "channel": channel,
                "actor": actor[:128],
                "node": self.node,
                "state": "queued",
                "rows_done": 0,
                "attempts": 0,
                "created_at": self.clock.now(),
            }
            with self.engine.begin() as conn:
                repo.insert_job(conn, row)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self._queue.put(job_id)
        return row

    # -- the worker -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker threads once, after recovering what a stop or crash left."""
        with self._lock:
            if self._threads:
                return
            pending = self.recover()
            for i in range(self.workers):
                t = threading.Thread(target=self._work, name=f"import-job-{i}", daemon=True)
                t.start()
                self._threads.append(t)
        for job_id in pending:
            self._queue.put(job_id)

    def stop(self, timeout: float | None = None) -> None:
        """Let the running jobs finish, then stop the threads (queued jobs stay queued and
        are taken up at the next start)."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(_STOP)
        for t in threads:
            t.join(timeout)

    def recover(self) -> list[str]:
        """Jobs of this node left queued or running: queued again when their spool is there
        and they have runs left, failed with the reason otherwise. Their ids, oldest first."""
        with self.engine.begin() as conn:
            left = [j for j in repo.unfinished(conn) if j["node"] == self.node]
        again = []
        for job in left:
            if not self.spool_path(job["id"]).exists():
                self._fail(job["id"], "spool_missing", LOST_SPOOL)
            elif job["attempts"] >= self.max_attempts:
                self._fail(job["id"], "too_many_attempts", TOO_MANY_ATTEMPTS)
                self.spool_path(job["id"]).unlink(missing_ok=True)
            else:
                with self.engine.begin() as conn:
                    repo.requeue(conn, job["id"])
                again.append(job["id"])
                log.warning("import job %s recovered after a stop (%s)", job["id"], job["state"])
        return again

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id == _STOP:
                return
            try:
                with self.gate:
                    self.run(job_id)
            except Exception:  # the worker stays up; the job is marked failed in run()
                log.exception("import job %s: worker error", job_id)

    def run(self, job_id: str) -> None:
        """Run one queued job to its end (done or failed) in this thread."""
        with self.engine.begin() as conn:
            if not repo.claim(conn, job_id, self.clock.now()):
                return  # taken or finished meanwhile
            job = repo.get_job(conn, job_id)
        assert job is not None  # noqa: S101 - just claimed
        path = self.spool_path(job_id)
        try:
            data = path.read_bytes()
            result = self.importer().import_bytes(
                data,
                filename=job["source_name"],
                department_code=job["department_code"],
                item_code=job["item_code"],
                channel=job["channel"],
                actor=job["actor"],
                progress=lambda phase, done, total: self._progress(job_id, phase, done, total),
            )
        except XinyongError as exc:
            self._fail(job_id, exc.code, (exc.message_en, exc.message_zh))
        except Exception:
            log.exception("import job %s failed", job_id)
            self._fail(job_id, "internal_error", INTERNAL)
        else:
            self._done(job, result, hashlib.sha256(data).hexdigest())
        path.unlink(missing_ok=True)

    def _progress(self, job_id: str, phase: str, done: int, total: int | None) -> None:
        try:
            with self.engine.begin() as conn:
                repo.set_progress(conn, job_id, phase=phase, rows_done=done, rows_total=total)
        except Exception:  # progress is for show: a failed update never stops the import
            log.warning("import job %s: progress not recorded", job_id, exc_info=True)

    def _done(self, job: dict[str, Any], result: ImportResult, file_sha: str) -> None:
        counts = {k: getattr(result, k) for k in RESULT_COUNTS}
        batch_id = result.batch_id
        resent = False
        if batch_id is None:
            # Nothing new: the same file was recorded before (a re-run after a crash between
            # the import's commit and this row's), so that batch is the answer.
            with self.engine.connect() as conn:
                batch_id = ledger.batch_of_file(conn, result.department, result.item, file_sha)
            resent = batch_id is not None
        summary = {
            **counts,
            "item": result.item,
            "item_name": result.item_name,
            "resent": resent,
            "catalogue_version": result.catalogue_version,
        }
        with self.engine.begin() as conn:
            repo.finish(
                conn,
                job["id"],
                {
                    "state": "done",
                    "finished_at": self.clock.now(),
                    "batch_id": batch_id,
                    "rows_done": result.rows,
                    "rows_total": result.rows,
                    "result": json.dumps(summary, ensure_ascii=False, sort_keys=True),
                },
            )

    def _fail(self, job_id: str, code: str, message: tuple[str, str]) -> None:
        en, zh = message
        with self.engine.begin() as conn:
            repo.finish(
                conn,
                job_id,
                {
                    "state": "failed",
                    "finished_at": self.clock.now(),
                    "error_code": code[:48],
                    "error": redact_identifiers(zh),
                    "error_en": redact_identifiers(en),
                },
            )


# -- reading -----------------------------------------------------------------------------


def view(job: dict[str, Any]) -> dict[str, Any]:
    """A job as the API and the command line show it."""

    def iso(v: dt.datetime | None) -> str | None:
        return None if v is None else v.isoformat()

    out: dict[str, Any] = {
        "job_id": job["id"],
        "state": job["state"],
        "phase": job["phase"],
        "department": job["department_code"],
        "item": job["item_code"],
        "source_name": job["source_name"],
        "size_bytes": job["size_bytes"],
        "format": job["format"],
        "progress": {"rows_done": job["rows_done"], "rows_total": job["rows_total"]},
        "attempts": job["attempts"],
        "created_at": iso(job["created_at"]),
        "started_at": iso(job["started_at"]),
        "finished_at": iso(job["finished_at"]),
        "batch_id": job["batch_id"],
        "result": json.loads(job["result"]) if job["result"] else None,
        "error": None,
    }
    if job["state"] == "failed":
        out["error"] = {
            "code": job["error_code"],
            "message": job["error"],
            "message_en": job["error_en"],
        }
    return out


def get_job(conn: Connection, job_id: str) -> dict[str, Any]:
    # The id is not repeated: 32 digits typed by mistake may hold an ID number.
    job = repo.get_job(conn, job_id) if _JOB_ID.fullmatch(job_id) else None
    if job is None:
        raise NotFound("no such import job", "该报送任务不存在（任务编号为32位十六进制数字）")
    return job


def list_jobs(
    conn: Connection,
    *,
    department_code: str | None,
    state: str | None,
    limit: int,
    offset: int = 0,
) -> dict[str, Any]:
    if state is not None and state not in STATES:
        raise InputError(
            f"unknown state {state}", f"任务状态只能是 {'、'.join(STATES)}（所填：{state[:20]}）"
        )
    rows, total = repo.list_jobs(
        conn,
        department_code=department_code,
        states=[state] if state else None,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "jobs": [view(r) for r in rows]}
