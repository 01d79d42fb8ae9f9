"""e2e_gunicorn_conf.py - gunicorn settings of the end-to-end tests (the command line adds the
socket, the workers and the worker class). SHMLOG_E2E_PRELOAD=1: the app, and so its ring, is
loaded in the master before fork."""
import os

import e2e_frontends

preload_app = os.environ.get("SHMLOG_E2E_PRELOAD") == "1"


def worker_exit(server, worker):
    e2e_frontends.worker_exiting()
