"""shmlog.contextualize: fields that follow the current thread or asyncio task.

The fields live in one ContextVar (created by the C module, _shmlog.context_var) as a flat tuple
(k1, v1, k2, v2, ...): immutable, so a context copied into a new task or into
loop.run_in_executor shares it safely, and the C side reads it with one PyContextVar_Get per
record. Each asyncio task runs in its own copy of the context, so two requests served
concurrently on one event loop never see each other's fields. A new thread starts with an empty
context (Python's rule), unless run through contextvars.copy_context().run.

Not the C library's shmlog_context_push: that is per OS thread, wrong for asyncio.
"""

import contextlib

from ._shmlog import context_var as _var


def context():
    """The fields shmlog.contextualize has set for the current thread or task, as a dict."""
    cur = _var.get(())
    return dict(zip(cur[0::2], cur[1::2]))


@contextlib.contextmanager
def contextualize(**fields):
    """Attach FIELDS to every record logged in this block, by this thread or asyncio task.

    Through shmlog.Handler, Ring.log and the loguru and structlog sinks alike. Nested blocks
    add to the outer fields (an inner value wins for the same key); a record's own field of the
    same name wins over both. Values keep their type as for Ring.log.

        with shmlog.contextualize(request_id=rid, user=user.name):
            handle(request)
    """
    cur = _var.get(())
    if cur:
        merged = dict(zip(cur[0::2], cur[1::2]))
        merged.update(fields)
    else:
        merged = fields
    flat = []
    for k, v in merged.items():
        flat.append(k)
        flat.append(v)
    token = _var.set(tuple(flat))
    try:
        yield
    finally:
        _var.reset(token)
