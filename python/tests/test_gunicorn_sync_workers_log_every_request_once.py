"""4 sync gunicorn workers serving a WSGI app log each of 20,000 requests exactly once, with its
request id and the pid that served it, while shmlogd is SIGKILLed and restarted 5 times; a
`shmlogcat -f` started first sees every record live; a graceful stop loses nothing.

Two runs: through shmlog.Handler with the ring opened in the master before fork (preload_app),
and through structlog and loguru with the ring opened in each worker (no preload)."""
import pytest

from e2e_support import TESTS_DIR, Scenario


def by_frontend(frontend):
    return (lambda r: r.get("frontend") == frontend and r["message"] == "request served",
            lambda r: r.get("frontend") == frontend and r["message"] == "worker exiting")


@pytest.mark.parametrize("frontend, preload", [("logging", "1"), ("structlog+loguru", "0")],
                         ids=["handler-preload", "structlog-loguru-per-worker"])
def test_gunicorn_sync_workers_log_every_request_once_across_collector_kills(tmp_path, frontend,
                                                                            preload):
    kinds = {name: by_frontend(name) for name in frontend.split("+")}
    Scenario(tmp_path, "sync", kinds).run(
        "e2e_wsgi_app:application", config=TESTS_DIR / "e2e_gunicorn_conf.py",
        worker_class="sync",
        env={"SHMLOG_E2E_FRONTEND": frontend, "SHMLOG_E2E_PRELOAD": preload})
