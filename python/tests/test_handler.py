"""shmlog.Handler and shmlog.install: what a logging record becomes, and where errors go."""

import io
import logging
import sys

import pytest

import shmlog


def test_a_record_becomes_level_tag_message_extras_and_origin(collector, logger):
    ring = shmlog.Ring(collector.ring)
    logger.addHandler(shmlog.Handler(ring))
    logger.info("request %d done", 17, extra={"status": 200, "ms": 1.5, "ok": True})
    logger.warning("plain")
    ring.flush()
    rec, plain = collector.records()[-2:]
    assert rec["message"] == "request 17 done" and rec["log.level"] == "info"
    assert rec["log.logger"] == logger.name
    assert rec["status"] == 200 and rec["ms"] == 1.5 and rec["ok"] is True
    assert rec["log.origin.file.name"] == "test_handler.py"
    assert isinstance(rec["log.origin.file.line"], int)
    assert rec["log.origin.function"] == "test_a_record_becomes_level_tag_message_extras_and_origin"
    assert plain["log.level"] == "warning"
    # No standard LogRecord attribute leaks in as a field.
    for std in ("args", "msg", "levelname", "pathname", "process", "thread", "created"):
        assert std not in rec


def test_python_levels_between_the_named_ones_map_to_the_level_below(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    logger.setLevel(1)
    for lv in (5, 15, 25, 35, 45, 55):
        logger.log(lv, "lv%d" % lv)
    shmlog.Ring(collector.ring).flush()
    got = {r["message"]: r["log.level"] for r in collector.records()}
    assert got == {"lv5": "debug", "lv15": "debug", "lv25": "info", "lv35": "warning",
                   "lv45": "error", "lv55": "critical"}


def test_an_exception_becomes_ecs_error_fields(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    try:
        {}["missing"]
    except KeyError:
        logger.exception("lookup failed")
    shmlog.Ring(collector.ring).flush()
    rec = collector.records()[-1]
    assert rec["log.level"] == "error" and rec["message"] == "lookup failed"
    assert rec["error.type"] == "KeyError"
    assert rec["error.message"] == "'missing'"
    assert rec["error.stack_trace"].startswith("Traceback (most recent call last):")
    assert "KeyError: 'missing'" in rec["error.stack_trace"]


def test_fields_false_sends_the_message_only(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring, fields=False))
    with shmlog.contextualize(request_id="r1"):
        logger.info("bare %s", "message", extra={"status": 200})
    shmlog.Ring(collector.ring).flush()
    rec = collector.records()[-1]
    assert rec["message"] == "bare message"
    assert not [k for k in rec if k.startswith("log.origin") or k in ("status", "request_id")]


def test_a_formatter_is_used_only_when_one_was_set(collector, logger):
    h = shmlog.Handler(collector.ring)
    logger.addHandler(h)
    logger.info("before")
    h.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    logger.info("after")
    shmlog.Ring(collector.ring).flush()
    before, after = collector.records()[-2:]
    assert before["message"] == "before"
    assert after["message"] == "INFO:%s:after" % logger.name


def test_a_record_formatted_by_another_handler_first_carries_no_message_or_asctime_field(
        collector, logger):
    console = logging.StreamHandler(io.StringIO())
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(console)
    logger.addHandler(shmlog.Handler(collector.ring))
    logger.info("twice", extra={"k": 1})
    shmlog.Ring(collector.ring).flush()
    rec = collector.records()[-1]
    assert rec["k"] == 1 and "asctime" not in rec and rec["message"] == "twice"


class Recording(shmlog.Handler):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.errors = []

    def handleError(self, record):
        self.errors.append((record.getMessage(), sys.exc_info()[0]))


def test_errors_go_to_handle_error_never_to_the_application(collector, logger):
    h = Recording(collector.ring)
    logger.addHandler(h)

    class Bad:
        def __str__(self):
            raise RuntimeError("no str")

    logger.info("bad extra", extra={"bad": Bad()})  # does not raise
    h.ring.close()
    logger.info("closed ring")  # does not raise
    assert h.errors == [("bad extra", RuntimeError), ("closed ring", ValueError)]


def test_the_default_handle_error_prints_and_the_application_goes_on(collector, logger, capsys):
    h = shmlog.Handler(collector.ring)
    logger.addHandler(h)
    h.ring.close()
    logger.error("lost")
    err = capsys.readouterr().err
    assert "--- Logging error ---" in err and "closed ring" in err


def test_filters_on_the_handler_apply(collector, logger):
    h = shmlog.Handler(collector.ring)
    h.addFilter(lambda r: "secret" not in r.getMessage())
    logger.addHandler(h)
    logger.info("secret stuff")
    logger.info("public stuff")
    shmlog.Ring(collector.ring).flush()
    msgs = [r["message"] for r in collector.records()]
    assert "public stuff" in msgs and "secret stuff" not in msgs


def test_a_subclass_that_overrides_emit_keeps_its_own(collector, logger):
    seen = []

    class Mine(shmlog.Handler):
        def emit(self, record):
            seen.append(record.getMessage())
            super().emit(record)

    logger.addHandler(Mine(collector.ring))
    logger.info("through mine")
    shmlog.Ring(collector.ring).flush()
    assert seen == ["through mine"]
    assert collector.records()[-1]["message"] == "through mine"


def test_set_level_on_the_ring_silences_the_handler(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    shmlog.set_level(collector.ring, "error")
    logger.warning("silenced")
    logger.error("kept")
    shmlog.set_level(collector.ring, "debug")
    shmlog.Ring(collector.ring).flush()
    msgs = [r["message"] for r in collector.records()]
    assert "silenced" not in msgs and "kept" in msgs


def test_a_handler_given_a_name_opens_the_ring_and_closes_it(ring_name):
    h = shmlog.Handler(ring_name)
    assert h.ring.name == ring_name and not h.ring.closed
    h.close()
    assert h.ring.closed
    ring = shmlog.Ring(ring_name)
    h2 = shmlog.Handler(ring)
    h2.close()
    assert not ring.closed  # a ring it was given stays open
    ring.close()


def test_install_moves_the_root_logger_onto_the_ring(collector, tmp_path):
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    console = logging.StreamHandler(sys.stderr)
    filelog = logging.FileHandler(str(tmp_path / "app.log"))
    try:
        root.handlers[:] = [console, filelog]
        h = shmlog.install(collector.ring, keep_console=True)
        assert isinstance(h, shmlog.Handler)
        assert root.handlers == [console, h] and root.level == logging.INFO
        assert filelog.stream is None  # closed
        logging.getLogger("app").info("installed")
        logging.getLogger("app").debug("below the level")
        h2 = shmlog.install(h.ring, level=logging.DEBUG)
        assert root.handlers == [h2] and root.level == logging.DEBUG
        h2.ring.flush()
        msgs = [r["message"] for r in collector.records()]
        assert "installed" in msgs and "below the level" not in msgs
    finally:
        for x in list(root.handlers):
            root.removeHandler(x)
        root.handlers[:], root.level = saved[0], saved[1]


def test_install_with_a_bad_ring_changes_nothing():
    root = logging.getLogger()
    before = list(root.handlers)
    with pytest.raises(shmlog.Error):
        shmlog.install("no such ring!")
    assert root.handlers == before


def test_more_extras_than_a_record_holds_are_counted_not_a_logging_error(collector, logger):
    ring = shmlog.Ring(collector.ring)
    logger.addHandler(shmlog.Handler(ring))
    errors = io.StringIO()
    saved, sys.stderr = sys.stderr, errors
    try:
        logger.info("many", extra={"k%03d" % i: i for i in range(200)})
    finally:
        sys.stderr = saved
    ring.flush()
    assert errors.getvalue() == ""
    rec = collector.records()[-1]
    assert rec["message"] == "many" and rec["shmlog.fields_left_out"] > 0


def test_a_get_message_patched_into_log_record_is_honoured(collector, logger):
    logger.addHandler(shmlog.Handler(collector.ring))
    original = logging.LogRecord.getMessage
    logging.LogRecord.getMessage = lambda self: "patched: " + original(self)
    try:
        logger.info("hello %s", "there")
    finally:
        logging.LogRecord.getMessage = original
    logger.info("plain again")
    shmlog.Ring(collector.ring).flush()
    assert [r["message"] for r in collector.records()[-2:]] == [
        "patched: hello there", "plain again"]
