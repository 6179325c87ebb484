"""Shared rate limits (issue 15): the token buckets in PostgreSQL behave like the
in-memory ones, and hold across instances (two pools on one database) under concurrency.

Time is injected (a fake clock, in seconds) except where said: no wall-clock assertion.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping

import pytest
from sqlalchemy import text

from bot.ratelimit import Bucket, Limiter, MemoryLimiter
from storage import Database
from storage.limits import PostgresLimiter
from support.postgres import fresh_postgres_database

pytestmark = pytest.mark.postgres
BUCKETS = {
    "ip": Bucket(rate=2, burst=3),
    "slow": Bucket(rate=0.001, burst=50),
    "pace": Bucket(rate=1, burst=1, queue=True),
}
SECRET = b"limits-test"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


Factory = Callable[[Mapping[str, Bucket], FakeClock], Limiter]


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        yield url


@pytest.fixture
async def pools(pg_url: str) -> AsyncIterator[list[Database]]:
    """Two connection pools on one database: two instances of Relais."""
    databases = [Database(pg_url), Database(pg_url)]
    yield databases
    for db in databases:
        await db.dispose()


Shared = Callable[..., PostgresLimiter]


@pytest.fixture
async def shared(pools: list[Database]) -> AsyncIterator[Shared]:
    """`shared(instance=0, clock=None)`: a PostgresLimiter on that pool, closed after."""
    made: list[PostgresLimiter] = []

    def make(instance: int = 0, clock: FakeClock | None = None) -> PostgresLimiter:
        made.append(PostgresLimiter(pools[instance], BUCKETS, SECRET, clock=clock))
        return made[-1]

    yield make
    for limiter in made:
        await limiter.close()


@pytest.fixture(params=["memory", "postgresql"])
def make(request: pytest.FixtureRequest, shared: Shared) -> Factory:
    if request.param == "memory":
        return lambda buckets, clock: MemoryLimiter(buckets, clock=clock)
    return lambda buckets, clock: shared(0, clock)


async def test_a_bucket_refills_at_its_rate(make: Factory) -> None:
    clock = FakeClock()
    limiter = make(BUCKETS, clock)
    assert [await limiter.take("ip:a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await limiter.take("ip:a") == pytest.approx(0.5)
    assert await limiter.take("ip:b") == 0.0  # another subject has its own bucket
    clock.now += 0.5
    assert await limiter.take("ip:a") == 0.0
    assert await limiter.take("ip:a") == pytest.approx(0.5)  # refused: nothing booked


async def test_a_queueing_bucket_books_one_slot_per_caller(make: Factory) -> None:
    clock = FakeClock()
    limiter = make(BUCKETS, clock)
    waits = [await limiter.take("pace:chat") for _ in range(4)]
    assert waits == pytest.approx([0.0, 1.0, 2.0, 3.0])
    clock.now += 10
    assert await limiter.take("pace:chat") == 0.0


async def test_several_keys_in_one_take_answer_the_longest_wait(make: Factory) -> None:
    clock = FakeClock()
    limiter = make(BUCKETS, clock)
    for _ in range(3):
        assert await limiter.take("ip:x", "slow:y") == 0.0
    assert await limiter.take("ip:x", "slow:y") == pytest.approx(0.5)
    assert await limiter.take("slow:y") == 0.0  # 45 of 50 left: each bucket counts alone


async def test_two_instances_share_one_bucket_under_concurrency(shared: Shared) -> None:
    clock = FakeClock()
    first, second = shared(0, clock), shared(1, clock)
    # 150 requests as fast as possible, alternating between the two instances.
    waits = await asyncio.gather(
        *((first if i % 2 else second).take("slow:person", "ip:shared") for i in range(150))
    )
    granted = sum(1 for wait in waits if wait == 0.0)
    assert granted == 3  # the ip bucket (burst 3) binds, for both instances together
    waits = await asyncio.gather(
        *((first if i % 2 else second).take("slow:someone") for i in range(150))
    )
    assert sum(1 for wait in waits if wait == 0.0) == 50  # burst 50, not 100


async def test_concurrent_takes_share_statements_and_each_gets_its_own_answer(
    shared: Shared,
) -> None:
    limiter = shared(0, FakeClock())
    statements: list[str] = []
    fetch = limiter._fetch

    async def counted(method: str, sql: str, *args: object) -> object:
        statements.append(method)
        return await fetch(method, sql, *args)

    limiter._fetch = counted  # type: ignore[method-assign]
    # 20 people, 4 requests each at once (ip burst 3): a statement never takes two tokens
    # of one bucket, and each request gets the wait of its own buckets.
    people = [f"p{n}" for n in range(20)]
    calls = [(person, limiter.take(f"ip:{person}", f"slow:{person}")) for person in people * 4]
    waits = await asyncio.gather(*(call for _, call in calls))
    for person in people:
        mine = sorted(wait for (who, _), wait in zip(calls, waits, strict=True) if who == person)
        assert mine == pytest.approx([0.0, 0.0, 0.0, 0.5])
    assert "fetch" in statements and len(statements) < len(calls)


async def test_opposite_key_orders_never_deadlock(shared: Shared) -> None:
    first, second = shared(0), shared(1)
    calls = [
        first.take("slow:a", "slow:b") if i % 2 else second.take("slow:b", "slow:a")
        for i in range(60)
    ]
    waits = await asyncio.wait_for(asyncio.gather(*calls), 60)
    assert sum(1 for wait in waits if wait == 0.0) == 50


async def test_the_database_clock_by_default_and_no_identifier_stored(
    pools: list[Database], shared: Shared
) -> None:
    limiter = shared(0)
    waits = [await limiter.take("slow:203.0.113.9") for _ in range(51)]
    assert waits[:50] == [0.0] * 50 and waits[50] > 0
    async with pools[0].engine.connect() as conn:
        keys = (await conn.execute(text("SELECT key FROM rate_limits"))).scalars().all()
        logged = (
            await conn.execute(
                text("SELECT relpersistence::text FROM pg_class WHERE relname = 'rate_limits'")
            )
        ).scalar_one()
    assert len(keys) == 1 and keys[0].startswith("slow:") and "203.0.113" not in keys[0]
    assert logged == "u"  # UNLOGGED


async def test_purge_forgets_only_buckets_that_are_full_again(shared: Shared) -> None:
    clock = FakeClock()
    limiter = shared(0, clock)
    await limiter.take("ip:a")  # 2 of 3 left: full again after 0.5 s
    await limiter.take("slow:b")  # 49 of 50: full again after 1000 s
    clock.now += 0.5
    assert await limiter.purge() == 1
    assert await limiter.take("slow:b") == 0.0
    clock.now += 2000
    assert await limiter.purge() == 1


async def test_the_shared_limiter_refuses_sqlite(tmp_path: object) -> None:
    db = Database("sqlite+aiosqlite:///:memory:")
    with pytest.raises(ValueError, match="PostgreSQL"):
        PostgresLimiter(db, BUCKETS, SECRET)
    await db.dispose()
