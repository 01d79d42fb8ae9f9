"""app.py - a small FastAPI app whose every request is logged through shmlog with its request id.

Run it with gunicorn and the settings in gunicorn.conf.py (4 uvicorn workers, the app loaded in
the master): README.md walks through it.
"""
import logging
import os
import time
import uuid

from fastapi import FastAPI, Request

import shmlog

RING = os.environ.get("SHMLOG_RING", "fastapi-demo")

# Opened at import. With preload_app (gunicorn.conf.py) that is once, in the gunicorn master,
# before it forks the workers: each worker logs through the handle it inherited, under its own
# pid. Every logger under "app" goes to the ring; the level, message and extra= fields of each
# call become the record's level, message and typed fields, the logger's name its tag.
ring = shmlog.Ring(RING)
log = logging.getLogger("app")
log.setLevel(logging.INFO)
log.addHandler(shmlog.Handler(ring))
log.propagate = False  # the ring is where the records go; not also the console
access = logging.getLogger("app.access")

app = FastAPI()


@app.middleware("http")
async def request_id(request: Request, call_next):
    """Gives each request an id, the client's X-Request-Id or a new one, that every record
    logged while the request is served carries (shmlog.contextualize: whatever logs it, and
    however deep), and logs the request once it is answered."""
    rid = request.headers.get("x-request-id") or uuid.uuid4().hex
    request.state.request_id = rid
    started = time.perf_counter()
    with shmlog.contextualize(request_id=rid):
        response = await call_next(request)
        access.info("%s %s %d", request.method, request.url.path, response.status_code,
                    extra={"method": request.method, "path": request.url.path,
                           "status": response.status_code,
                           "duration_ms": round((time.perf_counter() - started) * 1000, 3)})
    response.headers["X-Request-Id"] = rid
    return response


@app.get("/")
async def index(request: Request):
    """Says which worker answered."""
    return {"pid": os.getpid(), "request_id": request.state.request_id}


@app.get("/hello/{who}")
async def hello(who: str, request: Request):
    """Logs a record of its own: it knows nothing of request ids, and still carries one."""
    log.info("saying hello to %s", who, extra={"who": who})
    return {"hello": who, "pid": os.getpid(), "request_id": request.state.request_id}
