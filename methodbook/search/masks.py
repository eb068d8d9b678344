"""Sets of documents as bit masks, and a catalogue of every indexed entry's facet values.

A mask is a Python integer with bit n set for document n, packed from (and unpacked to) a
bytes object with one byte, 0 or 1, per document; ``(a & b).bit_count()`` counts the documents
in both. Both backends count facets this way: Whoosh per segment, PostgreSQL over a
``Catalogue`` the process keeps of what each entry can be filtered, counted and sorted by, so
that a search asks the database only which entries match its words.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress, islice

from . import FACETS

_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_FROM_DIGITS = bytes.maketrans(b"01", b"\x00\x01")
UNCOUNTED = ("", "none")  # facet values kept for filtering but never offered as a facet


def pack(flags: bytes) -> int:
    """Return the mask of one byte (0 or 1) per document, one bit each (conversions from base 2 are linear)."""
    return int(bytes(flags).translate(_TO_DIGITS)[::-1], 2) if flags else 0


def unpack(mask: int, size: int) -> bytes:
    """Return one byte (0 or 1) per document of a mask."""
    return format(mask, f"0{size}b").encode()[::-1].translate(_FROM_DIGITS) if size else b""


def mask_of(positions: Iterable[int], size: int) -> int:
    """Return the mask of these document numbers, each below size."""
    flags = bytearray(size)
    for position in positions:
        flags[position] = 1
    return pack(flags)


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    """What a search needs of one entry besides its words."""

    entry_id: int
    visibility: str
    facets: dict[str, tuple[str, ...]]  # facet name -> its values (one, or several for tags and roles)
    created: int
    title_sort: str


class Catalogue:
    """Every indexed entry by its position (a small number the index gives it), as masks and orders.

    The masks say, for each value of each facet and each visibility, which positions have it;
    the orders list positions newest first and by title. Per position only the entry id, its
    date and its sortable title are kept (for 50,000 entries, some 10 MB with the masks). A
    change to a few entries updates all of it in place; ``load`` builds it for a whole index.
    Not thread-safe: the owner locks.
    """

    ORDERS = ("newest", "title")

    def __init__(self, key: object = None) -> None:
        self.key = key  # which state of the index this is (the owner decides)
        self.entry_ids: dict[int, int] = {}  # position -> entry id
        self.position: dict[int, int] = {}  # entry id -> position
        self.created: dict[int, int] = {}  # position -> date
        self.titles: dict[int, str] = {}  # position -> sortable title
        self.values: dict[str, dict[str, int]] = {name: {} for name in (*FACETS, "visibility")}
        self.live = 0
        self.size = 0
        self._orders: dict[str, list[int]] = {order: [] for order in self.ORDERS}

    def __len__(self) -> int:
        return len(self.entry_ids)

    def _key(self, order: str):
        """The sort key of a position in an order: newest first, or by title (code points, as Whoosh sorts)."""
        ids, created, titles = self.entry_ids, self.created, self.titles
        if order == "newest":
            return lambda p: (-created[p], -ids[p])
        return lambda p: (titles[p], ids[p])

    def load(
        self,
        entries: Iterable[tuple[int, int, int, str]],
        members: Iterable[tuple[str, str, list[int]]],
        orders: dict[str, list[int]] | None = None,
    ) -> None:
        """Fill an empty catalogue: (position, entry id, date, sortable title) of every entry; the
        positions having each (facet or "visibility", value); the positions in each order, if
        known (else they are sorted here)."""
        for position, entry_id, created, title in entries:
            self.entry_ids[position] = entry_id
            self.position[entry_id] = position
            self.created[position] = created
            self.titles[position] = title
        self.size = max(self.entry_ids, default=-1) + 1
        self.live = mask_of(self.entry_ids, self.size)
        for name, value, positions in members:
            self.values.setdefault(name, {})[value] = mask_of(positions, self.size) & self.live
        for order in self.ORDERS:
            given = (orders or {}).get(order)
            self._orders[order] = list(given) if given is not None else sorted(self.entry_ids, key=self._key(order))

    def update(self, rows: Iterable[tuple[int, CatalogueRow]], gone: Iterable[int]) -> None:
        """Take in entries that changed (at their positions, maybe new ones) and forget entries gone."""
        rows = list(rows)
        for entry_id in [*gone, *(row.entry_id for _, row in rows)]:
            position = self.position.get(entry_id)
            if position is not None:
                self._remove(position)
        for position, row in rows:
            self._remove(position)  # a position freed by an entry not yet known to be gone
            self._add(position, row)

    def _remove(self, position: int) -> None:
        entry_id = self.entry_ids.get(position)
        if entry_id is None:
            return
        for order in self.ORDERS:
            key, placed = self._key(order), self._orders[order]
            del placed[bisect_left(placed, key(position), key=key)]
        bit = ~(1 << position)
        for masks in self.values.values():
            for value in [value for value, mask in masks.items() if mask >> position & 1]:
                masks[value] &= bit
                if not masks[value]:
                    del masks[value]
        self.live &= bit
        del self.entry_ids[position], self.created[position], self.titles[position]
        if self.position.get(entry_id) == position:
            del self.position[entry_id]

    def _add(self, position: int, row: CatalogueRow) -> None:
        self.entry_ids[position] = row.entry_id
        self.position[row.entry_id] = position
        self.created[position] = row.created
        self.titles[position] = row.title_sort
        self.size = max(self.size, position + 1)
        bit = 1 << position
        pairs = [("visibility", row.visibility)] + [(n, v) for n, values in row.facets.items() for v in values]
        for name, value in pairs:
            masks = self.values.setdefault(name, {})
            masks[value] = masks.get(value, 0) | bit
        self.live |= bit
        for order in self.ORDERS:
            key, placed = self._key(order), self._orders[order]
            placed.insert(bisect_left(placed, key(position), key=key), position)

    # -- questions ------------------------------------------------------------------------
    def mask(self, positions: list[int]) -> int:
        """The mask of these positions (positions the catalogue does not know are left out)."""
        size = max(self.size, max(positions, default=-1) + 1)
        return mask_of(positions, size) & self.live

    def allowed(self, visible: Iterable[str], filters: dict[str, list[str]]) -> int:
        """The entries with one of these visibilities and, for each filtered facet, one of its values."""
        found = 0
        for value in visible:
            found |= self.values["visibility"].get(value, 0)
        for name, wanted in filters.items():
            masks = self.values.get(name)
            if masks is None or name == "visibility":
                continue  # not a facet: the filter is ignored, as the backends' filters are
            either = 0
            for value in wanted:
                either |= masks.get(value, 0)
            found &= either
        return found

    def counts(self, mask: int) -> dict[str, list[tuple[str, int]]]:
        """How many of the entries in mask have each value of each facet, most first."""
        counts = {}
        for name in FACETS:
            found = [
                (value, n)
                for value, vm in self.values[name].items()
                if value not in UNCOUNTED and (n := (mask & vm).bit_count())
            ]
            counts[name] = sorted(found, key=lambda kv: (-kv[1], kv[0]))
        return counts

    def first(self, mask: int, order: str, start: int, stop: int) -> list[int]:
        """Entry ids of the entries in mask from start to stop (not included) in an order."""
        count = mask.bit_count()
        if start >= min(count, stop):
            return []
        positions = self._orders[order]
        flags = unpack(mask, max(self.size, mask.bit_length()))
        # Walking the order to the stop-th entry in mask passes about stop / count of it; finding
        # the entries and sorting them costs some 20 times more per entry (measured).
        if count * 20 < min(len(positions), stop * len(positions) // count):
            found, at = [], flags.find(1)
            while at >= 0:
                found.append(at)
                at = flags.find(1, at + 1)
            chosen = sorted(found, key=self._key(order))[start:stop]
        else:
            chosen = islice(compress(positions, map(flags.__getitem__, positions)), start, stop)
        return [self.entry_ids[position] for position in chosen]
