"""A Redis database of the machine's Redis for a test module, flushed before and after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError


def flushed_redis(url: str) -> Iterator[Redis]:
    """For a fixture: the client of `url`'s database, empty, emptied again afterwards."""
    client = Redis.from_url(url)
    try:
        client.ping()
    except RedisConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the CI machine has it)")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
