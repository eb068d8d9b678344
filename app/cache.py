"""Small per-process caches of rendered HTML, keyed so that any change makes a new key."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from flask import current_app
from markupsafe import Markup


class LRU:
    """A thread-safe least-recently-used mapping of bounded size."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable):
        """Return the value for key, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value) -> None:
        """Store a value, dropping the least recently used beyond the size."""
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class FragmentCache(LRU):
    """Rendered HTML fragments; keys carry everything the fragment depends on."""

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """Return the cached fragment for key, rendering and storing it on a miss."""
        html = self.get(key)
        if html is None:
            html = render()
            self.put(key, html)
        return Markup(html)  # noqa: S704 (the stored output of our own templates)


def fragments() -> FragmentCache:
    """Return this app's fragment cache."""
    return current_app.extensions.setdefault("dela_fragments", FragmentCache(2048))
