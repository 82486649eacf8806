"""A small per-process cache of rendered page fragments, bounded and expiring.

For shopfront results that many buyers ask for in the same seconds: the market's list of
cards for a search. Stock and prices on a cached card may be up to the TTL old; ordering stays
exact, because checkout reserves against the listing in the database, never against a page.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class FragmentCache:
    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic):
        self.size, self.clock = size, clock
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, ttl: float, make: Callable[[], Any]) -> Any:
        """The cached value for `key` if younger than `ttl` seconds, else `make()` (stored)."""
        if ttl <= 0:
            return make()
        now = self.clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] < ttl:
                self._items.move_to_end(key)
                return hit[1]
        value = make()  # outside the lock: two threads may both make it, never wait on it
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
