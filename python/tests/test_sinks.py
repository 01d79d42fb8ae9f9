"""loguru and structlog through a real shmlogd into JSON, with typed fields."""

import asyncio
import logging

import pytest

import shmlog

loguru = pytest.importorskip("loguru", reason="needs python3-loguru (scripts/setup-deps.sh)")
structlog = pytest.importorskip("structlog", reason="needs python3-structlog (scripts/setup-deps.sh)")


@pytest.fixture
def loguru_logger():
    from loguru import logger

    logger.remove()
    yield logger
    logger.remove()


def test_loguru_records_keep_level_message_extra_and_exception(collector, loguru_logger):
    logger = loguru_logger
    sink = shmlog.loguru_sink(collector.ring)
    logger.add(sink, level="INFO")
    logger.bind(user="ann", n=3).info("hello {}", "world")
    with logger.contextualize(request_id="r-9"):
        logger.success("done", ms=1.5)  # SUCCESS (25) is info
    logger.debug("below the sink's level")
    with shmlog.contextualize(shared=True):
        logger.warning("with shmlog context")
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("failed")
    sink.ring.flush()
    recs = {r["message"]: r for r in collector.records()}
    hello = recs["hello world"]
    assert hello["log.level"] == "info" and hello["user"] == "ann" and hello["n"] == 3
    assert hello["log.logger"] == __name__ and hello["log.origin.function"].startswith("test_")
    assert isinstance(hello["log.origin.file.line"], int)
    assert recs["done"]["request_id"] == "r-9" and recs["done"]["log.level"] == "info"
    assert "below the sink's level" not in recs
    assert recs["with shmlog context"]["shared"] is True
    assert recs["with shmlog context"]["log.level"] == "warning"
    failed = recs["failed"]
    assert failed["log.level"] == "error" and failed["error.type"] == "ZeroDivisionError"
    assert "ZeroDivisionError" in failed["error.stack_trace"]


def test_await_loguru_complete_waits_for_the_collector(collector, loguru_logger):
    logger = loguru_logger
    logger.add(shmlog.loguru_sink(collector.ring), level="INFO")

    async def main():
        logger.info("async record")
        await logger.complete()

    asyncio.run(main())
    # complete() returned: shmlogd has consumed (written) it; no flush of our own here.
    assert any(r["message"] == "async record" for r in collector.records())


def test_logger_remove_closes_a_ring_the_sink_opened(ring_name, loguru_logger):
    sink = shmlog.loguru_sink(ring_name)
    hid = loguru_logger.add(sink)
    loguru_logger.remove(hid)
    assert sink.ring.closed


@pytest.fixture
def structlog_configured(collector):
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars,
                    structlog.processors.add_log_level],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=shmlog.structlog_factory(collector.ring),
        cache_logger_on_first_use=False,
    )
    yield collector
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()


def test_structlog_events_become_records_with_typed_fields(structlog_configured):
    collector = structlog_configured
    log = structlog.get_logger("api")
    log.info("request done", status=200, ms=1.25, ok=True, path="/x")
    log.debug("filtered")
    structlog.contextvars.bind_contextvars(request_id="r-5")
    log.bind(user="ann").warning("bound")
    try:
        raise KeyError("k")
    except KeyError:
        log.exception("failed")

    async def main():
        await log.ainfo("from async", n=7)

    asyncio.run(main())
    shmlog.Ring(collector.ring).flush()
    recs = {r["message"]: r for r in collector.records()}
    done = recs["request done"]
    assert done["log.logger"] == "api" and done["log.level"] == "info"
    assert done["status"] == 200 and done["ms"] == 1.25 and done["ok"] is True
    assert done["path"] == "/x" and "level" not in done and "event" not in done
    assert "filtered" not in recs
    assert recs["bound"]["user"] == "ann" and recs["bound"]["request_id"] == "r-5"
    assert recs["bound"]["log.level"] == "warning"
    assert recs["failed"]["log.level"] == "error" and recs["failed"]["error.type"] == "KeyError"
    assert "exc_info" not in recs["failed"]
    assert recs["from async"]["n"] == 7 and recs["from async"]["request_id"] == "r-5"


def test_structlog_with_a_renderer_last_logs_the_rendered_line(collector):
    structlog.configure(
        processors=[structlog.processors.KeyValueRenderer(key_order=["event"])],
        logger_factory=shmlog.structlog_factory(collector.ring),
        cache_logger_on_first_use=False,
    )
    try:
        structlog.get_logger().info("rendered", a=1)
    finally:
        structlog.reset_defaults()
    shmlog.Ring(collector.ring).flush()
    assert collector.records()[-1]["message"] == "event='rendered' a=1"
