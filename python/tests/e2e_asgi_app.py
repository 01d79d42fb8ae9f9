"""e2e_asgi_app.py - examples/fastapi-gunicorn/app.py as the uvicorn end-to-end test serves it.

The example's app unchanged (its request-id middleware, its access records through
shmlog.Handler, its routes), with two routes added for the test:

  GET /hold?release=PATH  logs "holding", then waits until PATH exists: a request in flight
                          when the test stops gunicorn
  GET /frontends          logs "request served" through the frontends SHMLOG_E2E_FRONTEND
                          names (e2e_frontends: structlog and loguru), inside the example's
                          request-id context, and answers like the example's "/"
"""
import asyncio
import os
import sys
import time

from fastapi import Request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "examples", "fastapi-gunicorn"))
from app import app, log, ring  # noqa: E402 - the example, from its own directory

import e2e_frontends  # noqa: E402

frontends = e2e_frontends.setup(ring) if os.environ.get("SHMLOG_E2E_FRONTEND") else None


@app.get("/hold")
async def hold(release: str, request: Request):
    log.info("holding")
    if frontends:
        frontends("holding")
    end = time.monotonic() + 60
    while not os.path.exists(release) and time.monotonic() < end:
        await asyncio.sleep(0.01)
    if frontends:
        frontends("request served", path="/hold")
    return {"pid": os.getpid(), "request_id": request.state.request_id}


@app.get("/frontends")
async def through_frontends(request: Request):
    frontends("request served", path="/frontends")
    return {"pid": os.getpid(), "request_id": request.state.request_id}
