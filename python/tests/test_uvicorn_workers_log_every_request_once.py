"""4 uvicorn workers under gunicorn serving a FastAPI app log each of 20,000 requests exactly
once, with its request id and the pid that served it, while shmlogd is SIGKILLed and restarted 5
times; a `shmlogcat -f` started first sees every record live; a graceful stop loses nothing.

The app is examples/fastapi-gunicorn (e2e_asgi_app adds the test's routes), so the example is
tested too. Two runs: the example as it is, with its gunicorn.conf.py (preload_app: the ring
opened in the master, shmlog.Handler, a request-id middleware); and with structlog and loguru
logging every request as well, the app loaded in each worker (no preload)."""
from e2e_support import SOURCE_DIR, TESTS_DIR, Scenario

EXAMPLE_CONF = SOURCE_DIR / "examples" / "fastapi-gunicorn" / "gunicorn.conf.py"
UVICORN = "uvicorn.workers.UvicornWorker"


def is_access(r):
    return r["log.logger"] == "app.access"


def is_example_exit(r):
    return r["log.logger"] == "app" and r["message"] == "worker exiting"


def by_frontend(frontend):
    return (lambda r: r.get("frontend") == frontend and r["message"] == "request served",
            lambda r: r.get("frontend") == frontend and r["message"] == "worker exiting")


def test_uvicorn_workers_of_the_example_log_every_request_once_across_collector_kills(tmp_path):
    Scenario(tmp_path, "uvicorn", {"access": (is_access, is_example_exit)}).run(
        "e2e_asgi_app:app", config=EXAMPLE_CONF, worker_class=UVICORN)


def test_uvicorn_workers_log_every_request_once_through_structlog_and_loguru(tmp_path):
    kinds = {"access": (is_access, None),
             "structlog": by_frontend("structlog"), "loguru": by_frontend("loguru")}
    Scenario(tmp_path, "uvicorn-sl", kinds).run(
        "e2e_asgi_app:app", config=TESTS_DIR / "e2e_gunicorn_conf.py", worker_class=UVICORN,
        path="/frontends",
        env={"SHMLOG_E2E_FRONTEND": "structlog+loguru", "SHMLOG_E2E_PRELOAD": "0"})
