"""gunicorn settings for `make serve` (gunicorn -c python:freshcircle.platform.gunicorn_conf).

Listens on FRESHCIRCLE_BIND (default 127.0.0.1:8000: the TLS proxy in front connects there);
one worker process per core (WEB_CONCURRENCY, gunicorn's own variable, overrides it): Python
threads share one GIL, so more processes than cores only add switching; GUNICORN_THREADS
threads each (default 8: a thread waiting on PostgreSQL or Redis leaves the core to another
request; bench/scan.py measured these settings). A worker is replaced after about
GUNICORN_MAX_REQUESTS requests (default 20,000, with jitter so they do not all restart at
once), which bounds any slow leak; a reload (SIGHUP) lets requests in flight finish within
graceful_timeout.
X-Forwarded-* headers are left to the app (FRESHCIRCLE_PROXY_COUNT, werkzeug's ProxyFix), so
there is one place that decides whom to trust: gunicorn's own scheme headers are switched off.
"""

import os
import shutil
import tempfile
from pathlib import Path

# Several workers keep their Prometheus values in files here, added up by /metrics; set before
# the app (and prometheus_client) is imported. Cleared at start, a worker's files marked dead
# when it exits.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      str(Path(tempfile.gettempdir()) / f"freshcircle-metrics-{os.getpid()}"))

from freshcircle.platform.wsgi import check_environment

check_environment()  # no SECRET_KEY or DATABASE_URL: the master stops here, with the reason

bind = os.environ.get("FRESHCIRCLE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
accesslog = "-"


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
