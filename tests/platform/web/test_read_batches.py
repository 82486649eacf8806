"""web/read_batches.py: reads many threads ask for at once go as one; each read is sent after
it was asked for; a failed batch fails each of its reads; a batch that never comes is given up
on; no thread is left waiting."""

from __future__ import annotations

import threading
import time

import pytest

from freshcircle.platform.web.read_batches import ReadBatches, Unanswered


def _together(count: int, read) -> list:
    """`read(i)` in `count` threads started together; their results (or exceptions)."""
    results: list = [None] * count
    start = threading.Barrier(count)

    def one(i):
        start.wait()
        try:
            results[i] = read(i)
        except Exception as error:  # the test looks at what each got
            results[i] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads), "a read was left waiting"
    return results


def test_reads_asked_together_go_in_few_batches_and_each_gets_its_answer():
    batches: list[list] = []

    def run(keys):
        batches.append(list(keys))
        time.sleep(0.05)  # a round trip: reads asked meanwhile make the next batch
        return {k: f"answer {k}" for k in keys if k != 7}

    reads = ReadBatches(run, most=4)
    results = _together(12, reads.read)
    assert results == [None if i == 7 else f"answer {i}" for i in range(12)]
    assert sorted(k for batch in batches for k in batch) == list(range(12))
    assert max(len(b) for b in batches) <= 4 and len(batches) < 12


def test_a_read_is_never_answered_by_a_batch_sent_before_it_was_asked():
    sent: list[tuple[float, list]] = []
    asked: dict[int, float] = {}

    def run(keys):
        sent.append((time.monotonic(), list(keys)))
        time.sleep(0.02)
        return {k: k for k in keys}

    reads = ReadBatches(run)

    def read(i):
        time.sleep(0.003 * i)
        asked[i] = time.monotonic()
        return reads.read(i)

    assert _together(20, read) == list(range(20))
    for at, keys in sent:
        assert all(asked[k] <= at for k in keys)


def test_a_failed_batch_fails_each_of_its_reads_and_the_next_ones_are_read_again():
    calls = []

    def run(keys):
        calls.append(list(keys))
        time.sleep(0.02)
        return None if len(calls) == 1 else {k: k for k in keys}

    reads = ReadBatches(run)
    first = _together(6, reads.read)
    assert any(isinstance(r, Unanswered) for r in first)
    assert all(isinstance(r, Unanswered) or r == i for i, r in enumerate(first))
    assert _together(6, reads.read) == list(range(6))


def test_an_error_reaches_the_thread_that_ran_the_batch_and_fails_the_others():
    def run(keys):
        time.sleep(0.02)
        raise RuntimeError("a bug")

    reads = ReadBatches(run)
    results = _together(5, reads.read)
    assert all(isinstance(r, RuntimeError | Unanswered) for r in results)
    assert any(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):  # nothing left in flight
        reads.read(99)


def test_a_read_waiting_longer_than_its_timeout_goes_without_an_answer():
    release = threading.Event()

    def run(keys):
        release.wait(5)
        return {k: k for k in keys}

    reads = ReadBatches(run, timeout=0.1)
    results: dict = {}
    leader = threading.Thread(target=lambda: results.setdefault("first", reads.read(1)))
    leader.start()
    time.sleep(0.05)
    started = time.monotonic()
    with pytest.raises(Unanswered):
        reads.read(2)  # waits for the next batch, which does not start in time
    assert time.monotonic() - started < 1
    release.set()
    leader.join(5)
    assert results == {"first": 1}
    assert reads.read(3) == 3  # the batches go on
