"""A sliding-window rate limit on the shared cache (Redis in production).

Fixed windows let a burst of twice the limit through across a boundary (30 searches at
xx:59 and 30 more at yy:00). This keeps a counter per window and weighs the previous one by
how much of it still lies in the last ``window`` seconds, the way Cloudflare's limiter does:
two atomic cache operations per hit, no list of timestamps.
"""

import time

from django.core.cache import cache


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one action under ``key``; False when it goes past ``limit`` per sliding window."""
    now = time.time()
    index, elapsed = divmod(now, window_seconds)
    current = _incr(f"rate:{key}:{int(index)}", timeout=2 * window_seconds + 5)
    previous = int(cache.get(f"rate:{key}:{int(index) - 1}", 0))
    weight = 1 - elapsed / window_seconds
    return previous * weight + current <= limit
