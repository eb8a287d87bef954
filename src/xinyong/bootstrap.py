"""Wires the platform's parts together from settings (used by the CLI, the web app and tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from xinyong.access.cache import PrincipalCache
from xinyong.catalog.loader import Catalogue, load_catalogue
from xinyong.catalog.sanctions import SanctionsCatalogue, load_sanctions
from xinyong.checks.readmodel import CheckReadModel
from xinyong.checks.writer import ReceiptWriter
from xinyong.identity.pii import PiiVault
from xinyong.ingest.service import Importer
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import Clock, SystemClock
from xinyong.kernel.settings import Settings, get_settings
from xinyong.store.db import make_engine


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

    def __post_init__(self) -> None:
        self.principal_cache = PrincipalCache(self.settings.api_key_cache_seconds)

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

    def read_engine(self) -> Engine:
        """The engine in autocommit mode, for read-only paths that need no BEGIN/COMMIT round
        trips (the check, whose receipt goes to the batched writer)."""
        if self._reader is None:
            self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        return self._reader

    def importer(self) -> Importer:
        return Importer(
            engine=self.engine,
            catalogue=self.catalogue,
            calendar=self.calendar,
            vault=self.vault,
            clock=self.clock,
            settings=self.settings,
            sanctions=self.sanctions,
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
        calendar = WorkCalendar.load([d / "calendar" for d in extra if (d / "calendar").is_dir()])
    return Platform(
        settings=settings,
        engine=engine or make_engine(settings=settings),
        catalogue=catalogue,
        sanctions=sanctions,
        calendar=calendar,
        vault=PiiVault(settings.resolved_secret_key()),
        clock=clock or SystemClock(),
    )
