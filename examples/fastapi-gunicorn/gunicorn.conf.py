"""gunicorn.conf.py - 4 uvicorn workers serving app.py on 127.0.0.1:8000, the app loaded once in
the master. gunicorn reads this file by itself when started in this directory; options on the
command line override it (-b 127.0.0.1:9000, -w 8)."""
import logging

bind = "127.0.0.1:8000"
workers = 4
worker_class = "uvicorn.workers.UvicornWorker"

# Import app.py in the master, before forking: the shmlog ring is opened once and every worker
# inherits it (a worker needs no setup of its own).
preload_app = True


def worker_exit(server, worker):
    """Runs in each worker as it stops (SIGTERM to the master is a graceful stop: the workers
    finish the requests they hold first). Its last record, then a wait of up to a second until
    shmlogd has written everything this worker logged; without it nothing is lost either, the
    records wait in the ring."""
    import app  # already imported: preload_app

    logging.getLogger("app").info("worker exiting")
    app.ring.flush()
