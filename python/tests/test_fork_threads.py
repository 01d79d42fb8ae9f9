"""A Ring across fork() and threads, and the full-ring policies with the GIL let go."""

import logging
import os
import signal
import threading
import time

import shmlog


def test_a_ring_made_before_fork_logs_from_the_child_under_the_childs_pid(collector):
    ring = shmlog.Ring(collector.ring)
    lg = logging.getLogger("fork.test")
    lg.propagate = False
    h = shmlog.Handler(ring)
    lg.addHandler(h)
    try:
        ring.info("parent before fork")
        pid = os.fork()
        if pid == 0:
            try:
                ring.info("child ring")
                lg.warning("child handler")
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert status == 0
        ring.info("parent after fork")
    finally:
        lg.removeHandler(h)
    ring.flush()
    recs = {r["message"]: r for r in collector.records()}
    assert recs["child ring"]["process.pid"] == pid
    assert recs["child handler"]["process.pid"] == pid
    assert recs["child ring"]["process.thread.id"] == pid
    assert recs["parent before fork"]["process.pid"] == os.getpid()
    assert recs["parent after fork"]["process.pid"] == os.getpid()


def test_threads_write_every_record_in_order(collector):
    ring = shmlog.Ring(collector.ring)
    n, per = 4, 500

    def worker(w):
        for i in range(per):
            ring.info("w", w=w, i=i)

    ts = [threading.Thread(target=worker, args=(w,)) for w in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ring.flush(timeout=10)
    recs = [r for r in collector.records() if r["message"] == "w"]
    assert len(recs) == n * per
    tids = set()
    for w in range(n):
        mine = [r for r in recs if r["w"] == w]
        assert [r["i"] for r in mine] == list(range(per))
        tids.add(mine[0]["process.thread.id"])
    assert len(tids) == n


def _fill_while_stopped(collector, ring, count, size=400):
    """Stops shmlogd (SIGSTOP: alive, not draining) and writes COUNT records from a thread;
    returns (thread, results, ticks seen by this thread meanwhile)."""
    results = []

    def writer():
        for i in range(count):
            results.append(ring.info("fill", i=i, pad="p" * size))

    os.kill(collector.proc.pid, signal.SIGSTOP)
    t = threading.Thread(target=writer)
    t.start()
    ticks = 0
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        ticks += 1  # pure Python: runs only if the writer let go of the GIL
        time.sleep(0.001)
    return t, results, ticks


def test_a_writer_blocked_on_a_full_ring_lets_other_threads_run(shmlogd, ring_name):
    collector = shmlogd(ring_name, on_full="block")
    ring = shmlog.Ring(ring_name, on_full="block")
    count = 400  # ~170 KiB into a 64 KiB ring
    try:
        t, results, ticks = _fill_while_stopped(collector, ring, count)
        assert t.is_alive(), "the writer should be waiting for room"
        assert len(results) < count
        assert ticks > 100, "another thread must run while the writer waits"
    finally:
        os.kill(collector.proc.pid, signal.SIGCONT)
    t.join(10)
    assert not t.is_alive() and results == [True] * count
    ring.flush(timeout=10)
    got = [r["i"] for r in collector.records() if r["message"] == "fill"]
    assert got == list(range(count))  # lossless, in order


def test_the_drop_policy_drops_and_counts_without_waiting(shmlogd, ring_name):
    collector = shmlogd(ring_name)
    ring = shmlog.Ring(ring_name, on_full="drop")
    count = 400
    try:
        t, results, _ = _fill_while_stopped(collector, ring, count)
        t.join(5)
        assert not t.is_alive(), "a dropping writer never waits"
    finally:
        os.kill(collector.proc.pid, signal.SIGCONT)
    dropped = results.count(False)
    assert 0 < dropped < count and len(results) == count
    ring.info("after")
    ring.flush(timeout=10)
    recs = collector.records()
    assert len([r for r in recs if r["message"] == "fill"]) == count - dropped
    reports = [r for r in recs if "dropped" in r["message"]]
    assert reports and str(os.getpid()) in reports[0]["message"]


def test_a_timeout_policy_waits_that_long_then_drops(shmlogd, ring_name):
    collector = shmlogd(ring_name)
    ring = shmlog.Ring(ring_name, on_full="timeout:20")
    try:
        t, results, ticks = _fill_while_stopped(collector, ring, 200)
        t.join(20)
        assert not t.is_alive()
    finally:
        os.kill(collector.proc.pid, signal.SIGCONT)
    assert results.count(False) > 0 and ticks > 50
