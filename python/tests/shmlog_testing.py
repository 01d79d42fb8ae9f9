"""Helpers for the Python tests: unique ring names, and a real shmlogd on a ring.

    from shmlog_testing import Collector, unique_ring_name
    with Collector(unique_ring_name("t"), tmp_path, fmt="json") as c:
        ring = shmlog.Ring(c.ring)
        ring.info("x", n=1)
        ring.flush()
        assert c.records()[-1]["n"] == 1

conftest.py wraps these as the fixtures ring_name and collector. Programs come from
SHMLOG_TEST_BIN_DIR (set by ctest: build/<dir>/bin); without it a test that needs shmlogd skips,
saying so.
"""

import itertools
import json
import os
import re
import signal
import subprocess
import time

import shmlog

_counter = itertools.count()


def unique_ring_name(prefix="py"):
    """A ring name no other test (or run) uses: PREFIX-PID-N."""
    return "%s-%d-%d" % (prefix, os.getpid(), next(_counter))


def bin_dir():
    """Where shmlogd and shmlogcat are, or None."""
    d = os.environ.get("SHMLOG_TEST_BIN_DIR")
    return d if d and os.path.exists(os.path.join(d, "shmlogd")) else None


def program(name):
    d = bin_dir()
    if d is None:
        raise RuntimeError("SHMLOG_TEST_BIN_DIR is not set (run through ctest)")
    return os.path.join(d, name)


class Collector:
    """A shmlogd draining ring RING into DIR/out.jsonl (fmt json) or DIR/out.log (text).

    start() waits until shmlogd is the ring's consumer; stop() sends SIGTERM and waits (it
    drains everything first) and returns the exit status; records() parses the JSON output."""

    def __init__(self, ring, directory, fmt="json", size="64K", on_full=None, extra_args=()):
        self.ring = ring
        self.dir = str(directory)
        self.fmt = fmt
        self.output = os.path.join(self.dir, "out.jsonl" if fmt == "json" else "out.log")
        self.args = [program("shmlogd"), "--ring", ring, "--output", self.output,
                     "--format", fmt, "--size", size, "--flush-interval", "10"]
        if on_full:
            self.args += ["--on-full", on_full]
        self.args += list(extra_args)
        self.proc = None
        self.stderr_path = os.path.join(self.dir, "shmlogd-%s.stderr" % ring)

    def start(self, timeout=10.0):
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self._stderr)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("shmlogd exited %d: %s" % (self.proc.returncode, self.stderr()))
            if self._consumer_attached():
                return self
            time.sleep(0.02)
        raise RuntimeError("shmlogd did not attach to ring %s within %.0f s" % (self.ring, timeout))

    def _consumer_attached(self):
        r = subprocess.run([program("shmlogcat"), "--stats", "--interval", "0", self.ring],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return False
        return any(re.match(r"collector\s+pid %d\b" % self.proc.pid, line)
                   for line in r.stdout.splitlines())

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout=10.0):
        """SIGTERM, wait; returns shmlogd's exit status (0: everything written)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def lines(self):
        try:
            with open(self.output, "rb") as f:
                return f.read().decode("utf-8").splitlines()
        except FileNotFoundError:
            return []

    def records(self):
        """Every record written so far, parsed (json format)."""
        return [json.loads(line) for line in self.lines()]

    def wait_for(self, predicate, timeout=10.0):
        """Polls records() until PREDICATE(records) is true; returns the records."""
        deadline = time.monotonic() + timeout
        while True:
            recs = self.records()
            if predicate(recs) or time.monotonic() > deadline:
                return recs
            time.sleep(0.02)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        try:
            shmlog.unlink(self.ring)
        except shmlog.Error:
            pass
