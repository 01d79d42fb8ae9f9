"""e2e_wsgi_app.py - the WSGI app the gunicorn sync-worker end-to-end test serves.

Every request logs one record per frontend (e2e_frontends) inside
shmlog.contextualize(request_id=...), the id the client sent in X-Request-Id, and answers with
the pid of the worker that served it. GET /hold?release=PATH first logs "holding" and then
waits until PATH exists: a request still in flight when the test stops gunicorn.

The ring is opened at import: in the master with preload_app = True (every worker logs through
the handle it inherited across fork()), in each worker without.
"""
import json
import os
import time
import urllib.parse

import shmlog

import e2e_frontends

ring = shmlog.Ring(os.environ["SHMLOG_E2E_RING"])
log = e2e_frontends.setup(ring)


def application(environ, start_response):
    request_id = environ.get("HTTP_X_REQUEST_ID", "")
    path = environ.get("PATH_INFO", "/")
    with shmlog.contextualize(request_id=request_id):
        if path == "/hold":
            log("holding")
            release = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))["release"][0]
            hold_until(release)
        log("request served", path=path, status=200)
    body = json.dumps({"pid": os.getpid(), "request_id": request_id}).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


def hold_until(path, timeout=60.0):
    end = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.01)
