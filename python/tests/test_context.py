"""shmlog.contextualize: fields per thread and per asyncio task, on every kind of record."""

import asyncio
import logging
import threading

import shmlog


def test_context_fields_reach_ring_and_handler_records_and_nest(collector):
    ring = shmlog.Ring(collector.ring)
    lg = logging.getLogger("ctx.nest")
    lg.propagate = False
    lg.setLevel(logging.DEBUG)
    h = shmlog.Handler(ring)
    lg.addHandler(h)
    try:
        with shmlog.contextualize(request_id="r1", user="ann"):
            with shmlog.contextualize(user="bob", step=2):
                assert shmlog.context() == {"request_id": "r1", "user": "bob", "step": 2}
                ring.info("inner")
                lg.info("inner via logging")
                ring.info("own field wins", step=3)
            ring.info("outer")
        ring.info("none")
    finally:
        lg.removeHandler(h)
    ring.flush()
    recs = {r["message"]: r for r in collector.records()}
    assert recs["inner"]["user"] == "bob" and recs["inner"]["step"] == 2
    assert recs["inner"]["request_id"] == "r1"
    assert recs["inner via logging"]["user"] == "bob"
    assert recs["own field wins"]["step"] == 3
    assert list(recs["own field wins"]).count("step") == 1
    assert recs["outer"]["user"] == "ann" and "step" not in recs["outer"]
    assert "request_id" not in recs["none"]


def test_two_concurrent_asyncio_tasks_never_see_each_others_fields(collector):
    ring = shmlog.Ring(collector.ring)

    async def request(i):
        with shmlog.contextualize(request=i):
            for step in range(20):
                ring.info("task", step=step)
                await asyncio.sleep(0)  # interleave with the other tasks

    async def main():
        await asyncio.gather(*(request(i) for i in range(3)))

    asyncio.run(main())
    ring.flush()
    recs = [r for r in collector.records() if r["message"] == "task"]
    assert len(recs) == 60
    for i in range(3):
        mine = [r["step"] for r in recs if r["request"] == i]
        assert mine == list(range(20))


def test_threads_keep_their_own_context(collector):
    ring = shmlog.Ring(collector.ring)
    barrier = threading.Barrier(2)

    def worker(i):
        with shmlog.contextualize(worker=i):
            barrier.wait()
            for _ in range(50):
                ring.info("thread %d" % i)

    with shmlog.contextualize(main=True):
        ts = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    ring.flush()
    for r in collector.records():
        assert r["worker"] == int(r["message"].split()[1])
        assert "main" not in r  # a new thread starts with an empty context
