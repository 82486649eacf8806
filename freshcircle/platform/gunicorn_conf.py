"""gunicorn settings for `make serve` (gunicorn -c python:freshcircle.platform.gunicorn_conf).

Listens on FRESHCIRCLE_BIND (default 127.0.0.1:8000: the TLS proxy in front connects there);
workers from WEB_CONCURRENCY (gunicorn's own variable; default 2) with 4 threads each.
X-Forwarded-* headers are left to the app (FRESHCIRCLE_PROXY_COUNT, werkzeug's ProxyFix), so
there is one place that decides whom to trust: gunicorn's own scheme headers are switched off.
"""

import os

from freshcircle.platform.wsgi import check_environment

check_environment()  # no SECRET_KEY or DATABASE_URL: the master stops here, with the reason

bind = os.environ.get("FRESHCIRCLE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
worker_class = "gthread"
timeout = 60
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
accesslog = "-"
