"""Fixtures for the Python tests (python/tests): see shmlog_testing.py.

    ring_name   a unique ring name; the ring is removed after the test
    collector   a running shmlogd (JSON output, 64 KiB ring) on ring_name, in tmp_path;
                stopped (SIGTERM) after the test. collector.records() parses what it wrote.
    shmlogd     a factory: shmlogd(name, fmt="json", size="64K", on_full=None) -> Collector,
                started; every one is stopped after the test.
    logger      a logging.Logger of the test's own (DEBUG, not propagating); its handlers are
                closed after the test, and logging's fast path is on again (shmlog.fast_path)
"""

import logging
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import shmlog  # noqa: E402
from shmlog_testing import Collector, bin_dir, unique_ring_name  # noqa: E402


@pytest.fixture
def ring_name():
    name = unique_ring_name()
    yield name
    try:
        shmlog.unlink(name)
    except shmlog.Error:
        pass


def _need_programs():
    if bin_dir() is None:
        pytest.skip("needs shmlogd: SHMLOG_TEST_BIN_DIR is not set or has no shmlogd "
                    "(run the tests through ctest)")


@pytest.fixture
def shmlogd(tmp_path):
    _need_programs()
    started = []

    def start(name, fmt="json", size="64K", on_full=None, extra_args=()):
        d = tmp_path / ("shmlogd-%d" % len(started))
        d.mkdir()
        c = Collector(name, d, fmt=fmt, size=size, on_full=on_full, extra_args=extra_args)
        started.append(c)
        return c.start()

    yield start
    for c in started:
        c.stop()
        try:
            shmlog.unlink(c.ring)
        except shmlog.Error:
            pass


@pytest.fixture
def collector(shmlogd, ring_name):
    return shmlogd(ring_name)


@pytest.fixture
def logger(request):
    lg = logging.getLogger("t.%s" % request.node.name)
    lg.propagate = False
    lg.setLevel(logging.DEBUG)
    yield lg
    for h in list(lg.handlers):
        lg.removeHandler(h)
        h.close()
    shmlog.fast_path(True)
