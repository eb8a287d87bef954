"""Wires the platform's parts together from settings (used by the CLI, the web app and tests)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from xinyong.access.accounts import AccountPolicy
from xinyong.access.cache import PrincipalCache
from xinyong.access.passwords import HashParameters, PasswordHasher
from xinyong.alerts import service as alerts
from xinyong.cases.attachments import AttachmentPolicy
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.commitments import CommitmentCatalogue, load_commitment_catalogue
from xinyong.catalog.evaluation import EvaluationCatalogue, load_evaluation_catalogue
from xinyong.catalog.inspections import InspectionCatalogue, load_inspection_catalogue
from xinyong.catalog.loader import load_catalogue
from xinyong.catalog.objections import ObjectionRegimes, regimes_for
from xinyong.catalog.rectification import RectificationCatalogue, load_rectification_catalogue
from xinyong.catalog.repair import RepairCatalogue, load_repair_catalogue
from xinyong.catalog.sanctions import SanctionsCatalogue, load_sanctions
from xinyong.catalog.voluntary import VoluntaryCatalogue, load_voluntary_catalogue
from xinyong.checks.readmodel import CheckReadModel
from xinyong.checks.writer import ReceiptWriter
from xinyong.commitments.service import Deps as CommitmentDeps
from xinyong.commitments.service import certificates_for_repair
from xinyong.evaluation import service as evaluation
from xinyong.evaluation.paths import snapshot_folder
from xinyong.events import service as events
from xinyong.identity.divisions import default_divisions
from xinyong.identity.pii import PiiVault
from xinyong.ingest.jobs import ImportJobs
from xinyong.ingest.service import Importer
from xinyong.inspections.service import Deps as InspectionDeps
from xinyong.kernel import memory
from xinyong.kernel.calendar import WorkCalendar, local_calendar_dirs
from xinyong.kernel.clock import Clock, SystemClock
from xinyong.kernel.errors import Conflict
from xinyong.kernel.settings import Settings, get_settings
from xinyong.notifications import service as notifications
from xinyong.rectifications.service import Deps as RectificationDeps
from xinyong.repair.service import Deps as RepairDeps
from xinyong.search.rules import initials
from xinyong.store.db import make_engine
from xinyong.voluntary.service import Deps as VoluntaryDeps

log = logging.getLogger(__name__)

# How long a server stop waits for a running import job (it is re-run at the next start).
JOB_STOP_WAIT_S = 10.0


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    calendar: WorkCalendar
    vault: PiiVault
    clock: Clock
    sanctions: SanctionsCatalogue
    # Authenticated API keys of this process, see access.cache and web.deps.get_principal.
    principal_cache: PrincipalCache = field(init=False)
    _receipts: ReceiptWriter | None = None
    _reader: Engine | None = None
    _check_model: CheckReadModel | None = None
    _import_jobs: ImportJobs | None = None
    _hasher: PasswordHasher | None = None
    _evaluation_run: threading.Thread | None = None
    # Re-score in the dispatching thread instead of the background worker: a command line
    # process (``_platform`` in web/commands/common.py) ends right after its command, and a
    # command or job that reports the refresh wants it done when it returns.
    rescore_inline: bool = False

    def __post_init__(self) -> None:
        self.principal_cache = PrincipalCache(self.settings.api_key_cache_seconds)
        # Imports this process runs at once, in requests and as jobs: one on SQLite (one
        # writer; a second import would wait on its lock and could time out).
        self.import_gate = threading.BoundedSemaphore(self.import_slots)
        # Subjects the evaluation's consumer noted during a dispatch: re-scored right after it.
        self._rescore: set[str] = set()
        self._rescore_lock = threading.Lock()
        # One re-score at a time, the worker's or a synchronous caller's: a second would be
        # refused by run() (a run going) and its subjects left to the hourly run.
        self._refresh_lock = threading.Lock()
        # The background re-score worker (one thread, started by the first dispatch that noted
        # a subject): ``_rescore_wanted`` is set by a dispatch, taken by the worker, which
        # re-scores everything noted by then at once (dispatches meanwhile coalesce).
        self._rescore_cv = threading.Condition()
        self._rescore_wanted = False
        self._rescore_busy = False
        self._rescore_stopping = False
        self._rescorer: threading.Thread | None = None

    @property
    def import_slots(self) -> int:
        return 1 if self.engine.dialect.name == "sqlite" else self.settings.import_workers

    def import_jobs(self) -> ImportJobs:
        """The process's import job worker (started by the first submission or the server's
        start-up, which recovers jobs a crash left)."""
        if self._import_jobs is None:
            self._import_jobs = ImportJobs(
                engine=self.engine,
                importer=self.importer,
                clock=self.clock,
                data_dir=self.settings.data_dir,
                gate=self.import_gate,
                workers=self.import_slots,
                max_attempts=self.settings.import_job_attempts,
            )
        return self._import_jobs

    def password_hasher(self) -> PasswordHasher:
        """The console's argon2id hasher with the configured parameters (refused under the
        floor outside tests), built once per process."""
        if self._hasher is None:
            self._hasher = PasswordHasher(HashParameters.from_settings(self.settings))
        return self._hasher

    def attachment_policy(self) -> AttachmentPolicy:
        """``XINYONG_ATTACHMENT_*``: the largest file, files per step, accepted media types."""
        s = self.settings
        return AttachmentPolicy(
            max_bytes=s.attachment_max_bytes,
            max_files=s.attachment_max_files,
            media_types=frozenset(
                t.strip() for t in s.attachment_media_types.split(",") if t.strip()
            ),
        )

    def repair_regimes(self) -> RepairCatalogue:
        """The credit repair regimes (national, replaced by a local folder's own)."""
        extra = [self.settings.local_catalog_dir] if self.settings.local_catalog_dir else []
        return load_repair_catalogue(extra)

    def repair_deps(self) -> RepairDeps:
        return RepairDeps(
            catalogue=self.catalogue,
            sanctions=self.sanctions,
            calendar=self.calendar,
            regimes=self.repair_regimes(),
            data_dir=self.settings.data_dir,
            attachment_policy=self.attachment_policy(),
            training_certificates=certificates_for_repair,
        )

    def objection_regimes(self) -> ObjectionRegimes:
        """The objection regimes of this deployment (national, and the local folder's)."""
        extra = [self.settings.local_catalog_dir] if self.settings.local_catalog_dir else []
        return regimes_for(extra)

    def voluntary_catalogue(self) -> VoluntaryCatalogue:
        """The kinds of voluntary registration (national, replaced by a local folder's own)."""
        extra = [self.settings.local_catalog_dir] if self.settings.local_catalog_dir else []
        return load_voluntary_catalogue(extra)

    def voluntary_deps(self) -> VoluntaryDeps:
        return VoluntaryDeps(
            catalogue=self.catalogue,
            calendar=self.calendar,
            voluntary=self.voluntary_catalogue(),
            data_dir=self.settings.data_dir,
            attachment_policy=self.attachment_policy(),
        )

    def commitment_catalogue(self) -> CommitmentCatalogue:
        """The commitment types, items and templates (national, replaced by a local folder's)."""
        extra = [self.settings.local_catalog_dir] if self.settings.local_catalog_dir else []
        return load_commitment_catalogue(extra)

    def commitment_deps(self) -> CommitmentDeps:
        return CommitmentDeps(
            catalogue=self.catalogue,
            sanctions=self.sanctions,
            calendar=self.calendar,
            commitments=self.commitment_catalogue(),
            vault=self.vault,
        )

    def rectification_rules(self) -> RectificationCatalogue:
        """The rectification and interview rules (national, or a local folder's own)."""
        extra = [self.settings.local_catalog_dir] if self.settings.local_catalog_dir else []
        return load_rectification_catalogue(extra)

    def evaluation_models(self) -> EvaluationCatalogue:
        """The evaluation models (national, replaced by a local folder's own)."""
        extra = [self.settings.local_catalog_dir] if self.settings.local_catalog_dir else []
        return load_evaluation_catalogue(extra)

    def evaluation_snapshot(self) -> Path:
        """The folder of the ledger's columnar snapshot (Parquet parts and manifest)."""
        return snapshot_folder(self.settings.data_dir)

    def rectification_deps(self) -> RectificationDeps:
        return RectificationDeps(
            catalogue=self.catalogue, calendar=self.calendar, rules=self.rectification_rules()
        )

    def inspection_catalogue(self) -> InspectionCatalogue:
        """The 抽查事项清单 and the supervision policies (national, or a local folder's own)."""
        extra = [self.settings.local_catalog_dir] if self.settings.local_catalog_dir else []
        return load_inspection_catalogue(extra)

    def inspection_deps(self) -> InspectionDeps:
        # Grades are the current results of the evaluation model each policy names (the
        # catalogue load checked the model and its letters); a model disclosed 社会公开 has its
        # grades in the public draw record, an internal one (SAMR risk classes) withheld.
        inspections = self.inspection_catalogue()
        models = self.evaluation_models()

        def grades(
            conn: Connection, model_code: str, keys: Sequence[str]
        ) -> Mapping[str, str | None]:
            return evaluation.grade_letters(conn, models, model_code, keys)

        return InspectionDeps(
            catalogue=self.catalogue,
            calendar=self.calendar,
            inspections=inspections,
            grades=grades,
            public_grade_schemes=frozenset(
                m.code for m in inspections.grade_models.values() if m.public
            ),
        )

    def account_policy(self) -> AccountPolicy:
        """Lock-out, session expiry and password length from the settings."""
        return AccountPolicy.from_settings(self.settings)

    def receipt_writer(self) -> ReceiptWriter | None:
        """The process's batched receipt writer, or None when receipts are written inline."""
        if self.settings.check_receipt_batch_ms <= 0:
            return None
        if self._receipts is None:
            self._receipts = ReceiptWriter(self.engine, self.settings.check_receipt_batch_ms / 1000)
        return self._receipts

    def check_read_model(self) -> CheckReadModel | None:
        """The process's check read model, or None when checks read the database."""
        if self.settings.check_cache_refresh_ms < 0:
            return None
        if self._check_model is None:
            self._check_model = CheckReadModel(
                self.engine, self.sanctions, self.settings.check_cache_refresh_ms / 1000
            )
        return self._check_model

    def warm_up(self) -> None:
        """At server start: load the check read model in the background, so the first checks
        after a restart wait only for what is left of the load (with a refresh interval of
        0, the tests, it loads on first use)."""
        # What pages load on first use is loaded now, so that it is frozen below with the
        # rest: the division table and pypinyin's dictionaries are tens of thousands of
        # long-lived objects.
        default_divisions()
        initials("预热")
        model = self.check_read_model()
        if model is not None and self.settings.check_cache_refresh_ms > 0:
            threading.Thread(
                target=model.current, name="check-read-model-load", daemon=True
            ).start()

    @staticmethod
    def settle() -> None:
        """Move everything alive after start-up out of the collector's reach (``gc.freeze``):
        the catalogue, the division table, the dictionaries and the compiled templates are
        never garbage, yet each full collection walked them all again, a pause of 100 to
        500 ms at a time under load that set the tail of every page (docs/benchmarks.md)."""
        memory.settle()

    def ready(self) -> bool:
        """Whether this process serves checks without waiting: its check read model (when it
        keeps one) has finished loading. A load balancer sends traffic only to ready
        processes; at a million subjects the load takes a while after start."""
        interval = self.settings.check_cache_refresh_ms
        # Below 0 no model is kept; at 0 (the tests) it loads on first use: nothing to wait for.
        if interval <= 0:
            return True
        return self._check_model is not None and self._check_model.loaded

    def close(self) -> None:
        """At shutdown: let running import jobs finish, write the queued check receipts, stop
        the read model's refresher; the re-score worker finishes what it was woken for and a
        background evaluation run gets the same wait (one cut short stays "running" and is
        taken as crashed after evaluation.STALE_RUN; subjects not re-scored are the hourly
        run's, their entries being after the last run's head)."""
        self.stop_import_jobs()
        self.stop_rescorer(JOB_STOP_WAIT_S)
        self.wait_evaluation(JOB_STOP_WAIT_S)
        if self._receipts is not None:
            self._receipts.close()
        if self._check_model is not None:
            self._check_model.close()

    def stop_import_jobs(self) -> None:
        """Stop the import job worker, if it runs; a job still running after the wait is
        left "running" and re-run at the next start."""
        if self._import_jobs is not None:
            self._import_jobs.stop(timeout=JOB_STOP_WAIT_S)

    def read_engine(self) -> Engine:
        """The engine in autocommit mode, for read-only paths that need no BEGIN/COMMIT round
        trips (the check, whose receipt goes to the batched writer)."""
        if self._reader is None:
            self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        return self._reader

    def consumers(self) -> list[events.Consumer]:
        """Who reacts to domain events (see events.service), in the order they run."""
        return [
            alerts.consumer(self.sanctions, self.clock),
            notifications.consumer(self.catalogue),
            evaluation.consumer(self._rescore),
        ]

    def dispatch_events(self) -> events.DispatchReport:
        """Hand every committed event to its consumers; then this process's check read model
        catches up at once (a check right after a publication sees it), and the subjects a
        repair, a correction or an exit concerns are re-scored (令36 第三条: the same day) by
        the background worker, not in the request that committed the change (inline with
        ``rescore_inline``)."""
        report = events.dispatch(self.engine, self.consumers(), now=self.clock.now)
        if self._check_model is not None:
            self._check_model.catch_up()
        if self.rescore_inline:
            self.refresh_evaluation()
        elif self._rescore:
            self._wake_rescorer()
        return report

    def refresh_evaluation(self) -> dict[str, Any] | None:
        """Re-score the subjects the evaluation's consumer noted, now, in this thread (an
        incremental run for them; none before the first finished run); after the worker's
        re-score if one is going. A crash before it loses nothing: their entries are after
        the last run's head, so the hourly run re-scores them."""
        with self._refresh_lock:
            subjects = self._take_rescore()
            if not subjects:
                return None
            return evaluation.refresh(
                self.engine,
                self.evaluation_models(),
                self.evaluation_snapshot(),
                subjects,
                now=self.clock.now(),
                clock=self.clock.now,
            )

    def _take_rescore(self) -> set[str]:
        # pop() one at a time: the consumer adds to the set in a dispatching thread without
        # the lock, and a copy-then-clear could drop a subject added in between.
        taken: set[str] = set()
        with self._rescore_lock:
            while self._rescore:
                taken.add(self._rescore.pop())
        return taken

    def _wake_rescorer(self) -> None:
        with self._rescore_cv:
            if self._rescore_stopping:
                # Shutting down: left to the hourly run (the entries are after its head).
                log.info("evaluation re-score left to the next run: the process is stopping")
                return
            self._rescore_wanted = True
            if self._rescorer is None or not self._rescorer.is_alive():
                self._rescorer = threading.Thread(
                    target=self._rescore_loop, name="evaluation-rescore", daemon=True
                )
                self._rescorer.start()
            self._rescore_cv.notify_all()

    def _rescore_loop(self) -> None:
        while True:
            with self._rescore_cv:
                self._rescore_cv.wait_for(lambda: self._rescore_wanted or self._rescore_stopping)
                if not self._rescore_wanted:
                    return  # stopping, nothing left to do
                self._rescore_wanted = False
                self._rescore_busy = True
            try:
                self.refresh_evaluation()
            except Exception:  # evaluation.refresh logs its own; this is the catalogue's load
                log.exception("background evaluation re-score failed")
            finally:
                with self._rescore_cv:
                    self._rescore_busy = False
                    self._rescore_cv.notify_all()

    def settle_evaluation(self, timeout: float | None = None) -> bool:
        """Wait until the re-score worker has done everything dispatched so far (tests; a
        caller that wants the refreshed grade). False when ``timeout`` ran out first."""
        with self._rescore_cv:
            return self._rescore_cv.wait_for(
                lambda: not self._rescore_wanted and not self._rescore_busy, timeout
            )

    def stop_rescorer(self, timeout: float | None = None) -> None:
        """Stop the re-score worker once it has done what it was woken for (a server stop).
        A later dispatch starts a new one (a test's platform outlives its app)."""
        with self._rescore_cv:
            self._rescore_stopping = True
            self._rescore_cv.notify_all()
            thread = self._rescorer
        if thread is not None:
            thread.join(timeout)
        with self._rescore_cv:
            self._rescore_stopping = False

    def start_evaluation(self, *, full: bool, actor: str) -> None:
        """Start a run in the background (the console's button), as import jobs run: the
        run's row carries its progress, the page reads it. Refused while this process runs
        one (run() refuses one running elsewhere)."""
        with self._rescore_lock:
            if self._evaluation_run is not None and self._evaluation_run.is_alive():
                raise Conflict(
                    "an evaluation run is already running in this process",
                    "评价批次正在运行，请待其完成后再评价",
                )

            def work() -> None:
                try:
                    evaluation.run(
                        self.engine,
                        self.evaluation_models(),
                        self.evaluation_snapshot(),
                        now=self.clock.now(),
                        actor=actor,
                        full=full,
                        clock=self.clock.now,
                    )
                except Exception:  # recorded on the run's row (failed) and logged
                    log.exception("background evaluation run failed")

            self._evaluation_run = threading.Thread(target=work, name="evaluation-run", daemon=True)
            self._evaluation_run.start()

    def evaluation_busy(self) -> bool:
        """Whether this process's background run is still going (its row may not be written
        yet: the run loads its libraries first)."""
        return self._evaluation_run is not None and self._evaluation_run.is_alive()

    def wait_evaluation(self, timeout: float | None = None) -> None:
        """Wait for this process's background run (tests; a server stop)."""
        thread = self._evaluation_run
        if thread is not None:
            thread.join(timeout)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: ``engine.begin()``, then, once it has committed, the dispatch of
        the events it emitted. A use case that may emit events runs in one of these."""
        with self.engine.begin() as conn:
            try:
                yield conn
            finally:
                emitted = events.take_pending(conn)
        if emitted:
            self.dispatch_events()

    def importer(self) -> Importer:
        return Importer(
            engine=self.engine,
            catalogue=self.catalogue,
            calendar=self.calendar,
            vault=self.vault,
            clock=self.clock,
            settings=self.settings,
            sanctions=self.sanctions,
            after_commit=self.dispatch_events,
        )


def build_platform(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    catalogue: Catalogue | None = None,
    sanctions: SanctionsCatalogue | None = None,
    calendar: WorkCalendar | None = None,
) -> Platform:
    """A platform from ``settings``. The catalogue, sanctions and calendar are loaded from the
    settings' directories unless given: they are immutable, so a caller that builds many
    platforms (the tests) loads them once and passes them in."""
    settings = settings or get_settings()
    extra = [settings.local_catalog_dir] if settings.local_catalog_dir else []
    catalogue = catalogue if catalogue is not None else load_catalogue(extra)
    if sanctions is None:
        sanctions = load_sanctions(extra, catalogue=catalogue)
    if calendar is None:
        calendar = WorkCalendar.load(local_calendar_dirs(settings.local_catalog_dir))
    return Platform(
        settings=settings,
        engine=engine or make_engine(settings=settings),
        catalogue=catalogue,
        sanctions=sanctions,
        calendar=calendar,
        vault=PiiVault.from_keys(settings.resolved_secret_keys()),
        clock=clock or SystemClock(),
    )
