"""Random tokens for the hot path, from the OS's randomness read 4 KiB at a time per thread.

`secrets.token_hex` reads the OS (`getrandom`) for every token, and CPython lets go of the
GIL around that call: on a busy gunicorn worker another thread takes the GIL and this one waits
to get it back, a context switch or two per token. The scan page makes two tokens per request
(the scan id and the CSP nonce); taking them from a per-thread buffer of `os.urandom` bytes
gives the same randomness with one read per 256 tokens.
"""

from __future__ import annotations

import base64
import os
import threading

BUFFER_BYTES = 4096


class _Pool(threading.local):
    def __init__(self) -> None:
        self.buffer, self.at = b"", 0

    def take(self, count: int) -> bytes:
        at = self.at
        if at + count > len(self.buffer):
            self.buffer, at = os.urandom(max(BUFFER_BYTES, count)), 0
        self.at = at + count
        return self.buffer[at:at + count]


_pool = _Pool()


def token_bytes(count: int) -> bytes:
    """`count` random bytes, never handed out twice (a forked child starts a buffer of its own)."""
    return _pool.take(count)


def token_hex(count: int) -> str:
    """As secrets.token_hex: `count` random bytes as 2 x `count` hex digits."""
    return _pool.take(count).hex()


def token_urlsafe(count: int) -> str:
    """As secrets.token_urlsafe: `count` random bytes, base64url without padding."""
    return base64.urlsafe_b64encode(_pool.take(count)).rstrip(b"=").decode("ascii")


def _forget() -> None:
    """A forked child must not hand out the bytes its parent still holds."""
    global _pool
    _pool = _Pool()


os.register_at_fork(after_in_child=_forget)
