"""logging's fast path (python/src/logger.c): Logger._log in C when a shmlog.Handler is the one
handler on the way. Most tests run the same calls with the fast path off and on (run_both) and
compare what reached the ring, and count which calls the fast path took and which it left to
logging: the fast path may only ever be faster, never different. The others check what must
hold either way (errors, a foreign _log, turning it off)."""

import logging
import sys

import pytest

import shmlog
from shmlog._shmlog import fast_path_counts

# What differs between two runs of the same calls: when, and the record's place in the ring.
VOLATILE = ("@timestamp", "event.sequence")


def run_both(collector, calls, taken):
    """Runs CALLS (callables) with the fast path off, then on; returns both lists of records,
    without the fields that differ from run to run. With the fast path on, TAKEN of the calls
    must have been written by it and the others left to logging."""
    ring = shmlog.Ring(collector.ring)
    runs = []
    for on in (False, True):
        assert shmlog.fast_path(on) is on
        before = len(collector.records())
        counts = fast_path_counts()
        for call in calls:
            call()
        ring.flush()
        if on:
            now = fast_path_counts()
            assert now[0] - counts[0] == taken, "calls the fast path took"
            assert now[1] - counts[1] == len(calls) - taken, "calls left to logging"
        runs.append([{k: v for k, v in r.items() if k not in VOLATILE}
                     for r in collector.records()[before:]])
    return runs


def test_the_fast_path_writes_exactly_the_record_logging_would(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))

    def in_a_function():
        logger.warning("from a function")

    calls = [
        lambda: logger.info("request %d done", 17),
        lambda: logger.info("no args, %d kept as is"),
        lambda: logger.debug("extra", extra={"status": 200, "ms": 1.5, "ok": True, "who": "x"}),
        lambda: logger.log(25, "between %s and %s", "info", "warning"),
        lambda: logger.error(ValueError("a non-str message")),
        lambda: logger.info("a tuple %s", (1, 2)),
        in_a_function,
        lambda: logging.LoggerAdapter(logger, {}).info("through an adapter"),
    ]
    with shmlog.contextualize(request_id="r-1"):
        slow, fast = run_both(collector, calls, taken=len(calls))
    assert len(slow) == len(calls)
    assert fast == slow
    assert slow[0]["message"] == "request 17 done" and slow[0]["request_id"] == "r-1"
    assert slow[0]["log.origin.file.name"] == "test_fast_path.py"
    assert slow[6]["log.origin.function"] == "in_a_function"


def test_the_fast_path_leaves_to_logging_what_it_cannot_prove_the_same(collector, logger):
    h = shmlog.Handler(collector.ring)
    logger.addHandler(h)
    tagged = logging.Filter()
    tagged.filter = lambda r: setattr(r, "tagged", "yes") or True
    factory = logging.getLogRecordFactory()

    def with_logger_filter():
        logger.addFilter(tagged)
        logger.info("logger filter")
        logger.removeFilter(tagged)

    def with_handler_filter():
        h.addFilter(tagged)
        logger.info("handler filter")
        h.removeFilter(tagged)

    def with_formatter():
        h.setFormatter(logging.Formatter("formatted: %(message)s"))
        logger.info("plain")
        h.setFormatter(None)

    def with_record_factory():
        def make(*a, **kw):
            r = factory(*a, **kw)
            r.from_factory = 1
            return r
        logging.setLogRecordFactory(make)
        try:
            logger.info("factory")
        finally:
            logging.setLogRecordFactory(factory)

    def with_srcfile_none():
        saved, logging._srcfile = logging._srcfile, None
        try:
            logger.info("no caller wanted")
        finally:
            logging._srcfile = saved

    def exception():
        try:
            raise KeyError("k")
        except KeyError:
            logger.exception("failed")

    calls = [
        with_logger_filter,
        with_handler_filter,
        with_formatter,
        with_record_factory,
        with_srcfile_none,
        exception,
        lambda: logger.info("stacklevel", stacklevel=2),
        lambda: logger.info("%(a)s and %(b)s", {"a": 1, "b": 2}),
        lambda: logger.info("stack", stack_info=True),
    ]
    slow, fast = run_both(collector, calls, taken=0)
    assert len(slow) == len(calls)
    # error.stack_trace and stack info hold line numbers of this file's frames: equal too.
    assert fast == slow
    assert slow[0]["tagged"] == "yes" and slow[1]["tagged"] == "yes"
    assert slow[2]["message"] == "formatted: plain"
    assert slow[3]["from_factory"] == 1
    assert slow[4]["log.origin.function"] == "(unknown function)"
    assert slow[5]["error.type"] == "KeyError"
    assert slow[7]["message"] == "1 and 2"


def test_the_fast_path_notices_a_class_changed_after_its_first_look(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    shmlog.fast_path(True)
    logger.info("seen once")  # the fast path has looked at Logger now
    original = logging.Logger.makeRecord

    def make_record(self, *a, **kw):
        r = original(self, *a, **kw)
        r.patched = True
        return r

    logging.Logger.makeRecord = make_record
    try:
        before = fast_path_counts()
        logger.info("after the patch")
        assert fast_path_counts()[1] == before[1] + 1, "left to logging"
    finally:
        logging.Logger.makeRecord = original
    before = fast_path_counts()
    logger.info("after the restore")
    assert fast_path_counts()[0] == before[0] + 1, "taken again"
    shmlog.Ring(collector.ring).flush()
    recs = {r["message"]: r for r in collector.records()}
    assert recs["after the patch"]["patched"] is True
    assert "patched" not in recs["after the restore"]


def test_the_fast_path_takes_only_a_lone_shmlog_handler(collector, logger, tmp_path):
    logger.addHandler(shmlog.Handler(collector.ring))
    parent = logging.getLogger(logger.name.rsplit(".", 1)[0])
    seen = []
    other = logging.Handler()
    other.emit = lambda r: seen.append(r.getMessage())
    parent.addHandler(other)
    logger.propagate = True
    try:
        slow, fast = run_both(collector, [lambda: logger.info("to both")], taken=0)
    finally:
        parent.removeHandler(other)
        logger.propagate = False
    assert fast == slow and len(fast) == 1
    assert seen == ["to both", "to both"]


def test_levels_apply_on_the_fast_path_as_on_logging_own(collector, logger):
    h = shmlog.Handler(collector.ring, level=logging.WARNING)
    logger.addHandler(h)

    def ring_level_error():
        shmlog.set_level(collector.ring, "error")
        logger.warning("silenced by the ring")
        shmlog.set_level(collector.ring, "debug")

    calls = [lambda: logger.info("below the handler"), lambda: logger.warning("kept"),
             ring_level_error]
    slow, fast = run_both(collector, calls, taken=3)  # a record left out is the fast path's too
    assert fast == slow and [r["message"] for r in fast] == ["kept"]


class Recording(shmlog.Handler):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.errors = []

    def handleError(self, record):
        self.errors.append((record.msg, sys.exc_info()[0]))


def test_an_error_on_the_fast_path_reaches_handle_error_once_and_writes_nothing(collector,
                                                                                 logger):
    h = Recording(collector.ring)
    logger.addHandler(h)

    class Bad:
        def __str__(self):
            raise RuntimeError("no str")

    calls = [lambda: logger.info("%d", "not a number"),
             lambda: logger.info("bad extra", extra={"bad": Bad()}),
             lambda: logger.info("fine")]
    slow, fast = run_both(collector, calls, taken=1)  # the two errors: logging's, once each
    assert fast == slow and [r["message"] for r in fast] == ["fine"]
    assert h.errors == [("%d", TypeError), ("bad extra", RuntimeError)] * 2


def test_an_extra_key_logging_refuses_raises_as_logging_does(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    for on in (False, True):
        shmlog.fast_path(on)
        with pytest.raises(KeyError, match="Attempt to overwrite 'msg'"):
            logger.info("x", extra={"msg": 1})


@pytest.mark.parametrize("on", [False, True])
def test_keyboard_interrupt_reaches_the_application_either_way(collector, logger, on):
    logger.addHandler(shmlog.Handler(collector.ring))
    shmlog.fast_path(on)

    class Interrupting:
        def __str__(self):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        logger.info("%s", Interrupting())


def test_what_is_set_on_the_logger_itself_is_left_to_logging(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    make = logger.makeRecord

    def make_record(*a, **kw):
        r = make(*a, **kw)
        r.tenant = "t1"
        return r

    def with_make_record():
        logger.makeRecord = make_record
        logger.info("own makeRecord")
        del logger.makeRecord

    def muted():
        logger.handle = lambda record: None
        logger.info("muted")
        del logger.handle

    slow, fast = run_both(collector, [with_make_record, muted], taken=0)
    assert fast == slow and [(r["message"], r["tenant"]) for r in fast] == [
        ("own makeRecord", "t1")]


def test_loggings_globals_changed_are_left_to_logging(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))

    def wrapper():  # the old recipe for logging through a helper: skip one more frame
        saved, logging.currentframe = logging.currentframe, lambda: sys._getframe(4)
        try:
            logger.info("through a wrapper")
        finally:
            logging.currentframe = saved

    def srcfile_empty():
        saved, logging._srcfile = logging._srcfile, ""
        try:
            logger.info("empty srcfile")
        finally:
            logging._srcfile = saved

    slow, fast = run_both(collector, [wrapper, srcfile_empty], taken=0)
    assert fast == slow and slow[1]["log.origin.function"] == "(unknown function)"


def test_a_class_with_its_own_getattribute_is_left_to_logging(collector):
    class Prefixed(logging.Logger):
        def __getattribute__(self, name):
            v = super().__getattribute__(name)
            return "svc." + v if name == "name" else v

    lg = Prefixed("ga")
    lg.propagate = False
    lg.addHandler(shmlog.Handler(collector.ring))
    try:
        slow, fast = run_both(collector, [lambda: lg.warning("x")], taken=0)
    finally:
        lg.handlers[0].close()
    assert fast == slow and fast[0]["log.logger"] == "svc.ga"


def test_more_extras_than_a_record_holds_are_counted_on_the_fast_path(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    extra = {"k%03d" % i: i for i in range(200)}
    slow, fast = run_both(collector, [lambda: logger.info("many", extra=extra)], taken=1)
    assert fast == slow
    assert fast[0]["shmlog.fields_left_out"] > 0 and fast[0]["k000"] == 0


def test_what_the_callers_str_changes_meanwhile_is_not_what_the_record_holds(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    extra = {"a": 1}

    class Meddling:
        def __str__(self):
            extra["msg"] = "would be refused"  # after logging copied extra
            extra["b"] = 2
            logger.name = "renamed"
            return "meddled"

    def call():
        extra.clear()
        extra["a"] = 1
        name = logger.name
        try:
            logger.info("%s", Meddling(), extra=extra)
        finally:
            logger.name = name

    slow, fast = run_both(collector, [call], taken=1)
    assert fast == slow
    assert fast[0]["message"] == "meddled" and fast[0]["a"] == 1 and "b" not in fast[0]
    assert fast[0]["log.logger"] == logger.name


def test_a_log_of_another_library_in_place_before_the_first_handler_is_kept(ring_name):
    # In a fresh interpreter: the fast path takes what it replaces once, at the first Handler.
    code = """
import logging, shmlog
seen = []
own = logging.Logger._log
def audit_log(self, *a, **kw):
    seen.append(a[1])
    return own(self, *a, **kw)
logging.Logger._log = audit_log
lg = logging.getLogger("audited"); lg.propagate = False
h = shmlog.Handler(%r); lg.addHandler(h)
lg.warning("hello")
assert logging.Logger._log is audit_log, logging.Logger._log
assert shmlog.fast_path(True) is False
assert seen == ["hello"], seen
h.close()
print("kept")
""" % ring_name
    import os
    import subprocess
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ), timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "kept", out.stderr


def test_fast_path_off_puts_back_logging_own_log_and_a_foreign_one_stays():
    shmlog.fast_path(False)
    own = logging.Logger.__dict__["_log"]
    assert own.__module__ == "logging"
    assert shmlog.fast_path(True) is True and logging.Logger.__dict__["_log"] is not own
    assert shmlog.fast_path(False) is False
    assert logging.Logger.__dict__["_log"] is own
    assert shmlog.fast_path() is False

    def foreign(self, *a, **kw):
        return own(self, *a, **kw)

    logging.Logger._log = foreign
    try:
        assert shmlog.fast_path(True) is False  # someone else's _log is not replaced
        assert logging.Logger.__dict__["_log"] is foreign
    finally:
        logging.Logger._log = own
    assert shmlog.fast_path(True) is True
