"""e2e_support.py - the end-to-end harness of issue 15: real servers logging to a real shmlogd.

It owns what the end-to-end tests share: a collector that can be SIGKILLed and restarted, a
`shmlogcat -f` follower, a gunicorn started on a listening socket the test made, a bounded HTTP
client that records which worker served which request id, and the checks on shmlogd's JSON file.
The collector is shmlog_testing's, with a kill and a restart added.

Everything waits for content (shmlogd named as the ring's collector, a marker seen by the
follower, a first answered request), never for a fixed time; every wait has a deadline and
says what it waited for.
"""
import collections
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

import shmlog
import shmlog_testing
from shmlog_testing import program, unique_ring_name

PYTHON = "/usr/bin/python3"  # Debian's: the one that sees gunicorn, uvicorn, fastapi, ...
TESTS_DIR = Path(__file__).resolve().parent
SOURCE_DIR = TESTS_DIR.parents[1]
PACKAGE_DIR = Path(shmlog.__file__).resolve().parents[1]  # what goes on the servers' PYTHONPATH

# Big enough that neither the writers (while shmlogd is down) nor the follower (on a loaded
# machine) can be lapped by 20,000 requests' records: the test is about delivery, not about a
# full ring.
RING_SIZE = "64M"
START_TIMEOUT = 60.0  # a slow loaded 2-core machine may take seconds to start 4 workers


def remove_ring(name):
    """Removes the ring, which outlives every process that used it."""
    try:
        shmlog.unlink(name)
    except shmlog.Error:
        pass


def deadline_wait(what, predicate, timeout, interval=0.02):
    """Calls predicate until it is true; raises naming WHAT after TIMEOUT seconds."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def stop_group(proc, sig=signal.SIGKILL):
    """Signals PROC's whole process group (every process was started in a session of its own)
    and reaps PROC. For the finally blocks: never raises for a group already gone."""
    if proc is None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Collector(shmlog_testing.Collector):
    """conftest's collector (shmlog_testing.Collector: start() returns once shmlogd is the
    ring's collector, stop() is SIGTERM), plus the crash it promises to survive."""

    def __init__(self, ring, directory):
        super().__init__(ring, directory, fmt="json", size=RING_SIZE)
        self.starts = self.kills = 0

    def start(self, timeout=START_TIMEOUT):
        self.starts += 1
        return super().start(timeout)

    def kill_and_restart(self):
        """SIGKILL, reap, start again; the killed one's stderr is kept beside the new one's."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._stderr.close()
        self.kills += 1
        os.replace(self.stderr_path, f"{self.stderr_path}.{self.kills}")
        self.start()


class Follower:
    """`shmlogcat -f -o json RING`, read by a thread; counts request ids as they go by.

    --no-nice: on a loaded 2-core machine a follower at SCHED_IDLE may not run at all until the
    load ends, and is then lapped; the test wants to see that following live works, so it runs
    at normal priority."""

    def __init__(self, ring, log_dir):
        self.stderr_path = Path(log_dir) / f"shmlogcat-{ring}.stderr"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [program("shmlogcat"), "-f", "--no-nice", "-o", "json", ring],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True)
        self.request_ids = collections.Counter()
        self.messages = collections.Counter()
        self.holding = set()  # request ids of the "holding" records (e2e_wsgi_app, e2e_asgi_app)
        self.bad_lines = []
        self.lines = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                rec = json.loads(raw)
            except ValueError:
                rec = None
            with self._cond:
                self.lines += 1
                if not isinstance(rec, dict):
                    self.bad_lines.append(raw[:200])
                else:
                    if "request_id" in rec:
                        self.request_ids[rec["request_id"]] += 1
                        if rec.get("message") == "holding":
                            self.holding.add(rec["request_id"])
                    self.messages[rec.get("message")] += 1
                self._cond.notify_all()

    def wait_for_message(self, message, timeout=START_TIMEOUT, count=1):
        with self._cond:
            if not self._cond.wait_for(lambda: self.messages[message] >= count, timeout):
                raise TimeoutError(f"shmlogcat -f did not show {count} x {message!r} within "
                                   f"{timeout:.0f} s (it printed {self.lines} lines; stderr: "
                                   f"{self.stderr()!r})")

    def wait_for_holding(self, request_ids, timeout=START_TIMEOUT):
        with self._cond:
            if not self._cond.wait_for(lambda: self.holding >= set(request_ids), timeout):
                raise TimeoutError(f"shmlogcat -f did not show requests {sorted(request_ids)} "
                                   f"holding within {timeout:.0f} s (it showed {self.holding})")

    def stderr(self):
        """What shmlogcat said besides records: a loss ("-- lost N records --"), an error."""
        return self.stderr_path.read_text(errors="replace")

    def close(self):
        stop_group(self.proc)
        self._thread.join(timeout=10)


def log_marker(ring_name, what):
    """Logs a record whose message is unique and returns the message: what a reader waits for."""
    message = f"e2e marker {what} {uuid.uuid4().hex}"
    subprocess.run([program("shmlogger"), "-r", ring_name, "-t", "e2e", message],
                   check=True, timeout=30)
    return message


def listening_socket():
    """A loopback socket listening on a free port, for gunicorn to inherit (-b fd://N): no race
    for the port between choosing it and binding it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


class Gunicorn:
    """A real gunicorn master with its workers, in a process group of its own."""

    def __init__(self, app, sock, log_dir, *, config, worker_class="sync", workers=4, env=()):
        self.port = sock.getsockname()[1]
        self.stderr_path = Path(log_dir) / f"gunicorn-{self.port}.stderr"
        # --timeout: a worker starved on a loaded machine is slow, not hung; the master must not
        # kill it (its exit record would be missing). --keep-alive: see Client.
        cmd = [PYTHON, "-m", "gunicorn", "-c", str(config), "-b", f"fd://{sock.fileno()}",
               "-w", str(workers), "-k", worker_class, "--timeout", "120",
               "--graceful-timeout", "60", "--keep-alive", "300", app]
        pythonpath = os.pathsep.join([str(PACKAGE_DIR), str(TESTS_DIR)])
        # No __pycache__ beside the apps: they live in the source tree.
        full_env = dict(os.environ, PYTHONPATH=pythonpath, PYTHONDONTWRITEBYTECODE="1", **dict(env))
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         pass_fds=(sock.fileno(),), env=full_env,
                                         cwd=str(TESTS_DIR), start_new_session=True)

    def wait_serving(self, client):
        """Waits until a request is answered: the first answer proves a worker is up. The
        socket listens already, so the request waits in its backlog until a worker accepts it."""
        saved, client.timeout = client.timeout, START_TIMEOUT
        try:
            return client.request(f"ready-{uuid.uuid4().hex[:8]}")
        except OSError as e:
            raise RuntimeError(f"gunicorn did not answer ({e}):\n{self.stderr()}") from None
        finally:
            client.timeout = saved
            client.close_connection()

    def close(self):
        stop_group(self.proc)

    def stderr(self):
        return self.stderr_path.read_text(errors="replace")[-4000:]


class Client:
    """An HTTP client on loopback: a connection per thread, kept alive while the server keeps
    it (sync workers close each one, uvicorn keeps it: the tests give gunicorn a keep-alive
    longer than any pause, so no request meets a connection the server has just closed), a
    timeout on each request, and no retries: a request that fails fails the test."""

    def __init__(self, port, path="/", timeout=60.0):
        self.port, self.path, self.timeout = port, path, timeout
        self.served = {}  # request id -> pid of the worker that answered
        self.milestones = []  # requests answered as each milestone of run_load began
        self._lock = threading.Lock()
        self._local = threading.local()

    def request(self, request_id, path=None):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                 timeout=self.timeout)
        try:
            conn.request("GET", path or self.path, headers={"X-Request-Id": request_id})
            resp = conn.getresponse()
            body = resp.read()
        except BaseException:
            self.close_connection()
            raise
        if resp.status != 200:
            raise RuntimeError(f"request {request_id}: HTTP {resp.status}: {body[:200]!r}")
        answer = json.loads(body)
        if answer.get("request_id") != request_id:
            raise RuntimeError(f"request {request_id} answered for {answer.get('request_id')!r}")
        with self._lock:
            self.served[request_id] = answer["pid"]
        return answer

    def close_connection(self):
        """Closes this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def run_load(self, prefix, count, threads=6, milestones=()):
        """Sends COUNT requests with ids PREFIX-00000 ... from THREADS threads. MILESTONES is a
        list of (request count, function): each function is called once, in a thread of its own
        so that the load goes on, when that many requests have been answered; self.milestones
        says how many had been answered as each began. Returns the ids; raises the first
        failure, of a request or of a milestone."""
        ids = [f"{prefix}-{i:05d}" for i in range(count)]
        next_index = iter(range(count))
        done = [0]
        errors = []
        progress = threading.Condition()

        def worker():
            try:
                send()
            finally:
                self.close_connection()

        def send():
            while not errors:
                with progress:
                    i = next(next_index, None)
                if i is None:
                    return
                try:
                    self.request(ids[i])
                except Exception as e:  # noqa: BLE001 - reported below, with the request id
                    errors.append(e)
                    return
                with progress:
                    done[0] += 1
                    progress.notify_all()

        def milestone_runner():
            for at, action in sorted(milestones, key=lambda m: m[0]):
                with progress:
                    progress.wait_for(lambda: done[0] >= at or errors or finished.is_set())
                    if errors or done[0] < at:
                        return
                    self.milestones.append(done[0])
                try:
                    action()
                except Exception as e:  # noqa: BLE001
                    errors.append(e)
                    return

        finished = threading.Event()
        runner = threading.Thread(target=milestone_runner, daemon=True)
        runner.start()
        pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        finished.set()
        with progress:
            progress.notify_all()
        runner.join()
        if errors:
            raise errors[0]
        assert done[0] == count, f"{done[0]} of {count} requests answered"
        return ids


def read_json_lines(path):
    """Every line of shmlogd's output, parsed; a line that is not one JSON object fails."""
    records = []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            assert line.endswith(b"\n"), f"{path}:{n}: a torn last line: {line[:200]!r}"
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise AssertionError(f"{path}:{n}: not JSON ({e}): {line[:200]!r}") from None
            assert isinstance(rec, dict), f"{path}:{n}: not a JSON object: {line[:200]!r}"
            records.append(rec)
    return records


def assert_each_request_once(records, served, what):
    """Each request id of SERVED (id -> pid) is in RECORDS exactly once, and that record's
    process.pid is the pid of the worker that answered the request. WHAT names the records
    for the failure messages. Records of other request ids are an error too."""
    seen = collections.Counter(r["request_id"] for r in records)
    missing = sorted(set(served) - set(seen))
    duplicated = sorted(rid for rid, n in seen.items() if n > 1)
    unknown = sorted(set(seen) - set(served))
    assert not missing, f"{what}: {len(missing)} of {len(served)} requests have no record: {missing[:10]}"
    assert not duplicated, f"{what}: {len(duplicated)} requests have more than one record: " \
                           f"{[(r, seen[r]) for r in duplicated[:10]]}"
    assert not unknown, f"{what}: records of requests nobody sent: {unknown[:10]}"
    wrong_pid = [(r["request_id"], r["process.pid"], served[r["request_id"]])
                 for r in records if r["process.pid"] != served[r["request_id"]]]
    assert not wrong_pid, f"{what}: {len(wrong_pid)} records name another pid than the worker " \
                          f"that answered (id, record's pid, worker's pid): {wrong_pid[:10]}"


def kill_points(count, kills):
    """The request counts at which to kill the collector: KILLS of them, evenly spread over
    COUNT requests, none at the very start or end."""
    return [count * (k + 1) // (kills + 1) for k in range(kills)]


def report(name, **figures):
    """One line per run for the test log (pytest -s, or the captured output of a failure)."""
    print(f"[{name}] " + " ".join(f"{k}={v}" for k, v in figures.items()), file=sys.stderr)


class Scenario:
    """Acceptance 2 of issue 15 as one story, for any gunicorn app that logs each request with
    its request id in context and answers with its pid:

    a collector and a follower on a fresh ring; gunicorn on a fresh socket; REQUESTS requests
    while the collector is SIGKILLed and restarted KILLS times, spread by request count; HOLDS
    requests left in flight; gunicorn stopped with SIGTERM, the held requests released once the
    master is stopping; a final marker that the follower must show; the collector stopped with
    SIGTERM; then shmlogd's JSON file read back and checked.

    kinds maps a name to (is_request_record, is_exit_record): predicates on a JSON record that
    pick each request's one record, and the record each worker logs as it exits. Every
    request must have exactly one record of every kind, from the pid that answered it, and
    every worker that answered must have logged exactly one exit record of every kind that
    has one (is_exit_record None: that kind logs none)."""

    REQUESTS = int(os.environ.get("SHMLOG_E2E_REQUESTS", "20000"))
    KILLS = 5
    HOLDS = 4
    THREADS = 6

    def __init__(self, tmp_path, name, kinds):
        self.tmp_path, self.name, self.kinds = Path(tmp_path), name, kinds
        self.ring = unique_ring_name(f"e2e-{name}")

    def run(self, app, *, config, worker_class, path="/", env=()):
        if shmlog_testing.bin_dir() is None:
            pytest.skip("needs shmlogd: SHMLOG_TEST_BIN_DIR is not set or has no shmlogd "
                        "(run the tests through ctest)")
        started = time.monotonic()
        collector = follower = server = sock = None
        env = dict(env, SHMLOG_E2E_RING=self.ring, SHMLOG_RING=self.ring)
        try:
            collector = Collector(self.ring, self.tmp_path)
            collector.start()
            follower = Follower(self.ring, self.tmp_path)
            follower.wait_for_message(log_marker(self.ring, "follower attached"))

            sock = listening_socket()
            server = Gunicorn(app, sock, self.tmp_path, config=config,
                              worker_class=worker_class, env=env)
            sock.close()  # gunicorn has its own copy now
            client = Client(server.port, path)
            server.wait_serving(client)

            load_started = time.monotonic()
            client.run_load(self.name, self.REQUESTS, threads=self.THREADS,
                            milestones=[(at, collector.kill_and_restart)
                                        for at in kill_points(self.REQUESTS, self.KILLS)])
            load_seconds = time.monotonic() - load_started

            self._stop_server_with_requests_in_flight(server, client, follower)

            # The follower shows every record of the run before the marker: a slow one (ASan,
            # a loaded machine) needs time in proportion. Waited for by content, so a fast
            # run does not wait longer.
            follower.wait_for_message(log_marker(self.ring, "end of run"),
                                      timeout=START_TIMEOUT + self.REQUESTS / 100)
            status = collector.stop(timeout=60)
            assert status == 0, f"shmlogd did not exit 0 but {status}:\n{collector.stderr()}"
            assert not follower.bad_lines, f"shmlogcat -f printed non-JSON: {follower.bad_lines[:5]}"
            assert not follower.stderr(), f"shmlogcat -f said: {follower.stderr()[:2000]}"
            self._check(collector.output, client.served, follower)
            report(self.name, requests=self.REQUESTS, answered=len(client.served),
                   collector_kills=collector.kills, collector_starts=collector.starts,
                   killed_at_requests=",".join(map(str, client.milestones)),
                   load_seconds=f"{load_seconds:.1f}",
                   requests_per_second=f"{self.REQUESTS / load_seconds:.0f}",
                   records=self.records_checked, total_seconds=f"{time.monotonic() - started:.1f}")
            assert collector.kills == self.KILLS and collector.starts == self.KILLS + 1
            assert all(n < self.REQUESTS for n in client.milestones), \
                f"a collector kill came after the load: at {client.milestones} requests"
        finally:
            if sock is not None:
                sock.close()
            for part in (server, follower):
                if part is not None:
                    part.close()
            if collector is not None:
                collector.stop()
            remove_ring(self.ring)

    def _stop_server_with_requests_in_flight(self, server, client, follower):
        """HOLDS requests wait in their workers until the master is stopping; the stop is
        graceful, so they are answered, and what they log then must be in the file too."""
        release = self.tmp_path / "release-held-requests"
        held_ids = [f"{self.name}-held-{k}" for k in range(self.HOLDS)]
        held = [threading.Thread(target=client.request, args=(rid, f"/hold?release={release}"),
                                 daemon=True) for rid in held_ids]
        for t in held:
            t.start()
        follower.wait_for_holding(held_ids)
        server.proc.send_signal(signal.SIGTERM)
        # gunicorn's master says this just before it signals its workers.
        deadline_wait("gunicorn to say it handles SIGTERM",
                      lambda: "Handling signal: term" in server.stderr(), START_TIMEOUT)
        release.touch()
        for t in held:
            t.join(timeout=START_TIMEOUT)
        status = server.proc.wait(timeout=120)
        assert status == 0, f"gunicorn exited with {status}:\n{server.stderr()}"
        missing = [rid for rid in held_ids if rid not in client.served]
        assert not missing, f"requests in flight at the stop went unanswered: {missing}\n" \
                            f"{server.stderr()}"

    def _check(self, output, served, follower):
        records = read_json_lines(output)
        self.records_checked = 0
        serving_pids = set(served.values())
        for kind, (is_request, is_exit) in self.kinds.items():
            chosen = [r for r in records if is_request(r)]
            assert_each_request_once(chosen, served, f"{kind} records")
            self.records_checked += len(chosen)
            if is_exit is None:
                continue
            exits = collections.Counter(r["process.pid"] for r in records if is_exit(r))
            assert serving_pids <= set(exits), \
                f"{kind}: workers that served requests but logged no exit record: " \
                f"{sorted(serving_pids - set(exits))}"
            assert all(n == 1 for n in exits.values()), f"{kind}: exit records per pid: {exits}"
            self.records_checked += sum(exits.values())
        in_file = collections.Counter(r["request_id"] for r in records if "request_id" in r)
        if follower.request_ids != in_file:
            differ = sorted(rid for rid in set(in_file) | set(follower.request_ids)
                            if in_file[rid] != follower.request_ids[rid])
            raise AssertionError(
                f"shmlogcat -f and the file disagree on {len(differ)} request ids (id, file, "
                f"follower): {[(rid, in_file[rid], follower.request_ids[rid]) for rid in differ[:10]]}")
