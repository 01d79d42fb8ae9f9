"""shmlog: multi-process logging through a POSIX shared-memory ring.

Every process (gunicorn's pre-fork workers, uvicorn's workers, job workers, unrelated programs
that agree on a name) appends records to a ring in shared memory, with no syscall, lock or
socket; one collector, ``shmlogd``, drains it to files (text or ECS JSON Lines); ``shmlogcat``
watches it live. It is what ``QueueHandler``/``QueueListener`` and loguru's ``enqueue=True`` are
in one process, across processes and ``fork()``.

    import logging, shmlog
    shmlog.install("myapp")                      # the root logger now writes to ring "myapp"
    logging.getLogger("api").info("request %d done", 17, extra={"status": 200})

    ring = shmlog.Ring("myapp")                  # or directly, with typed fields
    ring.info("request done", status=200, ms=1.25)
    with shmlog.contextualize(request_id="r-17"):  # fields for this task or thread
        ...

See docs/PYTHON.md (``man``-free: the API page) for every call and its errors.
"""

from ._shmlog import Error, Ring, MAX_FIELDS, MAX_MESSAGE, library_version, level_name
from ._shmlog import unlink, set_level
from ._context import contextualize, context
from ._handler import Handler, fast_path, install
from ._sinks import loguru_sink, structlog_factory

__version__ = library_version

__all__ = [
    "Error",
    "Handler",
    "MAX_FIELDS",
    "MAX_MESSAGE",
    "Ring",
    "context",
    "contextualize",
    "fast_path",
    "install",
    "level_name",
    "loguru_sink",
    "set_level",
    "structlog_factory",
    "unlink",
]
