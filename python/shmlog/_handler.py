"""shmlog.Handler and shmlog.install: the logging module's records into a ring.

The work of emit() is C (_shmlog.Emitter, python/src/handler.c): __init__ sets the instance's
emit and handle to it, so logging calls straight into C once per record and handler. A subclass
that overrides emit() keeps its own.

The first Handler also turns on logging's fast path (python/src/logger.c): Logger._log becomes
a C function that, when a shmlog.Handler is the one handler a record would reach, writes the
same record without making a LogRecord, and otherwise calls logging's own _log. fast_path(False),
or SHMLOG_PY_FAST_PATH=0 in the environment, keeps logging's.
"""

import logging
import os
import sys

from ._shmlog import Emitter as _Emitter
from ._shmlog import Ring
from ._shmlog import fast_path as _fast_path

_fast_path_wanted = os.environ.get("SHMLOG_PY_FAST_PATH", "1") != "0"


def fast_path(enabled=None):
    """Turns logging's fast path on or off, or (enabled=None) just tells whether it is on.

    On, logging.Logger._log is shmlog's: for a record whose one handler (on the loggers it
    propagates through) is a shmlog.Handler with no filters and no Formatter, called without
    exc_info, stack_info or stacklevel, it writes exactly what the Handler would, straight from
    the call and the caller's frame, some 5x faster than logging's own record building.
    Anything else goes to logging's _log unchanged. The first Handler turns it on unless it
    was turned off here or SHMLOG_PY_FAST_PATH=0 is set. Returns whether it is on.
    """
    global _fast_path_wanted
    if enabled is not None:
        _fast_path_wanted = bool(enabled)
    return _fast_path(enabled)


class Handler(logging.Handler):
    """A logging.Handler that appends each record to a shmlog ring.

    Handler(ring, level=logging.NOTSET, *, fields=True)

    RING: a shmlog.Ring, or a ring name (the handler then opens the ring, and closes it in
    close()). Each record becomes one ring record: its level (levelno: <20 debug, 20-29 info,
    30-39 warning, 40-49 error, >=50 critical), tag = the logger's name, message =
    record.getMessage() (or the Formatter's output, only when one was set with setFormatter),
    and, unless fields=False, typed fields: the extra= keys, log.origin.file.name,
    log.origin.file.line, log.origin.function, for exceptions error.type, error.message and
    error.stack_trace, then the fields of shmlog.contextualize().

    emit() does no I/O and takes no lock: the record is in shared memory when it returns, and
    shmlogd writes it out. The ring's live minimum level applies (shmlogcat --set-level).
    Errors go to handleError(), never to the application. flush() does nothing (there is
    nothing buffered in the process); ring.flush() waits for the collector.
    """

    def __init__(self, ring, level=logging.NOTSET, *, fields=True):
        super().__init__(level)
        self._owns_ring = not isinstance(ring, Ring)
        self.ring = Ring(ring) if self._owns_ring else ring
        self._emitter = _Emitter(self, self.ring, fields)
        cls = type(self)
        if cls.emit is Handler.emit:
            self.emit = self._emitter
            if cls.handle is logging.Handler.handle:
                self.handle = self._emitter.handle
        if _fast_path_wanted:
            _fast_path(True)

    def emit(self, record):
        """Appends RECORD to the ring (the C Emitter; here for subclasses calling super())."""
        self._emitter(record)

    def flush(self):
        """Nothing to do: emit() leaves nothing buffered. Use handler.ring.flush() to wait
        until shmlogd has the records."""

    def close(self):
        """Closes the ring if the handler opened it (it was given a name)."""
        try:
            if self._owns_ring:
                self.ring.close()
        finally:
            super().close()

    def __repr__(self):
        return "<%s %s (%s)>" % (
            type(self).__name__,
            self.ring.name,
            logging.getLevelName(self.level),
        )


def _handle_error(handler, record, exc):
    """handler.handleError(record) for EXC, raised here so that logging's handleError finds the
    traceback it walks (the Emitter's exceptions come from C, with no Python frame)."""
    try:
        raise exc
    except Exception:  # the Emitter passes on only Exceptions
        handler.handleError(record)


def _is_console(h):
    return (
        type(h) is logging.StreamHandler
        and getattr(h, "stream", None) in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
    )


def install(ring, level=logging.INFO, keep_console=False, **handler_options):
    """Moves the root logger onto the ring: one call, like the setup_logging_queue recipe.

    Replaces the root logger's handlers with a shmlog.Handler on RING (a Ring or a name),
    closing the ones removed; with keep_console=True, plain StreamHandlers on stdout/stderr
    stay. Sets the root logger's level to LEVEL. HANDLER_OPTIONS go to shmlog.Handler
    (fields=False). Returns the new handler. Raises shmlog.Error when the ring cannot be opened,
    before anything is changed.
    """
    handler = Handler(ring, **handler_options)
    root = logging.getLogger()
    for old in list(root.handlers):
        if keep_console and _is_console(old):
            continue
        root.removeHandler(old)
        if isinstance(old, Handler) and old.ring is handler.ring:
            # Installed again on the ring the old handler opened: the new one keeps it open.
            handler._owns_ring, old._owns_ring = old._owns_ring, False
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
