"""A small per-process cache of rendered page fragments, bounded and expiring.

For shopfront results that many buyers ask for: the market's form, cards and pager for one
search and site, keyed by the market data version so a change is never served stale (see
`market.services.browse_cache`); the TTL only bounds how long an unused entry is kept.
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

    def get(self, key: Hashable, ttl: float) -> Any:
        """The cached value for `key` if younger than `ttl` seconds, else None."""
        if ttl <= 0:
            return None
        now = self.clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] < ttl:
                self._items.move_to_end(key)
                return hit[1]
        return None

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
        self.put(key, value, now)
        return value

    def put(self, key: Hashable, value: Any, made_at: float | None = None) -> None:
        """Keep `value` for `key` (made at `made_at`, by the cache's clock; now by default)."""
        with self._lock:
            self._items[key] = (self.clock() if made_at is None else made_at, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
