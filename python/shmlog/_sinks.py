"""shmlog.loguru_sink and shmlog.structlog_factory: loguru and structlog onto a ring.

Both are small and pure Python over Ring.write(), the ring's one C call per record; neither
imports loguru or structlog, so shmlog needs neither installed.
"""

import asyncio
import sys
import traceback

from ._shmlog import Ring


def _ring(ring):
    return (ring, False) if isinstance(ring, Ring) else (Ring(ring), True)


def _exception_fields(fields, etype, value, tb):
    fields["error.type"] = etype.__name__
    fields["error.message"] = str(value)
    fields["error.stack_trace"] = "".join(traceback.format_exception(etype, value, tb))


class _LoguruSink:
    """A loguru sink object: loguru calls write(message) for each record, and awaits
    complete() in ``await logger.complete()``.

    The record keeps loguru's level (its number: TRACE and DEBUG debug, INFO and SUCCESS info,
    ...), its message (unformatted: loguru's format string is not used; shmlogd formats), the
    module name as tag, its extra dict (logger.bind and logger.contextualize) as fields,
    log.origin.* and, for logger.exception or opt(exception=...), error.*.
    """

    def __init__(self, ring):
        self.ring, self._owns = _ring(ring)

    def write(self, message):
        r = message.record
        extra = r["extra"]
        fields = dict(extra) if extra else {}
        fields["log.origin.file.name"] = r["file"].name
        fields["log.origin.file.line"] = r["line"]
        fields["log.origin.function"] = r["function"]
        exc = r["exception"]
        if exc is not None and exc.type is not None:
            _exception_fields(fields, exc.type, exc.value, exc.traceback)
        self.ring.write(r["level"].no, r["message"], r["name"], fields)

    async def complete(self):
        """Waits until shmlogd has every record (Ring.flush, in the loop's executor).

        loguru 0.6 calls this from ``await logger.complete()`` only: the synchronous
        ``logger.complete()`` does not reach sinks; call sink.ring.flush() there."""
        await asyncio.get_running_loop().run_in_executor(None, self.ring.flush)

    def stop(self):
        """Called by logger.remove(): closes the ring if the sink opened it."""
        if self._owns:
            self.ring.close()

    def __repr__(self):
        return "shmlog.loguru_sink(%r)" % self.ring.name


def loguru_sink(ring):
    """A loguru sink writing to RING (a shmlog.Ring or a ring name).

        from loguru import logger
        logger.add(shmlog.loguru_sink("myapp"), level="INFO")

    Deliberately without a flush() method (loguru would call it after every record).
    ``await logger.complete()`` waits for the collector; ``sink.ring.flush()`` does it anywhere.
    Raises shmlog.Error when the ring cannot be opened.
    """
    return _LoguruSink(ring)


def _structlog_method(level):
    names = {level, level.upper(), "warn" if level == "warning" else level,
             "exception" if level == "error" else level}

    def method(self, event=None, **kw):
        # structlog passes the event dict as keyword arguments when its last processor returns
        # the dict (event= the message); a rendered str arrives as EVENT alone.
        if event is None:
            event = kw.pop("event", "")
        if kw.get("level") in names:
            del kw["level"]  # add_log_level's copy of what the method says
        exc = kw.pop("exc_info", None)
        if exc:
            if exc is True:
                exc = sys.exc_info()
            elif isinstance(exc, BaseException):
                exc = (type(exc), exc, exc.__traceback__)
            if exc[0] is not None:
                _exception_fields(kw, *exc)
        if "exception" in kw and "error.stack_trace" not in kw:
            kw["error.stack_trace"] = kw.pop("exception")
        self._ring.write(level, event, self._name, kw)

    return method


class _StructlogLogger:
    """What structlog_factory's loggers are: a method per level, taking the event dict."""

    def __init__(self, ring, name):
        self._ring = ring
        self._name = name

    debug = _structlog_method("debug")
    info = msg = _structlog_method("info")
    warning = warn = _structlog_method("warning")
    error = err = exception = _structlog_method("error")
    critical = fatal = failure = _structlog_method("critical")

    def __repr__(self):
        return "<shmlog structlog logger %r on ring %r>" % (self._name, self._ring.name)


def structlog_factory(ring):
    """A structlog logger_factory whose loggers write to RING (a shmlog.Ring or a ring name).

    Each log call becomes one record with typed fields, with nothing rendered in the worker:
    end the processor chain with one that returns the event dict (not a renderer), and
    structlog hands it to the logger method as keyword arguments.

        structlog.configure(
            processors=[structlog.contextvars.merge_contextvars,
                        structlog.processors.add_log_level],
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
            logger_factory=shmlog.structlog_factory("myapp"))
        structlog.get_logger("api").info("request done", status=200)

    The tag is the name given to get_logger() (else the ring's tag). exc_info (log.exception)
    becomes error.type, error.message, error.stack_trace. The async methods (ainfo, ...) of
    structlog's filtering bound loggers work too. Raises shmlog.Error when the ring cannot be
    opened.
    """
    r, _ = _ring(ring)

    def factory(*args):
        name = args[0] if args and isinstance(args[0], str) else None
        return _StructlogLogger(r, name)

    return factory
