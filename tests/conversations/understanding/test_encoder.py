"""The encoder's thread policy: a long message borrows the second core only when free."""

from __future__ import annotations

import threading

import numpy as np

from conversations.understanding.encoder import (
    PARALLEL_TOKENS,
    Parallelism,
    embed,
    encoder,
    parallelism,
)


class RecordingGomp:
    """Stands in for libgomp's omp_set_num_threads: keeps the counts it was given."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def omp_set_num_threads(self, count: int) -> None:
        self.calls.append(count)


def test_a_long_message_alone_gets_the_wide_count_then_the_narrow_one_back() -> None:
    gomp = RecordingGomp()
    policy = Parallelism(gomp, narrow=1, wide=2)  # type: ignore[arg-type]
    with policy.threads_for(PARALLEL_TOKENS + 1) as threads:
        assert threads == 2
        assert gomp.calls == [1, 2]
    assert gomp.calls == [1, 2, 1]
    assert policy.wide_calls == 1


def test_a_short_message_keeps_the_narrow_count() -> None:
    gomp = RecordingGomp()
    policy = Parallelism(gomp, narrow=1, wide=2)  # type: ignore[arg-type]
    with policy.threads_for(PARALLEL_TOKENS) as threads:
        assert threads == 1
    with policy.threads_for(PARALLEL_TOKENS) as threads:
        assert threads == 1
    assert gomp.calls == [1]  # the thread's own count, set once
    assert policy.wide_calls == 0


def test_each_thread_sets_the_narrow_count_for_itself_once() -> None:
    gomp = RecordingGomp()
    policy = Parallelism(gomp, narrow=1, wide=2)  # type: ignore[arg-type]

    def one_message() -> None:
        with policy.threads_for(5):
            pass

    for _ in range(2):
        worker = threading.Thread(target=one_message)
        worker.start()
        worker.join()
    one_message()
    one_message()
    assert gomp.calls == [1, 1, 1]  # two new threads and this one, each once


def test_a_long_message_waits_for_no_one_but_stays_narrow_beside_another() -> None:
    gomp = RecordingGomp()
    policy = Parallelism(gomp, narrow=1, wide=2)  # type: ignore[arg-type]
    inside, release = threading.Event(), threading.Event()

    def other_message() -> None:
        with policy.threads_for(5):
            inside.set()
            release.wait(5)

    other = threading.Thread(target=other_message)
    other.start()
    inside.wait(5)
    with policy.threads_for(PARALLEL_TOKENS * 3) as threads:
        assert threads == 1
    release.set()
    other.join()
    assert 2 not in gomp.calls
    with policy.threads_for(PARALLEL_TOKENS * 3) as threads:  # alone again
        assert threads == 2


def test_without_the_openmp_runtime_or_when_turned_off_everything_is_narrow() -> None:
    for policy in (Parallelism(None, 1, 2), Parallelism(RecordingGomp(), 1, 1)):  # type: ignore[arg-type]
        with policy.threads_for(PARALLEL_TOKENS * 3) as threads:
            assert threads == 1
        assert policy.wide_calls == 0


def test_a_long_message_embeds_the_same_with_two_threads() -> None:
    text = (
        "bonjour je suis a la rue depuis hier soir avec mon petit frere et on ne sait pas "
        "ou dormir ce soir, il fait tres froid et on a pas mange"
    )
    assert encoder().token_count(text, True) > PARALLEL_TOKENS
    policy = parallelism()
    saved = policy.wide
    try:
        policy.wide = 1
        narrow = np.array(embed(text))
        policy.wide = 2
        before = policy.wide_calls
        wide = np.array(embed(text))
    finally:
        policy.wide = saved
    assert policy.wide_calls == before + 1
    assert float(narrow @ wide) > 0.999
