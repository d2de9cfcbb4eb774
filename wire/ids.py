"""Event ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32).

Unique without coordination between units, and sortable by creation time. Within one process
ids are strictly increasing even when the wall clock stands still or steps back.
"""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last = 0


def new_event_id(now_ms: int | None = None) -> str:
    """A new ULID string of 26 characters."""
    global _last
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | int.from_bytes(os.urandom(10), "big")
    with _lock:
        if value <= _last:
            value = _last + 1  # same millisecond or clock stepped back: stay monotonic
        _last = value
    return _encode(value)


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
