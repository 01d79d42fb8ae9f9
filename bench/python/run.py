#!/usr/bin/python3
"""bench/python/run.py - the Python API of shmlog beside what Python programs log with (issue 15).

Two parts, every variant in the same run, alternated round by round (the order rotates):

  per call   one process makes CALLS calls of the variant's idiomatic call, timed with
             time.perf_counter_ns over blocks of BLOCK calls; per round: the mean per call over
             all calls, the p50 and p99 of the block means, and the total per call once the
             variant has written everything (its drain: listener stopped, complete(), flush()).
  end to end P = 1, 2, 4 forked writer processes each log LINES lines into one file; lines/s =
             P x LINES / the time from releasing the writers until every line is in the file.
             Every output is read back: each line id exactly once, nothing else; a run that is
             off is reported as LOSSY, never as a speed.

Markdown tables on stdout, progress on stderr, CSV (python.csv, python_runs.csv) with --csv.
Usage: /usr/bin/python3 bench/python/run.py [--quick] [--bin DIR] [--csv DIR] (--help: all)
Run with PYTHONPATH pointing at the built package (build/<dir>/python); see bench/README.md.
"""

import argparse
import gc
import logging
import logging.handlers
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import loguru
import structlog

try:
    import shmlog
    SHMLOG_ERROR = None
except ImportError as e:  # the alternatives still run; the shmlog rows say why they are missing
    shmlog = None
    SHMLOG_ERROR = str(e)

from loguru import logger as loguru_logger

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"
ID_STRIDE = 10_000_000  # writer w logs ids w * ID_STRIDE + 0 .. LINES - 1
ID_RE = re.compile(rb'request (\d+) done|"i": ?(\d+)')


def say(*args):
    print("python bench:", *args, file=sys.stderr, flush=True)


# ---- the idiomatic calls (one loop per API, so every variant of an API runs the same code) -----

def loop_logging(log, start, stop):
    for i in range(start, stop):
        log.info("request %d done", i)


def loop_loguru(log, start, stop):
    for i in range(start, stop):
        log.info("request {} done", i)


def loop_fields(log, start, stop):  # structlog and shmlog.Ring
    for i in range(start, stop):
        log.info("request done", i=i)


# ---- variants -----------------------------------------------------------------------------------
#
# A variant is set up in three places, because the end-to-end part forks its writers:
#   before(ctx)      in the parent, before the writers exist (loguru's enqueue sink, which the
#                    children inherit, as loguru's documentation prescribes for multiprocessing)
#   open(ctx)        in the writer: returns (object to call .info on, drain) where drain() returns
#                    once everything this writer logged is written (or, for shmlog, consumed)
#   after(ctx, st)   in the parent, after every writer returned (loguru: complete() and remove)
# ctx: {"path": output file, "ring": ring name (shmlog variants)}.

class Variant:
    fast = False  # shmlog's fast path for logging (Logger._log in C): on only where it is the point

    def __init__(self, key, label, loop, shm=False, delivers=True):
        self.key, self.label, self.loop, self.shm, self.delivers = key, label, loop, shm, delivers

    def opened(self, ctx):
        """open(), then shmlog's fast path set as this variant wants it, whatever a shmlog.Handler
        made earlier in this process did: the other variants run logging's own Logger._log."""
        got = self.open(ctx)
        if shmlog is not None:
            shmlog.fast_path(self.fast)
        return got

    def before(self, ctx):
        return None

    def after(self, ctx, state):
        pass


def std_logger(key, handler, level=logging.INFO):
    log = logging.getLogger("bench." + key)
    for h in list(log.handlers):
        log.removeHandler(h)
    log.propagate = False
    log.setLevel(level)
    log.addHandler(handler)
    return log


class DoNothing(logging.Handler):
    """The floor: the logging machinery up to Handler.emit, which does nothing."""

    def emit(self, record):
        pass


class Disabled(Variant):
    def open(self, ctx):
        log = std_logger(self.key, DoNothing(), level=logging.WARNING)
        return log, lambda: None


class Floor(Variant):
    def open(self, ctx):
        return std_logger(self.key, DoNothing()), lambda: None


class FileH(Variant):
    def open(self, ctx):
        h = logging.FileHandler(ctx["path"])  # mode "a": O_APPEND, one write(2) per record
        h.setFormatter(logging.Formatter(LINE_FORMAT))
        return std_logger(self.key, h), h.close


class QueueH(Variant):
    def open(self, ctx):
        q = queue.Queue(-1)
        fh = logging.FileHandler(ctx["path"])
        fh.setFormatter(logging.Formatter(LINE_FORMAT))
        listener = logging.handlers.QueueListener(q, fh)
        listener.start()

        def drain():
            listener.stop()  # processes what is queued, then joins the thread
            fh.close()

        return std_logger(self.key, logging.handlers.QueueHandler(q)), drain


class LoguruFloor(Variant):
    """loguru's own front end: a sink object whose write() does nothing (default format)."""

    class Sink:
        def write(self, message):
            pass

    def before(self, ctx):
        loguru_logger.remove()
        return loguru_logger.add(self.Sink())

    def open(self, ctx):
        return loguru_logger, lambda: None

    def after(self, ctx, state):
        loguru_logger.remove(state)


class LoguruEnqueue(Variant):
    def before(self, ctx):
        loguru_logger.remove()
        return loguru_logger.add(ctx["path"], enqueue=True)  # loguru's default format

    def open(self, ctx):
        return loguru_logger, lambda: None

    def after(self, ctx, state):
        loguru_logger.complete()  # returns once the writer thread wrote all that was queued
        loguru_logger.remove(state)


def structlog_logger(factory_logger, processors):
    # What structlog's documentation recommends for speed: a filtering bound logger, cached.
    return structlog.wrap_logger(
        factory_logger, processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=True)


class StructlogJSON(Variant):
    def open(self, ctx):
        f = open(ctx["path"], "a")
        log = structlog_logger(structlog.WriteLogger(f), [
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ])
        return log, f.close


class ShmHandler(Variant):
    fast = True  # the default: the first shmlog.Handler turns it on

    def open(self, ctx):
        ring = shmlog.Ring(ctx["ring"])
        return std_logger(self.key, shmlog.Handler(ring)), lambda: shm_drain(ring)


class ShmHandlerSlow(ShmHandler):
    fast = False  # shmlog.fast_path(False): logging builds its LogRecord, the Emitter writes it


class ShmRing(Variant):
    def open(self, ctx):
        ring = shmlog.Ring(ctx["ring"])
        return ring, lambda: shm_drain(ring)


class ShmStructlog(Variant):
    def open(self, ctx):
        ring = shmlog.Ring(ctx["ring"])
        log = structlog_logger(shmlog.structlog_factory(ring)(), [
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
        ])
        return log, lambda: shm_drain(ring)


class ShmLoguru(Variant):
    def before(self, ctx):
        loguru_logger.remove()
        return None

    def open(self, ctx):
        ring = shmlog.Ring(ctx["ring"])
        sink = loguru_logger.add(shmlog.loguru_sink(ring))

        def drain():
            loguru_logger.remove(sink)
            shm_drain(ring)

        return loguru_logger, drain


def shm_drain(ring):
    ring.flush(timeout=30.0)
    ring.close()


VARIANTS = [
    Disabled("disabled", "logging, level disabled (reference)", loop_logging, delivers=False),
    Floor("floor", "logging, do-nothing Handler (the floor)", loop_logging, delivers=False),
    FileH("file", "logging.FileHandler, one O_APPEND file", loop_logging),
    QueueH("queue", "logging QueueHandler + QueueListener -> FileHandler", loop_logging),
    LoguruFloor("loguru_floor", "loguru, do-nothing sink (loguru's floor)", loop_loguru,
                delivers=False),
    LoguruEnqueue("loguru_enqueue", "loguru enqueue=True -> file", loop_loguru),
    StructlogJSON("structlog_json", "structlog JSONRenderer -> file", loop_fields),
    ShmHandler("shm_handler", "shmlog.Handler -> shmlogd", loop_logging, shm=True),
    ShmHandlerSlow("shm_handler_slow", "shmlog.Handler, fast path off -> shmlogd", loop_logging,
                   shm=True),
    ShmRing("shm_ring", "shmlog Ring.info direct -> shmlogd", loop_fields, shm=True),
    ShmStructlog("shm_structlog", "structlog via shmlog -> shmlogd", loop_fields, shm=True),
    ShmLoguru("shm_loguru", "loguru via shmlog -> shmlogd", loop_loguru, shm=True),
]
BY_KEY = {v.key: v for v in VARIANTS}


# ---- shmlogd --------------------------------------------------------------------------------------

class Shmlogd:
    """One shmlogd on a fresh ring, JSON into one file. --fsync none: no alternative syncs
    (bench_e2e does the same). Returns once shmlogd holds the ring, as `shmlogcat --stats` says."""

    def __init__(self, bindir, ring, path):
        self.ring, self.path, self.err, self.cpu = ring, path, "", 0.0
        self.proc = subprocess.Popen(
            [os.path.join(bindir, "shmlogd"), "--ring", ring, "--output", path, "--format", "json",
             "--fsync", "none"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        held = re.compile(rf"^collector +pid {self.proc.pid}, alive", re.M)
        deadline = time.monotonic() + 10
        while True:
            st = subprocess.run([os.path.join(bindir, "shmlogcat"), "--stats", "--interval=0", ring],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if st.returncode == 0 and held.search(st.stdout):
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"shmlogd did not take ring {ring}: {self.err}")
            time.sleep(0.002)

    def stop(self):
        """SIGTERM: shmlogd writes everything committed, then exits. Returns its exit status.
        The ring goes too (4 MiB of /dev/shm each, one per run): shmlog.unlink."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.err = self.proc.stderr.read().decode(errors="replace").strip()
        if self.proc.returncode is None:  # reaped here for its rusage: shmlogd's CPU
            _, status, ru = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(status)
            self.cpu = ru.ru_utime + ru.ru_stime
        unlink_ring(self.ring)
        return self.proc.returncode


def unlink_ring(name):
    try:
        shmlog.unlink(name)
    except OSError as e:
        say(f"could not remove ring {name}: {e}")


# ---- counting what was delivered ----------------------------------------------------------------

def check(path, expected_ids):
    """Reads the output back: each expected id exactly once, no other line.
    Returns (lines delivered, reason or None)."""
    want = set(expected_ids)
    seen = set()
    dup = foreign = 0
    try:
        with open(path, "rb") as f:
            for line in f:
                m = ID_RE.search(line)
                n = int(m.group(1) or m.group(2)) if m else None
                if n is None or n not in want:
                    foreign += 1
                elif n in seen:
                    dup += 1
                else:
                    seen.add(n)
    except FileNotFoundError:
        pass
    missing = len(want) - len(seen)
    delivered = len(seen) + dup
    problems = [f"{k} {what}" for k, what in ((missing, "missing"), (dup, "duplicated"),
                                             (foreign, "unexpected lines")) if k]
    return delivered, ("; ".join(problems) if problems else None)


def ids(writers, lines):
    return [i for w in range(writers) for i in range(w * ID_STRIDE, w * ID_STRIDE + lines)]


# ---- per call --------------------------------------------------------------------------------------

def percall_once(v, ctx, calls, block, base):
    """One round of one variant in this process: a warm-up block, then calls in timed blocks."""
    state = v.before(ctx)
    log, drain = v.opened(ctx)
    clock = time.perf_counter_ns
    v.loop(log, base, base + block)  # warm-up: first-call caches, file opened, thread started
    blocks = []
    start = base + block
    cpu_first = time.thread_time_ns()
    t_first = clock()
    for s in range(start, start + calls, block):
        t0 = clock()
        v.loop(log, s, s + block)
        blocks.append((clock() - t0) / block)
    t_calls = clock()
    cpu_calls = time.thread_time_ns()
    drain()
    v.after(ctx, state)
    t_done = clock()
    blocks.sort()
    return {
        "mean_ns": (t_calls - t_first) / calls,
        "cpu_ns": (cpu_calls - cpu_first) / calls,
        "p50_ns": statistics.median(blocks),
        "p99_ns": blocks[min(len(blocks) - 1, int(0.99 * len(blocks)))],
        "total_ns": (t_done - t_first) / calls,
    }


def run_percall(variants, args, tmp):
    calls, block, rounds = args.calls, args.block, args.rounds
    per_round = calls + block
    daemons = {}
    for v in variants:  # one shmlogd (ring and file) per shmlog variant for the whole part
        if v.shm:
            ring = f"pybench-{os.getpid()}-pc-{v.key}"
            daemons[v.key] = Shmlogd(args.bin, ring, os.path.join(tmp, f"pc-{v.key}.json"))
    rows = []
    try:
        for r in range(rounds):
            order = variants[r % len(variants):] + variants[:r % len(variants)]
            say(f"per call, round {r + 1}/{rounds}")
            for v in order:
                if v.shm:
                    ctx = {"ring": daemons[v.key].ring}
                else:
                    ctx = {"path": os.path.join(tmp, f"pc-{v.key}-{r}.log")}
                gc.collect()
                res = percall_once(v, ctx, calls, block, r * per_round)
                res.update(part="percall", round=r, variant=v.key, P=1, lines=per_round)
                if v.delivers and not v.shm:
                    res["delivered"], res["reason"] = check(
                        ctx["path"], range(r * per_round, (r + 1) * per_round))
                    os.unlink(ctx["path"])
                rows.append(res)
    finally:
        for key, d in daemons.items():  # shmlog: one count per variant over all its rounds
            status = d.stop()
            delivered, reason = check(d.path, range(rounds * per_round))
            if status != 0:
                reason = f"shmlogd exited {status}: {d.err}" + (f"; {reason}" if reason else "")
            for res in rows:
                if res["variant"] == key:
                    res["delivered"], res["reason"] = delivered, reason
                    res["lines"] = rounds * per_round
    return rows


# ---- end to end ------------------------------------------------------------------------------------

def writer(v, ctx, w, lines, ready_w, go_r, cpu_w):
    """A forked writer: opens its logger, says ready, waits for go, logs, drains, reports the
    CPU it (all its threads) spent from go to the end, exits."""
    status = 0
    try:
        log, drain = v.opened(ctx)
        os.write(ready_w, b"r")
        os.read(go_r, 1)
        cpu0 = time.process_time()
        v.loop(log, w * ID_STRIDE, w * ID_STRIDE + lines)
        drain()
        os.write(cpu_w, f"{time.process_time() - cpu0:.9f}\n".encode())
    except BaseException as e:  # reported by the parent as the run's failure
        print(f"python bench: writer {w} ({v.key}): {e!r}", file=sys.stderr, flush=True)
        status = 1
    finally:
        sys.stderr.flush()
        os._exit(status)


def e2e_once(v, p, lines, args, tmp, tag):
    path = os.path.join(tmp, f"e2e-{tag}.out")
    ctx = {"path": path}
    daemon = None
    if v.shm:
        ctx["ring"] = f"pybench-{os.getpid()}-{tag}"
        daemon = Shmlogd(args.bin, ctx["ring"], path)
    state = v.before(ctx)
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    cpu_r, cpu_w = os.pipe()
    pids = []
    for w in range(p):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(go_w)
            os.close(cpu_r)
            writer(v, ctx, w, lines, ready_w, go_r, cpu_w)
        pids.append(pid)
    os.close(ready_w)
    os.close(go_r)
    os.close(cpu_w)
    got = 0
    while got < p:
        b = os.read(ready_r, p)
        if not b:
            break
        got += len(b)
    parent0 = time.process_time()
    t0 = time.perf_counter_ns()
    os.write(go_w, b"g" * p)
    failed = []
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(st) != 0:
            failed.append(str(os.waitstatus_to_exitcode(st)))
    v.after(ctx, state)
    status = daemon.stop() if daemon else 0
    secs = (time.perf_counter_ns() - t0) / 1e9
    cpu = time.process_time() - parent0  # loguru's writer thread lives in the runner
    with os.fdopen(cpu_r) as f:
        cpu += sum(float(x) for x in f.read().split())
    cpu += daemon.cpu if daemon else 0.0
    os.close(ready_r)
    os.close(go_w)
    delivered, reason = check(path, ids(p, lines))
    if failed:
        reason = "writers failed (exit " + ",".join(failed) + ")" + (f"; {reason}" if reason else "")
    if status != 0:
        reason = f"shmlogd exited {status}: {daemon.err}" + (f"; {reason}" if reason else "")
    os.unlink(path) if os.path.exists(path) else None
    return {"seconds": secs, "lines_per_s": p * lines / secs, "cpu_us_line": cpu * 1e6 / (p * lines),
            "delivered": delivered,
            "reason": reason, "lines": p * lines}


def run_e2e(variants, args, tmp):
    rows = []
    for r in range(args.e2e_rounds):
        for p in args.writers:
            say(f"end to end, round {r + 1}/{args.e2e_rounds}, P={p}")
            k = (r * len(args.writers) + p) % len(variants)
            for v in variants[k:] + variants[:k]:
                gc.collect()
                res = e2e_once(v, p, args.lines, args, tmp, f"{v.key}-{r}-{p}")
                res.update(part="e2e", round=r, variant=v.key, P=p)
                rows.append(res)
    return rows


# ---- summaries, tables, CSV -----------------------------------------------------------------------

def mmm(xs):
    xs = [x for x in xs if x is not None]
    return (statistics.median(xs), min(xs), max(xs)) if xs else None


def fmt(t, digits=0, scale=1.0):
    if t is None:
        return "—"
    med, lo, hi = (x / scale for x in t)
    return f"{med:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def clean(res):
    return res.get("reason") is None


def ratios(rows, part, num, den, p, field, invert=False):
    """Per-round ratio num/den of one figure (same round, same P), both runs clean."""
    out = []
    for r in sorted({x["round"] for x in rows if x["part"] == part}):
        a = [x for x in rows if x["part"] == part and x["round"] == r and x["P"] == p
             and x["variant"] == num]
        b = [x for x in rows if x["part"] == part and x["round"] == r and x["P"] == p
             and x["variant"] == den]
        if a and b and clean(a[0]) and clean(b[0]):
            out.append(b[0][field] / a[0][field] if invert else a[0][field] / b[0][field])
    return out


def delivered_cell(runs):
    bad = [x for x in runs if not clean(x)]
    if not runs[0].get("lines"):
        return "not counted (writes nothing)"
    if not bad:
        return f"all {runs[0]['lines']:,} each run" if runs[0]["part"] == "e2e" else \
            f"all {runs[0]['lines']:,}"
    return f"**LOSSY** in {len(bad)}/{len(runs)}: {bad[0]['reason']}"


def report(variants, rows, args, skipped):
    print("## Python: the shmlog package beside logging, loguru and structlog (issue 15)")
    print()
    print(f"/usr/bin/python3 {sys.version.split()[0]}, loguru {loguru.__version__}, structlog "
          f"{structlog_version()}; shmlog package: "
          f"{os.path.dirname(shmlog.__file__) if shmlog else 'not importable'}. Every cell: median "
          "(min–max) over rounds; variants alternate within each round in an order that rotates "
          "(bench/README.md says exactly what each variant is).")
    for key, why in skipped:
        print(f"\nSkipped: {BY_KEY[key].label}: {why}")
    print()
    pc = [x for x in rows if x["part"] == "percall"]
    if pc:
        print(f"### Per call, one process: {args.calls:,} calls a round in blocks of "
              f"{args.block:,}, {args.rounds} rounds")
        print()
        print("Calls: `logger.info(\"request %d done\", i)` (logging), `ring.info(\"request done\", "
              "i=i)` (shmlog.Ring), `log.info(\"request done\", i=i)` (structlog), "
              "`logger.info(\"request {} done\", i)` (loguru); the loop around them is included. "
              "*total* adds the drain after the last call (listener stopped, `complete()`, "
              "`ring.flush()`, file closed), divided by the calls. *CPU* is the calling thread's "
              "CPU time over the timed calls (`time.thread_time_ns`): what the call costs when "
              "nobody preempts it (other threads of the process, such as a listener, not "
              "included). ÷ floor: the same round's ratio to the do-nothing Handler.")
        print()
        print("| variant | ns/call, mean | p50 of block means | p99 of block means | total ns/call "
              "incl. drain | ÷ floor (mean) | CPU ns/call | ÷ floor (CPU) | lines delivered |")
        print("|---|---|---|---|---|---|---|---|---|")
        for v in variants:
            runs = [x for x in pc if x["variant"] == v.key]
            if not runs:
                continue
            rat = mmm(ratios(pc, "percall", v.key, "floor", 1, "mean_ns"))
            rcpu = mmm(ratios(pc, "percall", v.key, "floor", 1, "cpu_ns"))
            print(f"| {v.label} | {fmt(mmm(x['mean_ns'] for x in runs))} | "
                  f"{fmt(mmm(x['p50_ns'] for x in runs))} | {fmt(mmm(x['p99_ns'] for x in runs))} | "
                  f"{fmt(mmm(x['total_ns'] for x in runs))} | {fmt(rat, 2)} | "
                  f"{fmt(mmm(x['cpu_ns'] for x in runs))} | {fmt(rcpu, 2)} | "
                  f"{delivered_cell(runs)} |")
        print()
    e2e = [x for x in rows if x["part"] == "e2e"]
    if e2e:
        print(f"### End to end: P writer processes × {args.lines:,} lines into one file, "
              f"{args.e2e_rounds} rounds")
        print()
        print("Thousand lines/s = P × lines / (release of the writers → every line in the file), "
              "median (min–max) over clean runs; every output read back (each line id once, "
              "nothing else).")
        print()
        print("| variant | " + " | ".join(f"P={p}" for p in args.writers) + " | lines delivered |")
        print("|---|" + "---|" * len(args.writers) + "---|")
        for v in variants:
            runs = [x for x in e2e if x["variant"] == v.key]
            if not runs:
                continue
            cells = []
            for p in args.writers:
                at = [x for x in runs if x["P"] == p]
                good = [x["lines_per_s"] for x in at if clean(x)]
                cell = fmt(mmm(good), 0, 1e3) if good else "**LOSSY**"
                if good and len(good) < len(at):
                    cell += f" (**{len(at) - len(good)} LOSSY**)"
                cells.append(cell)
            bad = [x for x in runs if not clean(x)]
            dl = "all, every run" if not bad else \
                f"**LOSSY** in {len(bad)}/{len(runs)}: P={bad[0]['P']}: {bad[0]['reason']}"
            print(f"| {v.label} | " + " | ".join(cells) + f" | {dl} |")
        print()
        print("CPU per line, µs: user + system time spent from the release to the end of the "
              "run by the writers (all their threads, listeners included), the runner (loguru's "
              "writer thread) and shmlogd (its whole life), divided by the lines: what the "
              "lines/s above cost, which others' load on the machine does not change much.")
        print()
        print("| variant | " + " | ".join(f"P={p}" for p in args.writers) + " |")
        print("|---|" + "---|" * len(args.writers))
        for v in variants:
            runs = [x for x in e2e if x["variant"] == v.key and clean(x)]
            if runs:
                print(f"| {v.label} | " + " | ".join(
                    fmt(mmm(x["cpu_us_line"] for x in runs if x["P"] == p), 1)
                    for p in args.writers) + " |")
        print()
    goals(variants, rows, args)


def goals(variants, rows, args):
    keys = {v.key for v in variants}
    print("### Issue 15's goals, judged on ratios within each round (median, min–max)")
    print()
    print("Judged on the wall clock, as the issue states them, and again on CPU time (per call: "
          "the calling thread's; end to end: CPU per line of all processes), which a loaded "
          f"machine distorts less. Load average at the start {LOAD_AT_START}, at the end "
          f"{load()}.")
    print()
    print("| goal | wall clock | verdict | CPU time | verdict |")
    print("|---|---|---|---|---|")

    def verdict(t, ok):
        return "—" if t is None else ("met" if ok(t[0]) else "**not met**")

    def percall(key, field):
        return mmm(x[field] for x in rows if x["part"] == "percall" and x["variant"] == key)

    for key in ("shm_handler", "shm_handler_slow"):
        if not {key, "floor"} <= keys:
            continue
        t = mmm(ratios(rows, "percall", key, "floor", 1, "mean_ns"))
        t50 = mmm(ratios(rows, "percall", key, "floor", 1, "p50_ns"))
        c = mmm(ratios(rows, "percall", key, "floor", 1, "cpu_ns"))
        ok = lambda x: x <= 1.15  # noqa: E731
        what = "`shmlog.Handler`" if key == "shm_handler" else \
            "`shmlog.Handler`, fast path off (for reference)"
        print(f"| {what} per call ≤ 1.15× the do-nothing Handler | {fmt(t, 2)}× mean "
              f"(p50 of blocks {fmt(t50, 2)}×) | {verdict(t, ok)} | {fmt(c, 2)}× | {verdict(c, ok)} |")
    if "shm_ring" in keys:
        t, t50, c = percall("shm_ring", "mean_ns"), percall("shm_ring", "p50_ns"), \
            percall("shm_ring", "cpu_ns")
        ok = lambda x: x <= 400  # noqa: E731
        print(f"| `Ring.info` direct ≤ 400 ns per call | {fmt(t)} ns mean (p50 of blocks "
              f"{fmt(t50)}) | {verdict(t, ok)} | {fmt(c)} ns | {verdict(c, ok)} |")
    # Both end-to-end goals are judged for shmlog.Handler as it comes (fast path on), the
    # package's main door (the reference figures put 2.5x the queue and 20x loguru at
    # about the same lines/s); the other shmlog rows are printed for reference.
    p = max(args.writers)
    for num in ("shm_handler", "shm_handler_slow", "shm_ring", "shm_structlog", "shm_loguru"):
        for den, goal in (("queue", 2.5), ("loguru_enqueue", 20)):
            if not {num, den} <= keys:
                continue
            t = mmm(ratios(rows, "e2e", num, den, p, "lines_per_s"))
            c = mmm(ratios(rows, "e2e", num, den, p, "cpu_us_line", invert=True))
            tag = "" if num == "shm_handler" else " (for reference)"
            ok = lambda x: x >= goal  # noqa: E731
            print(f"| end to end P={p}: {BY_KEY[num].label} ≥ {goal}× {BY_KEY[den].label}{tag} | "
                  f"{fmt(t, 1)}× lines/s | {verdict(t, ok)} | {fmt(c, 1)}× less CPU per line | "
                  f"{verdict(c, ok)} |")
    runs = [x for x in rows if x.get("lines")]
    bad = [x for x in runs if not clean(x)]
    print(f"| every line delivered in every variant (counted) | {len(runs) - len(bad)} of "
          f"{len(runs)} counted runs exact | {'met' if not bad else '**not met**'} | | |")
    print()


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


LOAD_AT_START = load()


def structlog_version():
    from importlib.metadata import version
    try:
        return version("structlog")
    except Exception:
        return "?"


def write_csv(variants, rows, args, d):
    fields = ["part", "round", "variant", "P", "mean_ns", "p50_ns", "p99_ns", "total_ns", "cpu_ns",
              "seconds", "lines_per_s", "cpu_us_line", "lines", "delivered", "clean", "reason"]
    with open(os.path.join(d, "python_runs.csv"), "w") as f:
        f.write(",".join(fields) + "\n")
        for x in rows:
            x = dict(x, clean=int(clean(x)), reason=(x.get("reason") or "").replace(",", ";"))
            f.write(",".join(csv_cell(x.get(k)) for k in fields) + "\n")
    # One row per part, variant and P: median, min, max over clean runs; NaN where not measured.
    figures = ["mean_ns", "p50_ns", "p99_ns", "total_ns", "lines_per_s", "cpu_ns", "cpu_us_line"]
    with open(os.path.join(d, "python.csv"), "w") as f:
        f.write("part,index,variant,P," + ",".join(f"{k}_{s}" for k in figures
                                                    for s in ("med", "min", "max"))
                + ",runs,clean_runs,label\n")
        for part in ("percall", "e2e"):
            for idx, v in enumerate(variants):
                for p in sorted({x["P"] for x in rows if x["part"] == part}):
                    at = [x for x in rows if x["part"] == part and x["variant"] == v.key
                          and x["P"] == p]
                    if not at:
                        continue
                    good = [x for x in at if clean(x)]
                    cells = []
                    for k in figures:
                        t = mmm(x.get(k) for x in good) if good else None
                        cells += [csv_cell(c) for c in (t or (None, None, None))]
                    f.write(f"{part},{idx},{v.key},{p}," + ",".join(cells)
                            + f",{len(at)},{len(good)},{v.label.replace(',', ';')}\n")


def csv_cell(x):
    if x is None:
        return "NaN"
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


# ---- main ------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer calls, lines and rounds")
    ap.add_argument("--bin", metavar="DIR", help="where shmlogd and shmlogcat are (default: the "
                    "directory of the shmlogd on PATH)")
    ap.add_argument("--csv", metavar="DIR", help="write python.csv and python_runs.csv to DIR")
    ap.add_argument("--only", choices=("percall", "e2e"), help="run just one part")
    ap.add_argument("--variants", help="comma-separated keys: " + ",".join(BY_KEY))
    ap.add_argument("--calls", type=int, help="per-call part: calls a round (default 30000; "
                    "--quick 10000)")
    ap.add_argument("--block", type=int, default=1000, help="calls per timed block (1000)")
    ap.add_argument("--rounds", type=int, help="per-call rounds (default 5; --quick 3)")
    ap.add_argument("--lines", type=int, help="end to end: lines per writer (default 40000; "
                    "--quick 3000)")
    ap.add_argument("--e2e-rounds", type=int, help="end-to-end rounds (default 5; --quick 2)")
    args = ap.parse_args()
    q = args.quick
    args.calls = args.calls or (10_000 if q else 30_000)
    args.rounds = args.rounds or (3 if q else 5)
    args.lines = args.lines or (3_000 if q else 40_000)
    args.e2e_rounds = args.e2e_rounds or (2 if q else 5)
    args.writers = [1, 2, 4]
    if args.calls % args.block:
        ap.error("--calls must be a multiple of --block")

    variants = [BY_KEY[k] for k in args.variants.split(",")] if args.variants else list(VARIANTS)
    skipped = []
    if any(v.shm for v in variants):
        why = None
        if shmlog is None:
            why = f"the shmlog package is not importable ({SHMLOG_ERROR})"
        else:
            found = shutil.which("shmlogd")
            args.bin = args.bin or (os.path.dirname(found) if found else None)
            for prog in ("shmlogd", "shmlogcat"):
                if not args.bin or not os.access(os.path.join(args.bin, prog), os.X_OK):
                    why = f"no {prog} ({args.bin or 'none on PATH'}); see --bin"
        if why:
            skipped = [(v.key, why) for v in variants if v.shm]
            variants = [v for v in variants if not v.shm]
            say("skipping the shmlog variants: " + why)

    loguru_logger.remove()  # no stderr sink: only the variant's own
    tmp = tempfile.mkdtemp(prefix="shmlog-pybench.")
    try:
        rows = []
        if args.only != "e2e":
            rows += run_percall(variants, args, tmp)
        if args.only != "percall":
            rows += run_e2e([v for v in variants if v.delivers], args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(variants, rows, args, skipped)
    if args.csv:
        os.makedirs(args.csv, exist_ok=True)
        write_csv(variants, rows, args, args.csv)


if __name__ == "__main__":
    main()
