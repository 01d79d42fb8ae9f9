"""e2e_frontends.py - how the end-to-end test apps log: through shmlog.Handler, or through
structlog and loguru at once, chosen by SHMLOG_E2E_FRONTEND.

Each frontend's records carry a field `frontend` naming it, so the test can count each
request once per frontend whatever logger name (log.logger) a frontend gives its records.
"""
import logging
import os

import shmlog

FRONTENDS = {"logging": ("logging",), "structlog+loguru": ("structlog", "loguru")}

_log = None  # set by setup(): log(message, **fields) through every chosen frontend


def setup(ring, choice=None):
    """Makes RING the destination of the frontends named by CHOICE (default: the environment's
    SHMLOG_E2E_FRONTEND) and returns log(message, **fields)."""
    global _log
    loggers = [_MAKERS[name](ring) for name in FRONTENDS[choice or os.environ["SHMLOG_E2E_FRONTEND"]]]

    def log(message, **fields):
        for one in loggers:
            one(message, **fields)

    _log = log
    return log


def worker_exiting():
    """For gunicorn's worker_exit hook: one record per frontend, logged while the worker stops."""
    _log("worker exiting", worker_pid=os.getpid())


def _through_logging(ring):
    logger = logging.getLogger("e2e.access")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(shmlog.Handler(ring))
    return lambda message, **fields: logger.info(message, extra=dict(fields, frontend="logging"))


def _through_structlog(ring):
    import structlog

    # No renderer: the event dict goes to shmlog as typed fields, not as a JSON string.
    structlog.configure(processors=[],
                        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
                        logger_factory=shmlog.structlog_factory(ring),
                        cache_logger_on_first_use=True)
    logger = structlog.get_logger("e2e.structlog")
    return lambda message, **fields: logger.info(message, frontend="structlog", **fields)


def _through_loguru(ring):
    from loguru import logger

    logger.remove()  # not 20,000 lines on stderr too
    logger.add(shmlog.loguru_sink(ring), level="INFO")
    return lambda message, **fields: logger.bind(frontend="loguru", **fields).info(message)


_MAKERS = {"logging": _through_logging, "structlog": _through_structlog, "loguru": _through_loguru}
