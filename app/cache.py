"""A small per-process cache of rendered page fragments, keyed so that a change makes a new key."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from flask import current_app
from markupsafe import Markup


class FragmentCache:
    """Least-recently-used HTML fragments; keys carry everything the fragment depends on."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """Return the cached fragment for key, rendering and storing it on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return Markup(self._items[key])  # noqa: S704 (stored output of our own templates)
        html = render()
        with self._lock:
            self._items[key] = html
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return Markup(html)  # noqa: S704

    def clear(self) -> None:
        """Drop every fragment."""
        with self._lock:
            self._items.clear()


def fragments() -> FragmentCache:
    """Return this app's fragment cache."""
    return current_app.extensions.setdefault("dela_fragments", FragmentCache())
