"""The item catalogue in force, as the platform reads it: items and their versions, code
tables, publication policies, header layouts and sectors. Built by ``loader.load_catalogue``."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TypeVar

from xinyong.catalog.model import (
    CatalogueSnapshot,
    CodeTable,
    CodeValue,
    Dated,
    HeaderSet,
    ItemVersion,
    Nature,
    PublicationPolicy,
    Sector,
    in_force,
)
from xinyong.kernel.errors import NotFound

# The code table whose labels are the allowed item categories (and their display order).
CATEGORY_TABLE = "catalogue_category"
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))
_SPACE = re.compile(r"\s+")


def normalise_header(text: str) -> str:
    """The form header texts are compared in: NFKC (full-width brackets, letters and digits
    become half-width), no whitespace or invisible characters, ASCII upper-case."""
    for _ in range(4):  # NFKC, space removal and upper-casing can enable one another
        before = text
        text = _SPACE.sub("", unicodedata.normalize("NFKC", text.translate(_INVISIBLE))).upper()
        if text == before:
            break
    return text


class Catalogue:
    """The catalogue in force: items, code tables, policies, header layouts and sectors.

    Immutable once built (``loader.load_catalogue``; ``bootstrap`` builds one per process).
    """

    __slots__ = (
        "_header_maps",
        "_header_sets",
        "_lookup",
        "_order",
        "_policies",
        "_sectors",
        "_snapshot",
        "_tables",
        "_versions",
    )
    _header_maps: dict[str, dict[str, str]]
    _header_sets: dict[str, tuple[HeaderSet, ...]]
    _lookup: dict[str, dict[str, CodeValue]]
    _order: tuple[str, ...]
    _policies: tuple[PublicationPolicy, ...]
    _sectors: Mapping[str, Sector]
    _snapshot: CatalogueSnapshot
    _tables: dict[str, CodeTable]
    _versions: dict[str, tuple[ItemVersion, ...]]

    def __init__(
        self,
        *,
        snapshot: CatalogueSnapshot,
        versions: Mapping[str, Sequence[ItemVersion]],
        tables: Mapping[str, CodeTable],
        policies: Sequence[PublicationPolicy],
        header_sets: Mapping[str, Sequence[HeaderSet]],
        header_maps: Mapping[str, Mapping[str, str]],
        sectors: Mapping[str, Sector],
    ) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "_snapshot", snapshot)
        setattr_(
            self,
            "_versions",
            {c: tuple(sorted(vs, key=lambda v: v.effective_from)) for c, vs in versions.items()},
        )
        setattr_(self, "_tables", dict(tables))
        setattr_(self, "_policies", tuple(policies))
        setattr_(self, "_header_sets", {k: tuple(v) for k, v in header_sets.items()})
        setattr_(self, "_header_maps", {k: dict(v) for k, v in header_maps.items()})
        setattr_(self, "_sectors", MappingProxyType(dict(sectors)))
        lookup: dict[str, dict[str, CodeValue]] = {}
        for code, table in tables.items():
            index: dict[str, CodeValue] = {}
            for value in table.values:
                for text in (value.code, value.label, *value.aliases):
                    index.setdefault(text.strip(), value)
            lookup[code] = index
        setattr_(self, "_lookup", lookup)
        # items(): by category in the order of the category table, then by code
        categories: list[str] = []
        if CATEGORY_TABLE in tables:
            categories = [v.label for v in tables[CATEGORY_TABLE].values]
        rank = {c: i for i, c in enumerate(categories)}
        latest = [vs[-1] for vs in self._versions.values()]
        latest.sort(key=lambda v: (rank.get(v.category, len(rank)), v.code))
        setattr_(self, "_order", tuple(v.code for v in latest))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Catalogue is immutable")

    def __repr__(self) -> str:
        return f"<Catalogue {self._snapshot.version}: {len(self._versions)} items>"

    @property
    def snapshot(self) -> CatalogueSnapshot:
        return self._snapshot

    @property
    def sectors(self) -> Mapping[str, Sector]:
        return self._sectors

    # items

    def item_versions(self, code: str) -> list[ItemVersion]:
        try:
            return list(self._versions[code])
        except KeyError:
            raise NotFound(
                f"unknown catalogue item {code!r}", f"信息目录中没有信息项“{code}”"
            ) from None

    def item(self, code: str, on: dt.date | None = None) -> ItemVersion:
        """The version in force on ``on`` (the latest version when ``on`` is None)."""
        return version_on(
            self.item_versions(code), on, f"catalogue item {code!r}", f"信息项“{code}”", "目录版本"
        )

    def items(self) -> list[ItemVersion]:
        """The latest version of every item, by category order then code."""
        return [self._versions[c][-1] for c in self._order]

    # code tables

    def code_table(self, code: str) -> CodeTable:
        try:
            return self._tables[code]
        except KeyError:
            raise NotFound(f"unknown code table {code!r}", f"没有代码表“{code}”") from None

    def code_tables(self) -> list[CodeTable]:
        return [self._tables[c] for c in sorted(self._tables)]

    def lookup_code(self, table: str, raw: str, on: dt.date | None = None) -> CodeValue | None:
        """The value whose code, label or alias equals ``raw`` (after strip).

        With ``on``, a value outside its valid_from/valid_until is not returned."""
        try:
            index = self._lookup[table]
        except KeyError:
            raise NotFound(f"unknown code table {table!r}", f"没有代码表“{table}”") from None
        value = index.get(raw.strip())
        if value is None or on is None:
            return value
        if value.valid_from is not None and on < value.valid_from:
            return None
        if value.valid_until is not None and on > value.valid_until:
            return None
        return value

    # policies

    def policies(self) -> list[PublicationPolicy]:
        return list(self._policies)

    def policy(self, code: str) -> PublicationPolicy:
        for p in self._policies:
            if p.code == code:
                return p
        raise NotFound(f"unknown publication policy {code!r}", f"没有公示政策“{code}”")

    def policy_for(
        self, item: ItemVersion, decision_date: dt.date, sector: str | None
    ) -> PublicationPolicy | None:
        """The policy governing a record of ``item`` decided on ``decision_date`` by a
        department of ``sector``; None when no policy governs the item (positive and neutral
        items, and negative items with their own life cycle such as 失信被执行人).

        A sector-specific policy beats a general one; then one naming the item beats one
        covering every negative item. The loader guarantees no two policies tie.
        """
        best: PublicationPolicy | None = None
        best_rank = (-1, -1)
        for p in self._policies:
            if not governs(p, item) or not _in_force(p, decision_date):
                continue
            if p.sectors and sector not in p.sectors:
                continue
            rank = (int(bool(p.sectors)), int(bool(p.items)))
            if rank > best_rank:
                best, best_rank = p, rank
        return best

    # headers

    def header_sets(self, item: str) -> list[HeaderSet]:
        self.item_versions(item)  # NotFound for an unknown item
        return list(self._header_sets.get(item, ()))

    def header_map(self, item: str) -> dict[str, str]:
        """Every accepted header text of the item -> field code, over all its versions: field
        codes, names, aliases and header-set columns, each also in :func:`normalise_header`
        form."""
        self.item_versions(item)
        return dict(self._header_maps.get(item, {}))

    def resolve_header(self, item: str, text: str) -> str | None:
        """The field code a column header means for ``item``, or None."""
        self.item_versions(item)
        m = self._header_maps.get(item, {})
        return m.get(text.strip()) or m.get(normalise_header(text))


def governs(p: PublicationPolicy, item: ItemVersion) -> bool:
    """Whether ``p`` governs records of ``item`` at all (dates and sectors aside)."""
    return item.code in p.items if p.items else item.nature is Nature.NEGATIVE


DatedT = TypeVar("DatedT", bound=Dated)


def version_on(
    versions: Sequence[DatedT],
    on: dt.date | None,
    what_en: str,
    what_zh: str,
    version_zh: str = "版本",
) -> DatedT:
    """The version in force on ``on`` (inclusive dates); the latest when ``on`` is None.

    Shared by items, list types and measures, which all keep versions oldest first.
    """
    if on is None:
        return versions[-1]
    for v in versions:
        if in_force(v, on):
            return v
    raise NotFound(
        f"{what_en} has no version in force on {on.isoformat()}",
        f"{what_zh}在{on.isoformat()}没有生效的{version_zh}",
    )


def _in_force(p: PublicationPolicy, day: dt.date) -> bool:
    if p.decisions_from is not None and day < p.decisions_from:
        return False
    return p.decisions_until is None or day <= p.decisions_until
